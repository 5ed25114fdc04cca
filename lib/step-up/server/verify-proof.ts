import "server-only";
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { env, tenantId } from "@/lib/env";
import type { ProofRejection } from "@/lib/step-up/protocol";

/**
 * Verifies a step-up proof: an Entra ID v2.0 access token for the portal's API scope, acquired
 * by the SPA (MSAL) with a claims challenge. Every check answers a concrete attack; docs/step-up.md
 * explains each. Infrastructure failures (the JWKS cannot be fetched) throw instead of returning
 * a rejection: they are not the token's fault, and answering "step up again" would loop the user.
 *
 * The token is never logged, stored or echoed; only its `uti` leaves this module (in the claims).
 */

/** How a verifier is configured. `createProofVerifier` is pure given these, so tests inject keys and a clock. */
export interface ProofVerifierConfig {
  /** Exact expected `iss`, e.g. `https://login.microsoftonline.com/<tenant>/v2.0`. */
  issuer: string;
  /** Expected `tid` (the tenant the portal trusts). */
  tenantId: string;
  /** Expected `aud`: the API app registration's client id (v2 tokens always use the GUID). */
  audience: string;
  /** Expected `azp`: the portal's SPA client, the only client allowed to present proofs. */
  spaClientId: string;
  /** Other client ids of the portal (the web client): a token with one of them as `aud` is an ID token. */
  otherClientIds?: readonly string[];
  /** The delegated scope name that `scp` must contain, e.g. `access_as_user`. */
  scope: string;
  /** Signing keys: a remote JWKS in production, a local one in tests. */
  jwks: JWTVerifyGetKey;
  /** The current time; defaults to the system clock. */
  clock?: () => Date;
  /** Tolerated clock skew in seconds for `nbf`, `exp`, `iat` and `auth_time`; at most 60. */
  maxSkewSeconds?: number;
}

/** What the operation being authorised expects of the proof. */
export interface ProofExpectations {
  /** The session's user: the proof must be for the same directory identity. */
  user: { tenantId: string; objectId: string };
  /** The context that must be in `acrs`. */
  authContext: string;
  /** Oldest accepted `auth_time`, in seconds (checked when the token carries `auth_time`). */
  maxAgeSeconds: number;
  /** Transaction binding: the token must be minted (`iat`) in a later second than this; see `mintedStrictlyAfter`. */
  mintedAfter?: Date;
}

/** The claims of an accepted proof that callers use. */
export interface ProofClaims {
  /** Entra's unique token identifier: the proof's one-time-use key. */
  uti: string;
  tid: string;
  oid: string;
  acrs: string[];
  iat: Date;
  exp: Date;
  authTime: Date | null;
}

/** The outcome of verifying a proof. */
export type ProofVerification = { ok: true; claims: ProofClaims } | { ok: false; reason: ProofRejection };

/** Verifies proofs; see `createProofVerifier`. */
export interface ProofVerifier {
  /**
   * Checks an access token for the portal's API on its own (signature, issuer, audience, version,
   * `azp`, scope, not an ID token, times, tenant), without a user or context to match: how the
   * JSON API learns who calls (lib/api/bearer.ts). The caller must then find the user by the
   * claims' (tid, oid) and hold the token to `verify` for anything the policy protects.
   */
  authenticate(token: string): Promise<ProofVerification>;
  verify(token: string, expected: ProofExpectations): Promise<ProofVerification>;
  /** The skew the verifier tolerates, in seconds: a used `uti` must be remembered until `exp` plus this. */
  readonly maxSkewSeconds: number;
  /** The verifier's clock, shared with the enforcement code so one clock decides every expiry. */
  readonly clock: () => Date;
}

/** Upper bound on tolerated clock skew (RFC 8725 leaves it to the application; a minute is generous). */
export const MAX_SKEW_SECONDS = 60;

/** Entra's access tokens are RS256 (https://learn.microsoft.com/entra/identity-platform/access-tokens). Nothing else is accepted, whatever the header says. */
const ALLOWED_ALG = "RS256";

/** The shape the claim checks need; unknown claims are kept but never trusted. */
const claimShape = z.looseObject({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  iat: z.number(),
  nbf: z.number(),
  exp: z.number(),
  ver: z.string().optional(),
  azp: z.string().optional(),
  scp: z.string().optional(),
  tid: z.string(),
  oid: z.string(),
  uti: z.string().min(1),
  acrs: z.array(z.string()).optional(),
  auth_time: z.number().optional(),
  nonce: z.string().optional(),
});

type TokenClaims = z.output<typeof claimShape>;

function proofClaimsOf(claims: TokenClaims): ProofClaims {
  return {
    uti: claims.uti,
    tid: claims.tid.toLowerCase(),
    oid: claims.oid.toLowerCase(),
    acrs: claims.acrs ?? [],
    iat: new Date(claims.iat * 1000),
    exp: new Date(claims.exp * 1000),
    authTime: claims.auth_time !== undefined ? new Date(claims.auth_time * 1000) : null,
  };
}

/** Creates a verifier for the given configuration. */
export function createProofVerifier(config: ProofVerifierConfig): ProofVerifier {
  const clock = config.clock ?? (() => new Date());
  const skew = Math.min(Math.max(config.maxSkewSeconds ?? MAX_SKEW_SECONDS, 0), MAX_SKEW_SECONDS);
  const otherClients = new Set([config.spaClientId, ...(config.otherClientIds ?? [])].map((id) => id.toLowerCase()));

  /** Every check that depends on the token alone; see `ProofVerifier.authenticate`. */
  async function checkToken(token: string): Promise<{ ok: true; claims: TokenClaims; nowMs: number } | { ok: false; reason: ProofRejection }> {
    const reject = (reason: ProofRejection) => ({ ok: false as const, reason });
    if (typeof token !== "string" || token.split(".").length !== 3) return reject("malformed");

    // Checked before any key is touched: `alg: none` and HS256 "signed" with the RSA public key
    // (algorithm confusion, RFC 8725 §2.1) must never reach a verification routine.
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return reject("malformed");
    }
    if (alg !== ALLOWED_ALG) return reject("unsupported_alg");

    const now = clock();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, config.jwks, {
        algorithms: [ALLOWED_ALG],
        currentDate: now,
        clockTolerance: skew,
        requiredClaims: ["iss", "aud", "iat", "nbf", "exp"],
      }));
    } catch (error) {
      const reason = joseRejection(error);
      if (reason) return reject(reason);
      throw error;
    }

    const parsed = claimShape.safeParse(payload);
    if (!parsed.success) return reject("malformed");
    const claims = parsed.data;
    // Compared in milliseconds: truncating now to whole seconds would stretch every window below
    // (freshness, the future limit) by up to a second in the token's favour.
    const nowMs = now.getTime();

    if (claims.iat * 1000 > nowMs + skew * 1000) return reject("not_yet_valid");
    // An ID token is signed by the same keys and names the same user: it must not pass as a proof.
    // Its audience is a client of ours, it carries the sign-in's nonce, and it has no scopes.
    const audiences = typeof claims.aud === "string" ? [claims.aud] : claims.aud;
    if (claims.nonce !== undefined || audiences.some((aud) => otherClients.has(aud.toLowerCase()))) return reject("id_token");
    if (claims.iss !== config.issuer) return reject("wrong_issuer");
    if (audiences.length !== 1 || audiences[0]?.toLowerCase() !== config.audience.toLowerCase()) return reject("wrong_audience");
    if (claims.ver !== "2.0") return reject("wrong_version");
    if (claims.azp?.toLowerCase() !== config.spaClientId.toLowerCase()) return reject("wrong_azp");
    if (!claims.scp?.split(" ").includes(config.scope)) return reject("missing_scope");
    if (claims.tid.toLowerCase() !== config.tenantId.toLowerCase()) return reject("wrong_tenant");
    return { ok: true, claims, nowMs };
  }

  async function authenticate(token: string): Promise<ProofVerification> {
    const checked = await checkToken(token);
    return checked.ok ? { ok: true, claims: proofClaimsOf(checked.claims) } : checked;
  }

  async function verify(token: string, expected: ProofExpectations): Promise<ProofVerification> {
    const reject = (reason: ProofRejection): ProofVerification => ({ ok: false, reason });
    const checked = await checkToken(token);
    if (!checked.ok) return checked;
    const { claims, nowMs } = checked;
    if (claims.tid.toLowerCase() !== expected.user.tenantId.toLowerCase()) return reject("wrong_tenant");
    if (claims.oid.toLowerCase() !== expected.user.objectId.toLowerCase()) return reject("wrong_user");
    if (!claims.acrs?.includes(expected.authContext)) return reject("missing_context");
    // auth_time is optional in Entra (an optional claim, docs/step-up.md "Binding precision"): when
    // present it bounds freshness; the transaction binding does not depend on it, it relies on iat below.
    if (claims.auth_time !== undefined) {
      // An authentication in the future is a clock problem or a forgery; either way, not fresh evidence.
      if (claims.auth_time * 1000 > nowMs + skew * 1000) return reject("not_yet_valid");
      if (nowMs - claims.auth_time * 1000 > (expected.maxAgeSeconds + skew) * 1000) return reject("stale_auth_time");
    }
    if (expected.mintedAfter && !mintedStrictlyAfter(claims.iat, expected.mintedAfter)) return reject("minted_before_operation");

    return { ok: true, claims: proofClaimsOf(claims) };
  }

  return { authenticate, verify, maxSkewSeconds: skew, clock };
}

/**
 * Transaction binding's time rule: a proof approves a pending operation only if it was minted
 * (`iat`) in a whole second **after** the one in which the operation was stored.
 *
 * `iat` has one-second resolution (RFC 7519 §2, NumericDate); the operation's creation time has
 * milliseconds. Truncating the creation time and accepting `iat` equal to it would let a proof
 * minted at 12:00:00.100 for one approval pass for a different operation stored at 12:00:00.900:
 * a proof obtained for approval A, held back and presented on operation B created within that
 * same second, would run B. So equality is refused, and there is no clock-skew tolerance either
 * (a tolerance would widen the same hole by its size). A person approving interactively takes
 * seconds, and the step-up dialog enables Verify only after the operation's second has passed
 * (`StepUpChallenge.approvableInMs`), so only a proof that existed before the operation lands here.
 */
export function mintedStrictlyAfter(iatSeconds: number, storedAt: Date): boolean {
  return iatSeconds > Math.floor(storedAt.getTime() / 1000);
}

/** Maps jose's errors about the token to a rejection; anything else (JWKS unreachable) is not one. */
function joseRejection(error: unknown): ProofRejection | null {
  if (error instanceof joseErrors.JWTExpired) return "expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) return error.claim === "nbf" && error.reason === "check_failed" ? "not_yet_valid" : "malformed";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) return "bad_signature";
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "unsupported_alg";
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWKSMultipleMatchingKeys) return "malformed";
  return null;
}

const discoverySchema = z.object({ issuer: z.string(), jwks_uri: z.url() });

/**
 * The identity provider's signing keys, found through discovery (so the same code serves the
 * emulator and Entra ID). Discovery is fetched once (a failure is retried on the next call);
 * jose's remote set caches the keys and refetches on an unknown `kid` (key rotation) at most
 * once per cooldown.
 */
export function discoverJwks(issuer: string): JWTVerifyGetKey {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const load = async (): Promise<JWTVerifyGetKey> => {
    const response = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(5_000),
      cache: "no-store",
    });
    if (!response.ok) throw new Error(`OpenID metadata request failed with ${response.status}`);
    const metadata = discoverySchema.parse(await response.json());
    // The metadata must describe the issuer we trust, or its keys are not that issuer's keys.
    if (metadata.issuer !== issuer) throw new Error("OpenID metadata names a different issuer");
    return createRemoteJWKSet(new URL(metadata.jwks_uri), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
  };
  return async (header, token) => {
    // A failed discovery is forgotten, so the next request tries again instead of failing forever.
    keys ??= load().catch((error: unknown) => {
      keys = undefined;
      throw error;
    });
    return (await keys)(header, token);
  };
}

/** The delegated scope's name: the part of `ENTRA_API_SCOPE` after its last "/". */
export function scopeName(fullScope: string): string {
  return fullScope.slice(fullScope.lastIndexOf("/") + 1);
}

let defaultVerifier: ProofVerifier | undefined;

/** The configured issuer as Entra writes `iss`: env allows a trailing slash, tokens never carry one. */
const configuredIssuer = env.AUTH_MICROSOFT_ENTRA_ID_ISSUER.replace(/\/$/, "");

/**
 * The portal's verifier, configured from env: issuer and tenant from
 * `AUTH_MICROSOFT_ENTRA_ID_ISSUER`, audience `ENTRA_API_CLIENT_ID`, `azp` `ENTRA_SPA_CLIENT_ID`,
 * scope from `ENTRA_API_SCOPE`, keys from the issuer's discovery document. Created on first use.
 */
export function getProofVerifier(): ProofVerifier {
  defaultVerifier ??= createProofVerifier({
    issuer: configuredIssuer,
    tenantId,
    audience: env.ENTRA_API_CLIENT_ID,
    spaClientId: env.ENTRA_SPA_CLIENT_ID,
    otherClientIds: [env.AUTH_MICROSOFT_ENTRA_ID_ID],
    scope: scopeName(env.ENTRA_API_SCOPE),
    jwks: discoverJwks(configuredIssuer),
  });
  return defaultVerifier;
}
