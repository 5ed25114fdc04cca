import path from "node:path";
import { ROOT, readEnvFile } from "../../scripts/lib/stack-env";

/**
 * Settings of the opt-in run against a real Microsoft Entra tenant (playwright.real-tenant.config.ts).
 * Everything comes from one env file, `.env.real-tenant` at the repository root (or the file
 * named by REAL_TENANT_ENV_FILE), never committed: the portal's configuration for the tenant
 * (docs/real-tenant.md, "Configuration") plus the test user's credentials. Variables already in
 * the environment win over the file.
 */
export interface RealTenantSettings {
  /** The portal's configuration for the tenant, handed to `next start`. */
  portalEnv: Record<string, string>;
  /** `http://localhost:<port>`: AUTH_URL, registered as the redirect URIs' origin. */
  portalOrigin: string;
  portalPort: number;
  /** The run's own SQLite database (fresh every run; the test user is seeded into it). */
  databaseUrl: string;
  user: {
    userPrincipalName: string;
    password: string;
    /** Base32 secret of an authenticator-app method registered for the user ("Set up a different authenticator app"). */
    totpSecret: string;
  };
}

const USER_VARIABLES = ["REAL_TENANT_USERNAME", "REAL_TENANT_PASSWORD", "REAL_TENANT_TOTP_SECRET"] as const;
const PORTAL_VARIABLES = [
  "AUTH_URL",
  "AUTH_SECRET",
  "AUTH_MICROSOFT_ENTRA_ID_ISSUER",
  "AUTH_MICROSOFT_ENTRA_ID_ID",
  "AUTH_MICROSOFT_ENTRA_ID_SECRET",
  "ENTRA_SPA_CLIENT_ID",
  "ENTRA_API_CLIENT_ID",
  "ENTRA_API_SCOPE",
  "ENTRA_GRAPH_URL",
] as const;

/** Reads and checks the settings; throws one error naming every missing or wrong variable. */
export function realTenantSettings(): RealTenantSettings {
  const file = path.resolve(ROOT, process.env.REAL_TENANT_ENV_FILE ?? ".env.real-tenant");
  const values: Record<string, string> = { ...readEnvFile(file) };
  for (const name of [...USER_VARIABLES, ...PORTAL_VARIABLES]) if (process.env[name]) values[name] = process.env[name]!;

  const problems = [...USER_VARIABLES, ...PORTAL_VARIABLES].filter((name) => !values[name]).map((name) => `${name} is not set`);
  const origin = values.AUTH_URL ? new URL(values.AUTH_URL) : undefined;
  if (origin && (origin.protocol !== "http:" || origin.hostname !== "localhost" || !origin.port)) {
    problems.push(`AUTH_URL must be http://localhost:<port> (the run starts the portal there; register that origin's redirect URIs), not ${values.AUTH_URL}`);
  }
  if (values.AUTH_MICROSOFT_ENTRA_ID_ISSUER?.startsWith("https://localhost")) problems.push("AUTH_MICROSOFT_ENTRA_ID_ISSUER points at the local emulator: this run is for a real tenant");
  if (problems.length > 0) {
    throw new Error(
      `The real-tenant run is not configured (${file}):\n  - ${problems.join("\n  - ")}\n` +
        "See docs/real-tenant.md, \"Running the end-to-end flows against your tenant\".",
    );
  }

  const databaseUrl = "file:./.data/real-tenant-e2e.db";
  return {
    portalEnv: {
      ...Object.fromEntries(PORTAL_VARIABLES.map((name) => [name, values[name]!])),
      ...Object.fromEntries(Object.entries(values).filter(([name]) => !name.startsWith("REAL_TENANT_"))),
      DATABASE_URL: databaseUrl,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
    },
    portalOrigin: origin!.origin,
    portalPort: Number(origin!.port),
    databaseUrl,
    user: { userPrincipalName: values.REAL_TENANT_USERNAME!, password: values.REAL_TENANT_PASSWORD!, totpSecret: values.REAL_TENANT_TOTP_SECRET! },
  };
}
