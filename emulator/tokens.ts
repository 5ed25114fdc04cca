import { createHmac, randomBytes } from "node:crypto";
import { SignJWT, type JWTPayload } from "jose";
import { GRAPH_APP_ID, GRAPH_RESOURCE, type ClientApp } from "./apps.js";
import type { ClaimsRequest } from "./claims.js";
import type { Emulator } from "./context.js";
import type { DirectoryUser } from "./directory.js";
import { evaluate, intervalContexts, type RiskFacts } from "./policy.js";
import type { ResolvedScopes } from "./scopes.js";
import { MAX_CA_RECORDS, secretKey, type CarriedSignInRisk } from "./state.js";
import type { AuthSnapshot } from "./types.js";

/** Access and ID token lifetime; Entra's default is 60-90 minutes, fixed here for predictability. */
export const TOKEN_LIFETIME_SECONDS = 3600;
/**
 * Refresh-token lifetime: Entra gives SPAs 24 hours (not extended by rotation) and other clients
 * 90 days.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/refresh-tokens#token-lifetime
 */
export const REFRESH_LIFETIME_MS = { spa: 24 * 3600 * 1000, web: 90 * 24 * 3600 * 1000 } as const;

/** What every authorization code the emulator issues looks like (`randomId(48)`). */
export const AUTHORIZATION_CODE_SHAPE = /^[A-Za-z0-9_-]{64}$/;

/** Base64url of random bytes. */
export function randomId(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/**
 * Pairwise subject: stable per user and application, different across applications, as Entra's
 * `sub` is. Keyed by the tenant so another emulated tenant gets other values.
 */
export function pairwiseSub(tenantId: string, oid: string, appId: string): string {
  return createHmac("sha256", `woodgrove-emulator-sub:${tenantId}`).update(`${oid}|${appId}`).digest("base64url").slice(0, 43);
}

/**
 * Entra's `client_info`: base64url JSON `{uid, utid}`, which MSAL uses to key its cache. Returned
 * only to a request that sent `client_info=1` (MSAL always does).
 */
export function clientInfo(oid: string, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: oid, utid: tenantId })).toString("base64url");
}

const LOGIN_HINT_PREFIX = "O.";

/**
 * The `login_hint` optional claim: an opaque value naming the user that a client passes back as
 * the `login_hint` parameter (MSAL does so whenever an account's ID token has it). Opaque to
 * clients; here base64url of the tenant and object id.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/optional-claims-reference
 */
export function loginHintClaim(tenantId: string, oid: string): string {
  return `${LOGIN_HINT_PREFIX}${Buffer.from(`${tenantId}|${oid}`).toString("base64url")}`;
}

/** The object id a `login_hint` claim value names in this tenant, if it is one. */
export function oidFromLoginHint(tenantId: string, hint: string): string | undefined {
  if (!hint.startsWith(LOGIN_HINT_PREFIX)) return undefined;
  const [tid, oid] = Buffer.from(hint.slice(LOGIN_HINT_PREFIX.length), "base64url").toString("utf8").split("|");
  return tid === tenantId && oid ? oid : undefined;
}

/** Unix seconds (token time) of the most recent interactive verification of any factor. */
export function lastAuthTime(emu: Emulator, auth: AuthSnapshot): number | undefined {
  const times = [auth.passwordAt, auth.totpAt, auth.smsAt, auth.passkeyAt].filter((t): t is number => t !== undefined);
  return times.length ? emu.store.toTokenSeconds(Math.max(...times)) : undefined;
}

/** Signs a JWT with the current key and Entra's header (`typ`, `alg`, `kid`). */
export async function signJwt(emu: Emulator, payload: JWTPayload): Promise<string> {
  const { kid, key } = await emu.keys.current();
  return new SignJWT(payload).setProtectedHeader({ typ: "JWT", alg: "RS256", kid }).sign(key);
}

function opaque(prefix: string): string {
  return `${prefix}.${randomId(24)}`;
}

/** Inputs for one token issuance. */
export interface IssueInput {
  client: ClientApp;
  user: DirectoryUser;
  sessionId: string;
  /** Public session id for the `sid` claim. */
  sid: string;
  auth: AuthSnapshot;
  scopes: ResolvedScopes;
  claims: ClaimsRequest;
  nonce?: string;
  /** Refresh-token family (new one for a code redemption, inherited on refresh). */
  familyId: string;
  /** The grant that led here, for the Conditional Access records. */
  grant: "authorization_code" | "refresh_token";
  correlationId?: string;
  /** Risk levels Conditional Access sees for this issuance (absent: none). */
  risk?: RiskFacts;
  /** Sign-in risk the new refresh token carries on to later non-interactive sign-ins. */
  signInRisk?: CarriedSignInRisk;
  /** Pre-assigned access-token `uti` (the interactive sign-in's log entry already names it). */
  uti?: string;
  /** The token request sent `client_info=1`. */
  clientInfo?: boolean;
  /**
   * Expiry of the refresh token being redeemed. An SPA's new refresh token keeps it (Entra: "carry
   * over that expiration time"); other clients get a full lifetime again.
   */
  previousRefreshExpiresAt?: number;
}

/** The v2.0 token endpoint's success body. */
export interface TokenResponse {
  token_type: "Bearer";
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info?: string;
}

/**
 * Client capabilities Entra knows and so echoes in `xms_cc`: `cp1` (the client handles claims
 * challenges). Anything else a client declares is dropped. The token carries the documented
 * lower-case value whatever the client's spelling (MSAL's configuration says `CP1`).
 *
 * @see https://learn.microsoft.com/entra/identity-platform/optional-claims-reference
 */
const KNOWN_CLIENT_CAPABILITIES = new Set(["cp1"]);

/**
 * Builds v2.0 access-token claims. `acrs` lists only contexts met by this sign-in: requested ones
 * that `evaluate` says are satisfied, plus opportunistic ones when the resource opted in.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
 */
export function accessTokenClaims(emu: Emulator, input: Omit<IssueInput, "familyId" | "nonce" | "grant" | "signInRisk">): JWTPayload {
  const now = emu.store.now();
  const iat = emu.store.toTokenSeconds(now);
  const { api } = emu.apps;
  const isApi = input.scopes.audience === api.appId;
  const optional = isApi ? api.accessTokenOptionalClaims : [];
  const requested = input.claims.accessToken.acrs?.values ?? [];
  const opportunistic = isApi && api.opportunisticAcrs && optional.includes("acrs") ? intervalContexts(emu.policy) : [];
  const acrs = evaluate(emu.policy, [...requested, ...opportunistic], { user: input.user, auth: input.auth, now, ...(input.risk ? { risk: input.risk } : {}) }).satisfied;
  const authTime = lastAuthTime(emu, input.auth);
  const roles = (input.user.roles ?? []).filter((r) => !isApi || api.appRoles.includes(r));
  const capabilities = [...new Set(input.claims.accessToken.xmsCc.map((c) => c.toLowerCase()))].filter((c) => KNOWN_CLIENT_CAPABILITIES.has(c));
  // Microsoft Graph's tokens are v1.0 (OIDC-only scopes make Graph the audience): the v1.0 issuer
  // and `appid`/`appidacr` in place of `azp`/`azpacr`. Clients never read them; Graph checks them.
  const graph = input.scopes.audience === GRAPH_APP_ID;
  const clientAuth = input.client.platform === "spa" ? "0" : "1";
  return {
    aud: input.scopes.audience,
    iss: graph ? v1Issuer(emu.tenantId) : emu.issuer,
    iat,
    nbf: iat,
    exp: iat + TOKEN_LIFETIME_SECONDS,
    ...(acrs.length ? { acrs } : {}),
    aio: opaque("E2RgYGh"),
    ...(authTime !== undefined && (optional.includes("auth_time") || input.claims.accessToken.authTime) ? { auth_time: authTime } : {}),
    ...(graph ? { appid: input.client.clientId, appidacr: clientAuth } : { azp: input.client.clientId, azpacr: clientAuth }),
    name: input.user.displayName,
    oid: input.user.oid,
    preferred_username: input.user.userPrincipalName,
    rh: opaque("1.AUEA"),
    ...(roles.length ? { roles } : {}),
    scp: input.scopes.scp.join(" "),
    sid: input.sid,
    sub: pairwiseSub(emu.tenantId, input.user.oid, input.scopes.audience),
    tid: emu.tenantId,
    uti: input.uti ?? randomId(16),
    ver: graph ? "1.0" : "2.0",
    ...(isApi && optional.includes("xms_cc") && capabilities.length ? { xms_cc: capabilities } : {}),
  };
}

/**
 * Builds v2.0 ID-token claims; `acrs`/`auth_time` appear when the client asked through
 * `claims.id_token` (or the client configured them as optional claims).
 *
 * @see https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference
 */
export function idTokenClaims(emu: Emulator, input: Omit<IssueInput, "familyId" | "grant" | "signInRisk" | "uti">): JWTPayload {
  const now = emu.store.now();
  const iat = emu.store.toTokenSeconds(now);
  const optional = input.client.idTokenOptionalClaims;
  const acrsRequest = input.claims.idToken.acrs;
  // With the `acrs` optional claim configured and no explicit request, contexts with an interval
  // sign-in frequency are added opportunistically when the session satisfies them (https://learn.microsoft.com/entra/identity-platform/developer-guide-conditional-access-authentication-context).
  const acrsCandidates = acrsRequest ? acrsRequest.values : optional.includes("acrs") ? intervalContexts(emu.policy) : [];
  const acrs = evaluate(emu.policy, acrsCandidates, { user: input.user, auth: input.auth, now, ...(input.risk ? { risk: input.risk } : {}) }).satisfied;
  const authTime = lastAuthTime(emu, input.auth);
  const wantsAuthTime = input.claims.idToken.authTime || optional.includes("auth_time");
  return {
    aud: input.client.clientId,
    iss: emu.issuer,
    iat,
    nbf: iat,
    exp: iat + TOKEN_LIFETIME_SECONDS,
    // Entra leaves `acrs` out when no context was met; it never sends an empty array.
    ...(acrs.length ? { acrs } : {}),
    aio: opaque("AWQAm"),
    ...(wantsAuthTime && authTime !== undefined ? { auth_time: authTime } : {}),
    ...(input.scopes.oidc.has("email") ? { email: input.user.userPrincipalName } : {}),
    ...(optional.includes("login_hint") ? { login_hint: loginHintClaim(emu.tenantId, input.user.oid) } : {}),
    name: input.user.displayName,
    ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    oid: input.user.oid,
    preferred_username: input.user.userPrincipalName,
    rh: opaque("1.AUEA"),
    ...(input.user.roles?.length ? { roles: input.user.roles } : {}),
    sid: input.sid,
    sub: pairwiseSub(emu.tenantId, input.user.oid, input.client.clientId),
    tid: emu.tenantId,
    uti: randomId(16),
    ver: "2.0",
  };
}

/**
 * Records what Conditional Access let through at this issuance: requested contexts no enforced
 * policy targets (issued anyway) and report-only policies' would-be results. Kept beside the sign-in
 * logs (signin-log.ts) because the portal's tests read them.
 */
function recordIssuance(emu: Emulator, input: IssueInput): void {
  const requested = [...(input.claims.accessToken.acrs?.values ?? []), ...(input.claims.idToken.acrs?.values ?? [])];
  const evaluation = evaluate(emu.policy, requested, { user: input.user, auth: input.auth, now: emu.store.now(), ...(input.risk ? { risk: input.risk } : {}) });
  const { state } = emu.store;
  const base = {
    at: emu.store.now(),
    oid: input.user.oid,
    clientId: input.client.clientId,
    grant: input.grant,
    policySet: emu.policy.name,
    ...(input.correlationId ? { correlationId: input.correlationId } : {}),
  };
  if (evaluation.unenforced.length) {
    state.unenforced.push({ ...base, contexts: evaluation.unenforced });
    emu.log("unenforced_context_issued", { oid: input.user.oid, contexts: evaluation.unenforced, policySet: emu.policy.name, correlationId: input.correlationId });
  }
  for (const p of evaluation.policies) {
    if (p.result === "reportOnlySuccess" || p.result === "reportOnlyFailure") {
      state.reportOnly.push({ ...base, policyId: p.id, displayName: p.displayName, result: p.result, contexts: p.contexts });
    }
  }
  state.unenforced.splice(0, Math.max(0, state.unenforced.length - MAX_CA_RECORDS));
  state.reportOnly.splice(0, Math.max(0, state.reportOnly.length - MAX_CA_RECORDS));
}

/** Mints the token response and records the refresh token (by hash) in the state store. */
export async function issueTokens(emu: Emulator, input: IssueInput): Promise<{ body: TokenResponse; access: JWTPayload }> {
  recordIssuance(emu, input);
  const access = accessTokenClaims(emu, input);
  const body: TokenResponse = {
    token_type: "Bearer",
    scope: input.scopes.responseScope,
    expires_in: TOKEN_LIFETIME_SECONDS,
    ext_expires_in: TOKEN_LIFETIME_SECONDS,
    access_token: await signJwt(emu, access),
    ...(input.clientInfo ? { client_info: clientInfo(input.user.oid, emu.tenantId) } : {}),
  };
  if (input.scopes.oidc.has("openid")) body.id_token = await signJwt(emu, idTokenClaims(emu, input));
  if (input.scopes.oidc.has("offline_access")) {
    const refreshToken = `1.${randomId(48)}`;
    const now = emu.store.now();
    emu.store.state.refreshTokens[secretKey(refreshToken)] = {
      familyId: input.familyId,
      clientId: input.client.clientId,
      oid: input.user.oid,
      sessionId: input.sessionId,
      sid: input.sid,
      scope: input.scopes.responseScope,
      auth: { ...input.auth },
      issuedAt: now,
      expiresAt:
        input.client.platform === "spa" && input.previousRefreshExpiresAt !== undefined
          ? input.previousRefreshExpiresAt
          : now + REFRESH_LIFETIME_MS[input.client.platform],
      ...(input.signInRisk ? { signInRisk: input.signInRisk } : {}),
    };
    body.refresh_token = refreshToken;
  }
  emu.store.save();
  return { body, access };
}

/** The client-credentials success body (no refresh or ID token). */
export interface AppTokenResponse {
  token_type: "Bearer";
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
}

/**
 * The v1.0 issuer, `https://sts.windows.net/{tid}/`: Entra's `iss` for every token in the v1.0
 * format, which is the format of all Microsoft Graph tokens (Graph's registration leaves
 * `requestedAccessTokenVersion` unset). Only the emulator's Graph endpoint checks it.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
 */
export function v1Issuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

/**
 * Mints an app-only access token (client credentials) in the format the resource's registration
 * asks for. For Microsoft Graph (`scope=https://graph.microsoft.com/.default`) that is v1.0, as
 * Entra issues it: `aud` "https://graph.microsoft.com", `iss`/`idp` the v1.0 issuer, `appid` and
 * `appidacr` (not `azp`/`azpacr`), `ver` "1.0", `idtyp` "app", the app's consented application
 * permissions in `roles`, `oid`/`sub` = its service principal. For the portal's API
 * (`requestedAccessTokenVersion: 2`) it is v2.0 with `aud` = the API's app id.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * @see https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
 */
export async function issueAppToken(
  emu: Emulator,
  client: ClientApp,
  resource: { appId: string; audience: string } = { appId: GRAPH_APP_ID, audience: GRAPH_RESOURCE },
): Promise<{ body: AppTokenResponse; access: JWTPayload }> {
  const iat = emu.store.toTokenSeconds(emu.store.now());
  // Only the roles granted on this resource; none is still a token (Entra issues it without `roles`).
  const roles = client.applicationPermissions.filter((p) => p.resourceAppId === resource.appId).flatMap((p) => p.roles);
  const servicePrincipal = client.servicePrincipalId ?? client.clientId;
  const v1 = resource.appId === GRAPH_APP_ID;
  const access: JWTPayload = {
    aud: resource.audience,
    iss: v1 ? v1Issuer(emu.tenantId) : emu.issuer,
    iat,
    nbf: iat,
    exp: iat + TOKEN_LIFETIME_SECONDS,
    aio: opaque("E2RgYGh"),
    app_displayname: client.displayName,
    // "1": the client authenticated with a secret (v1 `appidacr`, v2 `azpacr`).
    ...(v1 ? { appid: client.clientId, appidacr: "1", idp: v1Issuer(emu.tenantId) } : { azp: client.clientId, azpacr: "1" }),
    idtyp: "app",
    oid: servicePrincipal,
    rh: opaque("1.AUEA"),
    ...(roles.length ? { roles } : {}),
    sub: servicePrincipal,
    tid: emu.tenantId,
    uti: randomId(16),
    ver: v1 ? "1.0" : "2.0",
  };
  const body: AppTokenResponse = { token_type: "Bearer", expires_in: TOKEN_LIFETIME_SECONDS, ext_expires_in: TOKEN_LIFETIME_SECONDS, access_token: await signJwt(emu, access) };
  return { body, access };
}
