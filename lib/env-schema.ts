import { z } from "zod";

/**
 * The portal's configuration schema, without side effects: lib/env.ts parses `process.env` with
 * it once at start-up (and throws), `npm run doctor` (scripts/doctor.ts) parses a configuration
 * with it to report every problem. Each variable is documented in .env.example.
 */

/** Values published in .env.example and docs/contracts.md: fine for a local run, never for production. */
const EXAMPLE_AUTH_SECRET = "example-auth-secret-change-me-for-production-0123456789";
const EXAMPLE_CLIENT_SECRET = "woodgrove-emulator-web-secret";

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");

export const portalEnvSchema = z
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
    /** Microsoft Graph's origin (sign-in logs, Conditional Access policies); the emulator serves both locally. */
    ENTRA_GRAPH_URL: z
      .url()
      .transform((u) => u.replace(/\/$/, ""))
      .default("https://graph.microsoft.com"),
    /**
     * Where a person manages their sign-in methods at the identity provider (the settings page
     * links to it: the portal cannot list or change methods without more Graph permissions). For
     * Entra ID: https://mysignins.microsoft.com/security-info. Unset (the emulator has no such
     * page), the settings page names the identity provider without a link.
     */
    ENTRA_SECURITY_INFO_URL: z.url().optional(),
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
    /** Length of one rate-limit window, in seconds; every limit below counts per window (lib/rate-limit). */
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    /** Server-action calls and API requests per user per window. */
    RATE_LIMIT_REQUESTS_PER_USER: z.coerce.number().int().min(1).default(120),
    /** Server-action calls and API requests per client address per window. */
    RATE_LIMIT_REQUESTS_PER_IP: z.coerce.number().int().min(1).default(600),
    /** Sign-in starts and callbacks per client address per window. */
    RATE_LIMIT_SIGN_INS_PER_IP: z.coerce.number().int().min(1).default(120),
    /** Completed sign-ins per user per window. */
    RATE_LIMIT_SIGN_INS_PER_USER: z.coerce.number().int().min(1).default(10),
    /** Step-up proofs (tokens presented for verification) per user per window. */
    RATE_LIMIT_STEP_UP_PROOFS_PER_USER: z.coerce.number().int().min(1).default(20),
    /** Transaction-bound approvals a user may have waiting at once (browser and API together). */
    STEP_UP_MAX_OPEN_APPROVALS_PER_USER: z.coerce.number().int().min(1).default(20),
    /**
     * Reverse proxies in front of the portal that append the client's address to X-Forwarded-For;
     * the portal takes the address the outermost of them saw (the Nth entry from the right).
     */
    RATE_LIMIT_TRUSTED_PROXIES: z.coerce.number().int().min(1).max(5).default(1),
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

/** The parsed configuration. */
export type PortalEnv = z.infer<typeof portalEnvSchema>;

/**
 * The tenant's v2.0 authorize endpoint for an issuer such as
 * `https://login.microsoftonline.com/<tenant>/v2.0`: `<issuer without /v2.0>/oauth2/v2.0/authorize`,
 * Entra's layout and the `authorization_endpoint` its discovery document states (the doctor
 * checks that they agree). The API's claims challenges name it as `authorization_uri`.
 */
export function authorizeEndpointOf(issuer: string): string {
  const url = new URL(issuer);
  const tenant = url.pathname.split("/")[1] ?? "";
  return `${url.origin}/${tenant.toLowerCase()}/oauth2/v2.0/authorize`;
}
