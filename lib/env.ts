import "server-only";
import { authorizeEndpointOf, portalEnvSchema, type PortalEnv } from "@/lib/env-schema";
import type { ChallengeAuthority, StepUpClientConfig } from "@/lib/step-up/protocol";

/**
 * The portal's configuration, parsed once at start-up. Nothing else reads `process.env`
 * (an ESLint rule enforces it), so a missing or wrong variable fails here with one message
 * naming it, instead of as an obscure error deep in a request.
 *
 * Pointing the portal at a real Entra ID tenant changes only these values (docs/real-tenant.md).
 */

/** Parsed configuration. Throws once, at import, naming every bad variable. */
export type Env = PortalEnv;

function parseEnv(): Env {
  const result = portalEnvSchema.safeParse(process.env);
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
 * The `realm` and `authorization_uri` of the API's claims challenges: the trusted tenant and its
 * v2.0 authorize endpoint (`authorizeEndpointOf`; `npm run doctor` checks it against discovery).
 */
export const claimsChallengeAuthority: ChallengeAuthority = {
  realm: tenantId,
  authorizationUri: authorizeEndpointOf(env.AUTH_MICROSOFT_ENTRA_ID_ISSUER),
};

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
    policySet: env.STEP_UP_POLICY_SET,
  };
}
