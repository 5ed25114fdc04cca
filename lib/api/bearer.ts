import "server-only";
import type { PortalUser } from "@/lib/auth/session";
import { getUserByDirectoryId } from "@/lib/data/users";
import { bearerChallengeHeader, invalidTokenHeader } from "@/lib/step-up/protocol";
import type { ProofClaims, ProofVerifier } from "@/lib/step-up/server/verify-proof";
import { apiError } from "@/lib/api/responses";

/**
 * Who calls the JSON API: the user named by a Bearer access token for the portal's API, and
 * nothing else. Cookies are never read: a browser's session must not authenticate a request it
 * did not deliberately make (the API accepts cross-site, Origin-less requests, proxy.ts), and a
 * Bearer token is never sent ambiently, so cross-site request forgery has nothing to ride on.
 *
 * The token is checked by `ProofVerifier.authenticate` (RS256 signature, issuer, audience = the
 * API, `ver` 2.0, `azp` = the portal's SPA client, scope, not an ID token, times, tenant), then
 * the user is found by (tid, oid), never by a name or email. The same token is the step-up proof
 * for whatever the policy protects (lib/step-up/server/enforce.ts).
 */

/** An authenticated API caller. */
export interface BearerCaller {
  user: PortalUser;
  /** The raw token: passed to the enforcement core as the proof, never logged or echoed. */
  token: string;
  claims: ProofClaims;
}

/** The caller, or the response that refuses the request. */
export type BearerAuthentication = { ok: true; caller: BearerCaller } | { ok: false; response: Response };

/**
 * `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1). Null when there is
 * no Bearer credential at all: absent, or another scheme (RFC 6750 §3.1: no error code then).
 * An empty Bearer credential is returned as "" and refused as an invalid token.
 */
function bearerTokenOf(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  const match = /^\s*Bearer(?:\s+(.*))?$/i.exec(header);
  if (!match) return null;
  return (match[1] ?? "").trim();
}

/**
 * Authenticates the request's Bearer token and finds its user:
 * - no token: 401 `WWW-Authenticate: Bearer realm=""` (also when the request carries a session cookie);
 * - a token the API does not accept: 401 `Bearer realm="", error="invalid_token"`, with the
 *   reason in the body (it tells the caller nothing its own token does not);
 * - a valid token for someone who never signed in to the portal: 403 `unknown_user`. The API does
 *   not create users: the portal's sign-in (lib/auth/adapter.ts) is the one place accounts are
 *   provisioned and linked, and a token alone should not open an account with a bank.
 * The identity provider's keys being unreachable is not the token's fault: 503, not 401 (a 401
 * would send the client for a new token it does not need).
 */
export async function authenticateBearer(request: Request, verifier: ProofVerifier, correlationId: string): Promise<BearerAuthentication> {
  const token = bearerTokenOf(request);
  if (token === null) {
    return {
      ok: false,
      response: apiError(401, "unauthorized", "Send an access token for the portal's API: Authorization: Bearer <token>.", correlationId, {
        headers: { "WWW-Authenticate": bearerChallengeHeader() },
      }),
    };
  }
  let verification;
  try {
    verification = await verifier.authenticate(token);
  } catch {
    return { ok: false, response: apiError(503, "unavailable", "The sign-in service's keys could not be loaded. Try again shortly.", correlationId, { headers: { "Retry-After": "5" } }) };
  }
  if (!verification.ok) {
    return {
      ok: false,
      response: apiError(401, "invalid_token", "The access token is not valid for this API. Get a new token for the portal's API scope.", correlationId, {
        headers: { "WWW-Authenticate": invalidTokenHeader() },
        details: { reason: verification.reason },
      }),
    };
  }
  const user = await getUserByDirectoryId(verification.claims.tid, verification.claims.oid);
  if (!user) {
    return {
      ok: false,
      response: apiError(403, "unknown_user", "This account has no Woodgrove profile yet. Sign in to the portal once in a browser, then use the API.", correlationId),
    };
  }
  return {
    ok: true,
    caller: {
      token,
      claims: verification.claims,
      user: { id: user.id, name: user.name, userPrincipalName: user.userPrincipalName, tenantId: user.tenantId, objectId: user.objectId },
    },
  };
}
