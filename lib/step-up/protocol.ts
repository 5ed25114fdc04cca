import type { AuthContextId, PolicySetName, StepUpOperation } from "@/lib/step-up/policy";

/**
 * What server and client say to each other: a `StepUpChallenge` (why, and the claims request in
 * Entra ID's format, https://learn.microsoft.com/entra/identity-platform/claims-challenge), answered
 * by one retry with a `StepUpProof`; the API sends the same claims, base64, in `WWW-Authenticate`.
 * Client-safe (no server imports): the browser, the tests and a programmatic client read it alike.
 */

/** Why lib/step-up/server/verify-proof.ts refused a proof. */
export const PROOF_REJECTIONS = [
  "malformed",
  "unsupported_alg",
  "bad_signature",
  "expired",
  "not_yet_valid",
  "id_token",
  "wrong_issuer",
  "wrong_audience",
  "wrong_version",
  "wrong_azp",
  "missing_scope",
  "wrong_tenant",
  "wrong_user",
  "missing_context",
  "stale_auth_time",
  "minted_before_operation",
  "replayed",
] as const;

/** A reason a proof was refused. */
export type ProofRejection = (typeof PROOF_REJECTIONS)[number];

/**
 * Why a transaction-bound retry could not use its pending operation: it was replaced by a newer
 * request, expired, is unknown to this user and session, or the re-submitted input differs from
 * what the user approved.
 */
export const PENDING_REJECTIONS = ["payload_changed", "pending_expired", "pending_cancelled", "pending_not_found"] as const;

/** A reason a pending operation could not be used. */
export type PendingRejection = (typeof PENDING_REJECTIONS)[number];

/**
 * Why the server answers `step_up_required`: one vocabulary for the challenge, the audit log and
 * the tests, none of it saying more than the caller could learn from its own token.
 * - `missing_proof`: a transaction-bound operation called without a proof (the first call);
 * - `insufficient_session`: a session-bound operation the session is not (or no longer) elevated for;
 * - a proof rejection or a pending-operation rejection.
 */
export type StepUpReason = "missing_proof" | "insufficient_session" | ProofRejection | PendingRejection;

/** A JSON value, as stored in a pending operation's canonical payload. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * What the client needs to step up and retry. Everything in it is safe to show the user who
 * asked: it describes their own request.
 */
export interface StepUpChallenge {
  operation: StepUpOperation;
  /**
   * The claims request for MSAL's `claims` parameter, e.g.
   * `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`. Built per challenge and never
   * cached by the client: the next challenge may name another context.
   */
  claims: string;
  /** The authentication context the proof must carry in `acrs`. */
  authContext: AuthContextId;
  /** `session`: silent token first, then the dialog. `transaction`: always the dialog (a fresh approval). */
  binding: "session" | "transaction";
  /** Transaction binding: the stored operation the retry must name. */
  pendingOperationId?: string;
  /** Transaction binding: exactly what runs after approval (canonical form: money as minor-unit strings). */
  payload?: { [key: string]: JsonValue };
  /** Transaction binding: when the pending operation expires (ISO 8601). */
  expiresAt?: string;
  /**
   * Transaction binding: milliseconds from this answer until a proof can approve the operation
   * (0–1000). A proof must be minted in a later whole second than the operation was stored
   * (lib/step-up/server/verify-proof.ts, `mintedStrictlyAfter`), so the dialog enables Verify only then:
   * an identity provider that answers at once (a verification moments ago still counts) would
   * otherwise mint a proof in the same second, which the server must refuse.
   */
  approvableInMs?: number;
  /** Server-generated; pass it to MSAL as `correlationId` so the portal's audit and the sign-in logs join. */
  correlationId: string;
  reason: StepUpReason;
}

/**
 * The step-up proof a retry passes as the action's second argument (never a form field): an
 * access token for the portal's API scope and, for transaction binding, the pending operation
 * the user approved.
 */
export interface StepUpProof {
  token: string;
  pendingOperationId?: string;
}

/** Public configuration for MSAL in the browser, built on the server (`stepUpClientConfig()` in lib/env.ts), passed as a prop. */
export interface StepUpClientConfig {
  /** The SPA app registration's client id. */
  clientId: string;
  /** `https://<identity provider host>/<tenant id>` (the issuer without `/v2.0`). */
  authority: string;
  /** The identity provider's host, so MSAL trusts its metadata without instance discovery. */
  knownAuthorities: string[];
  /** The portal API's delegated scope: the audience of every proof. */
  apiScope: string;
  /** The registered redirect URI served by app/auth/redirect-bridge. */
  redirectUri: string;
  /** The step-up policy set the server enforces (`STEP_UP_POLICY_SET`): how the dialog words each context. */
  policySet: PolicySetName;
}

/**
 * The claims request asking for `authContext` in the access token, e.g.
 * `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`: what MSAL takes as `claims`.
 */
export function claimsChallenge(authContext: AuthContextId): string {
  return JSON.stringify({ access_token: { acrs: { essential: true, value: authContext } } });
}

/**
 * Where a claims challenge sends the client to sign in again. Microsoft's format pairs the two:
 * `authorization_uri` (required) is the authorize endpoint an interactive sign-in can use, and a
 * `realm` naming a tenant requires that tenant in `authorization_uri` (an empty `realm` goes with
 * the `common` endpoint only). The portal trusts one tenant, so: its id, and its endpoint.
 */
export interface ChallengeAuthority {
  /** The tenant id. */
  realm: string;
  /** The tenant's v2.0 authorize endpoint, e.g. `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/authorize`. */
  authorizationUri: string;
}

/**
 * `WWW-Authenticate` for a token that lacks the context: `Bearer realm="<tenant>",
 * authorization_uri="<authorize endpoint>", error="insufficient_claims", claims="<base64 of the
 * claims JSON>"`, every parameter Microsoft's claims-challenge format marks required. The status
 * must be 401 and the scheme Bearer, or MSAL-based clients will not treat it as a claims challenge.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/claims-challenge#claims-challenge-header-format
 */
export function insufficientClaimsHeader(authContext: AuthContextId, authority: ChallengeAuthority): string {
  return `Bearer realm="${quote(authority.realm)}", authorization_uri="${quote(authority.authorizationUri)}", error="insufficient_claims", claims="${encodeBase64(claimsChallenge(authContext))}"`;
}

/** RFC 9110 quoted-string content: backslash-escapes `"` and `\`. */
function quote(value: string): string {
  return value.replace(/["\\]/g, "\\$&");
}

/** `WWW-Authenticate` for a request without a token (RFC 6750 §3: no error code). */
export function bearerChallengeHeader(): string {
  return 'Bearer realm=""';
}

/**
 * `WWW-Authenticate` for a token the API refuses as such (bad signature, expired, wrong audience,
 * an ID token...): RFC 6750 §3.1 `invalid_token`. The client should get a new token, not step up.
 */
export function invalidTokenHeader(): string {
  return 'Bearer realm="", error="invalid_token"';
}

/** One challenge of a `WWW-Authenticate` header: its scheme and parameters (names lower-cased). */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/** A decoded Entra claims challenge. */
export interface ClaimsChallenge {
  /** The decoded claims JSON, ready for MSAL's `claims`. */
  claims: string;
  /** The contexts asked for (`acrs.value` or `acrs.values`), empty when the JSON names none. */
  acrs: string[];
  /** Where to sign in interactively (`authorization_uri`), when the challenge says. */
  authorizationUri?: string;
}

/** Anything carrying `WWW-Authenticate`: raw values, or a Fetch `Headers`. */
export type WwwAuthenticateSource = string | readonly string[] | { get(name: string): string | null };

/**
 * Parses `WWW-Authenticate` into challenges. Handles several headers (Fetch joins them with
 * ", "), several challenges in one header, parameters in any order, quoted strings with escapes
 * and unquoted values (including base64 padding). Malformed parts are skipped, never thrown on.
 */
export function parseWwwAuthenticate(source: WwwAuthenticateSource): AuthChallenge[] {
  const values = typeof source === "string" ? [source] : "get" in source ? [source.get("www-authenticate") ?? ""] : [...source];
  return values.flatMap(parseHeaderValue);
}

/**
 * The Entra claims challenges (`Bearer` with `error="insufficient_claims"`) in the headers, with
 * their claims decoded. Empty when there is none or the claims are not valid base64 JSON.
 */
export function parseClaimsChallenges(source: WwwAuthenticateSource): ClaimsChallenge[] {
  const found: ClaimsChallenge[] = [];
  for (const challenge of parseWwwAuthenticate(source)) {
    if (challenge.scheme.toLowerCase() !== "bearer" || challenge.params.error !== "insufficient_claims") continue;
    const encoded = challenge.params.claims;
    if (!encoded) continue;
    const claims = decodeBase64(encoded);
    if (claims === null) continue;
    const acrs = acrsOf(claims);
    const authorizationUri = challenge.params.authorization_uri;
    if (acrs) found.push({ claims, acrs, ...(authorizationUri ? { authorizationUri } : {}) });
  }
  return found;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

function parseHeaderValue(value: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let current: AuthChallenge | undefined;
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < value.length && chars.test(value[i] ?? "")) i += 1;
  };
  const readToken = () => {
    const start = i;
    while (i < value.length && TOKEN_CHAR.test(value[i] ?? "")) i += 1;
    return value.slice(start, i);
  };
  while (i < value.length) {
    skip(/[\s,]/);
    const name = readToken();
    if (!name) {
      // Not a token: skip to the next comma so one bad part cannot hide the rest.
      while (i < value.length && value[i] !== ",") i += 1;
      continue;
    }
    skip(/[ \t]/);
    if (value[i] !== "=") {
      current = { scheme: name, params: {} };
      challenges.push(current);
      continue;
    }
    i += 1;
    skip(/[ \t]/);
    const paramValue = value[i] === '"' ? readQuoted() : readBare();
    if (current && !(name.toLowerCase() in current.params)) current.params[name.toLowerCase()] = paramValue;
  }
  return challenges;

  function readQuoted(): string {
    let out = "";
    i += 1;
    while (i < value.length && value[i] !== '"') {
      if (value[i] === "\\" && i + 1 < value.length) i += 1;
      out += value[i];
      i += 1;
    }
    i += 1;
    return out;
  }

  function readBare(): string {
    const start = i;
    while (i < value.length && value[i] !== "," && !/\s/.test(value[i] ?? "")) i += 1;
    return value.slice(start, i);
  }
}

function acrsOf(claimsJson: string): string[] | null {
  try {
    const parsed: unknown = JSON.parse(claimsJson);
    if (!isRecord(parsed)) return null;
    const accessToken = parsed.access_token;
    const acrs = isRecord(accessToken) ? accessToken.acrs : undefined;
    if (!isRecord(acrs)) return [];
    if (typeof acrs.value === "string") return [acrs.value];
    if (Array.isArray(acrs.values)) return acrs.values.filter((v): v is string => typeof v === "string");
    return [];
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function encodeBase64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Standard or URL-safe alphabet, padded or not; null when it is not base64 of UTF-8. */
function decodeBase64(encoded: string): string | null {
  const normalized = encoded.trim().replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(normalized) || normalized.length % 4 === 1) return null;
  try {
    const binary = atob(normalized + "=".repeat((4 - (normalized.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
