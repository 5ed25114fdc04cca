import "server-only";
import { z } from "zod";
import type { StepUpClientConfig } from "@/lib/step-up/msal";

/**
 * The portal's configuration, parsed once at start-up. Nothing else reads `process.env`
 * (an ESLint rule enforces it), so a missing or wrong variable fails here with one message
 * naming it, instead of as an obscure error deep in a request.
 *
 * Pointing the portal at a real Entra ID tenant changes only these values (docs/real-tenant.md).
 */

/** Values published in .env.example and docs/contracts.md: fine for a local run, never for production. */
const EXAMPLE_AUTH_SECRET = "example-auth-secret-change-me-for-production-0123456789";
const EXAMPLE_CLIENT_SECRET = "woodgrove-emulator-web-secret";

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    /** Signs and encrypts Auth.js cookies; at least 32 characters. */
    AUTH_SECRET: z.string().min(32, "must be at least 32 characters (generate one with `openssl rand -base64 33`)"),
    /** The portal's public origin, e.g. http://localhost:3000. */
    AUTH_URL: z.url().transform((u) => u.replace(/\/$/, "")),
    /** Entra ID: the portal's web (confidential) app registration. */
    AUTH_MICROSOFT_ENTRA_ID_ID: guid,
    AUTH_MICROSOFT_ENTRA_ID_SECRET: z.string().min(1),
    /** Entra ID issuer: https://login.microsoftonline.com/<tenant-id>/v2.0, or the emulator's. */
    AUTH_MICROSOFT_ENTRA_ID_ISSUER: z
      .url()
      .refine((u) => /\/[0-9a-f-]{36}\/v2\.0\/?$/i.test(u), "must end in /<tenant-id>/v2.0"),
    /** The portal's SPA app registration (MSAL in the browser, used for step-up). */
    ENTRA_SPA_CLIENT_ID: guid,
    /** The delegated scope of the portal's API that step-up proofs are issued for. */
    ENTRA_API_SCOPE: z.string().regex(/^(api:\/\/|[0-9a-f-]{36}\/).+\/[^/]+$/i, "must look like api://<app>/<scope>"),
    /** The API app registration's client id: the `aud` of step-up proofs (v2 tokens). */
    ENTRA_API_CLIENT_ID: guid,
    /** SQLite `file:` URL (default) or a PostgreSQL URL. */
    DATABASE_URL: z
      .string()
      .regex(/^(file:|postgres(ql)?:\/\/)/, "must be a file: (SQLite) or postgresql:// URL")
      .default("file:./.data/portal.db"),
    /** Idle timeout of a portal session, in minutes (at most 30). */
    SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(30).default(30),
    /** Absolute lifetime of a portal session, in hours (at most 12). */
    SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(12).default(12),
    /** Which policy set the step-up table uses; matches the identity provider's policy set. */
    STEP_UP_POLICY_SET: z.enum(["staging", "production"]).default("production"),
  })
  .superRefine((value, ctx) => {
    // A step-up proof is recognised as an access token for the API partly by its audience; if the
    // API shared a client id with the web or SPA registration, every proof would look like an
    // ID token and step-up could never succeed. Entra allows one registration for all three;
    // this portal needs them apart (docs/real-tenant.md).
    if (value.ENTRA_API_CLIENT_ID === value.ENTRA_SPA_CLIENT_ID || value.ENTRA_API_CLIENT_ID === value.AUTH_MICROSOFT_ENTRA_ID_ID) {
      ctx.addIssue({ code: "custom", path: ["ENTRA_API_CLIENT_ID"], message: "must be its own app registration, not the web or SPA client id" });
    }
    // Checked when the portal starts in production, not while `next build` evaluates modules
    // (a build may run without the real secrets, e.g. in an image build).
    if (value.NODE_ENV !== "production" || process.env.NEXT_PHASE === "phase-production-build") return;
    // A production start must not run on secrets that are published in this repository.
    // `npm run demo` writes a .env with a freshly generated AUTH_SECRET, so it never trips this.
    if (value.AUTH_SECRET === EXAMPLE_AUTH_SECRET) {
      ctx.addIssue({ code: "custom", path: ["AUTH_SECRET"], message: "is the example value from .env.example; generate a real one (`openssl rand -base64 33`)" });
    }
    const issuerHost = new URL(value.AUTH_MICROSOFT_ENTRA_ID_ISSUER).hostname;
    const isLoopbackIssuer = issuerHost === "localhost" || issuerHost === "127.0.0.1" || issuerHost === "[::1]";
    if (!isLoopbackIssuer && value.AUTH_MICROSOFT_ENTRA_ID_SECRET === EXAMPLE_CLIENT_SECRET) {
      ctx.addIssue({ code: "custom", path: ["AUTH_MICROSOFT_ENTRA_ID_SECRET"], message: "is the local emulator's published secret; use your app registration's client secret" });
    }
  });

/** Parsed configuration. Throws once, at import, naming every bad variable. */
export type Env = z.infer<typeof schema>;

function parseEnv(): Env {
  const result = schema.safeParse(process.env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  - ${issue.path.join(".") || "(env)"}: ${issue.message}`);
  throw new Error(`Invalid portal configuration (see .env.example):\n${lines.join("\n")}`);
}

export const env: Env = parseEnv();

/** The identity provider's origin, for CSP `connect-src` and MSAL's `knownAuthorities`. */
export const identityProviderOrigin = new URL(env.AUTH_MICROSOFT_ENTRA_ID_ISSUER).origin;

/** The tenant id the portal trusts (the GUID in the issuer). */
export const tenantId = new URL(env.AUTH_MICROSOFT_ENTRA_ID_ISSUER).pathname.split("/")[1]!.toLowerCase();

/**
 * What the browser needs to step up with MSAL: public values only, built per request on the
 * server and handed to client components as a prop (not `NEXT_PUBLIC_*`, which would freeze the
 * build machine's ports and tenant into the bundle). Works unchanged for
 * `https://login.microsoftonline.com/<tenant>`.
 */
export function stepUpClientConfig(): StepUpClientConfig {
  const issuer = new URL(env.AUTH_MICROSOFT_ENTRA_ID_ISSUER);
  return {
    clientId: env.ENTRA_SPA_CLIENT_ID,
    // MSAL's authority is the issuer without `/v2.0`.
    authority: `${issuer.origin}/${tenantId}`,
    // Trust this host's metadata instead of asking Microsoft's instance discovery.
    knownAuthorities: [issuer.host],
    apiScope: env.ENTRA_API_SCOPE,
    // Registered on the SPA app (docs/contracts.md); served by app/auth/redirect-bridge.
    redirectUri: `${env.AUTH_URL}/auth/redirect-bridge`,
  };
}
