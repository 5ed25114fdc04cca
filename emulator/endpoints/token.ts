import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { GRAPH_APP_ID, GRAPH_RESOURCE, resourceOf, type ClientApp } from "../apps.js";
import { essentialContexts, parseClaims, type ClaimsRequest } from "../claims.js";
import type { Emulator } from "../context.js";
import { AadError, aadErrorBody, atTokenEndpoint, errors } from "../errors.js";
import { silentMfaRefusal } from "./login/methods.js";
import { clientRequestIdOf, sendJson, str, type RequestContext } from "../http.js";
import { evaluate, type Evaluation, type RiskFacts } from "../policy.js";
import { clientNetwork, effectiveUserRisk } from "../risk.js";
import { resolveScopes, type ResolvedScopes } from "../scopes.js";
import { recordSignIn } from "../signin-log.js";
import { secretKey, type CarriedSignInRisk } from "../state.js";
import type { AuthSnapshot, AuthStep } from "../types.js";
import { AUTHORIZATION_CODE_SHAPE, issueAppToken, issueTokens } from "../tokens.js";

function safeEqual(a: string, b: string): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y);
}

/**
 * CORS for endpoints browsers call directly: echo a registered SPA origin (Entra echoes the
 * caller's origin on its v2.0 endpoints; unregistered origins get no grant here).
 */
export function corsHeaders(emu: Emulator, ctx: RequestContext, fallbackAny = false): Record<string, string> {
  const origin = ctx.req.headers.origin;
  if (origin && emu.apps.spaOrigins.has(origin)) {
    return { "Access-Control-Allow-Origin": origin, Vary: "Origin", "Access-Control-Expose-Headers": "client-request-id, x-ms-request-id" };
  }
  return fallbackAny ? { "Access-Control-Allow-Origin": "*" } : {};
}

/** Answers a CORS preflight for the token and metadata endpoints. */
export function preflight(emu: Emulator, ctx: RequestContext): void {
  ctx.res.writeHead(204, {
    ...corsHeaders(emu, ctx),
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": String(ctx.req.headers["access-control-request-headers"] ?? "content-type").slice(0, 1024),
    "Access-Control-Max-Age": "86400",
  });
  ctx.res.end();
}

function clientCredentials(ctx: RequestContext, body: Record<string, unknown>): { clientId?: string; secret?: string } {
  const header = ctx.req.headers.authorization;
  if (header?.startsWith("Basic ")) {
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const i = decoded.indexOf(":");
    if (i > 0) {
      try {
        // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
        const id = decodeURIComponent(decoded.slice(0, i).replace(/\+/g, " "));
        const secret = decodeURIComponent(decoded.slice(i + 1).replace(/\+/g, " "));
        return { clientId: id, secret };
      } catch {
        return {};
      }
    }
    return {};
  }
  const clientId = str(body, "client_id");
  const secret = str(body, "client_secret");
  return { ...(clientId !== undefined ? { clientId } : {}), ...(secret !== undefined ? { secret } : {}) };
}

function authenticateClient(emu: Emulator, ctx: RequestContext, body: Record<string, unknown>): ClientApp {
  const { clientId, secret } = clientCredentials(ctx, body);
  if (!clientId) throw errors.invalidRequest(900144, "The request body must contain the following parameter: 'client_id'.");
  const client = emu.apps.clients.get(clientId);
  if (!client) throw errors.unknownClient(clientId);
  const origin = ctx.req.headers.origin;
  // https://learn.microsoft.com/entra/identity-platform/reference-error-codes (9002326, 9002327)
  if (client.platform === "spa" && !origin) {
    throw errors.invalidRequest(9002327, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.");
  }
  if (client.platform === "web") {
    if (origin) {
      throw errors.invalidRequest(9002326, `Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '${origin}'.`);
    }
    if (secret === undefined) {
      throw new AadError("invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    if (!client.secret || !safeEqual(secret, client.secret)) {
      throw new AadError("invalid_client", 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`);
    }
  }
  return client;
}

function mergeClaims(a: ClaimsRequest, b: ClaimsRequest): ClaimsRequest {
  const merge = (x: ClaimsRequest["idToken"], y: ClaimsRequest["idToken"]) => ({
    authTime: x.authTime || y.authTime,
    xmsCc: [...new Set([...x.xmsCc, ...y.xmsCc])],
    ...(x.acrs || y.acrs
      ? { acrs: { essential: Boolean(x.acrs?.essential || y.acrs?.essential), values: [...new Set([...(x.acrs?.values ?? []), ...(y.acrs?.values ?? [])])] } }
      : {}),
  });
  return { idToken: merge(a.idToken, b.idToken), accessToken: merge(a.accessToken, b.accessToken) };
}

/** Conditional Access sees inherited sign-in risk only while it is still at risk. */
function riskFacts(emu: Emulator, oid: string, carried: CarriedSignInRisk | undefined): RiskFacts {
  return { signIn: carried?.state === "atRisk" ? carried.level : "none", user: effectiveUserRisk(emu, oid) };
}

/**
 * Client credentials, for confidential clients, for Microsoft Graph
 * (`scope=https://graph.microsoft.com/.default`) or the portal's API (`<app ID URI>/.default`);
 * the token's roles are the app's consented application permissions on that resource (none is
 * still a token, without `roles`, as in Entra). The API's token is v2.0 with `aud` = its app id.
 */
async function clientCredentialsGrant(emu: Emulator, client: ClientApp, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (client.platform !== "web") {
    throw new AadError("invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  const scope = (str(body, "scope") ?? "").trim();
  if (!scope.endsWith("/.default") || /\s/.test(scope)) {
    throw new AadError(
      "invalid_scope",
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  const resource = scope.slice(0, -"/.default".length);
  const api = emu.apps.api;
  const target =
    resource === GRAPH_RESOURCE || resource === GRAPH_APP_ID
      ? { appId: GRAPH_APP_ID, audience: GRAPH_RESOURCE }
      : resource === api.identifierUri || resource === api.appId
        ? { appId: api.appId, audience: api.appId }
        : null;
  if (!target) {
    throw new AadError("invalid_resource", 500011, `The resource principal named ${resource} was not found in the tenant named Woodgrove.`);
  }
  const { body: out, access } = await issueAppToken(emu, client, target);
  emu.log("token_issued", { grant: "client_credentials", clientId: client.clientId, roles: access.roles ?? [] });
  return out as unknown as Record<string, unknown>;
}

/** Resolves scopes for logging only: an invalid scope is reported by the grant itself. */
function safeScopes(emu: Emulator, scope: string): ResolvedScopes | undefined {
  try {
    return resolveScopes(emu.apps, scope);
  } catch {
    return undefined;
  }
}

function revokeFamily(emu: Emulator, familyId: string): void {
  if (!emu.store.state.revokedFamilies.includes(familyId)) emu.store.state.revokedFamilies.push(familyId);
  for (const [k, rt] of Object.entries(emu.store.state.refreshTokens)) if (rt.familyId === familyId) delete emu.store.state.refreshTokens[k];
}

/**
 * `POST /{tenant}/oauth2/v2.0/token`: authorization_code (PKCE, one-time) and refresh_token
 * (a new refresh token each time, the old one still valid, claims re-evaluated).
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token
 */
export async function token(emu: Emulator, ctx: RequestContext): Promise<void> {
  const cors = corsHeaders(emu, ctx);
  // One id per request: the error body, the sign-in log entry and the response headers carry the
  // same one. Read again once the body is parsed (a client may send it there).
  let clientRequestId = clientRequestIdOf(ctx);
  let correlationId = clientRequestId ?? randomUUID();
  // Entra answers with its own request id (`x-ms-request-id`, the `trace_id` of an error) and
  // echoes the caller's `client-request-id`; MSAL reads both (CORS exposes them, see corsHeaders).
  const headers = (requestId: string) => ({ ...cors, "x-ms-request-id": requestId, ...(clientRequestId ? { "client-request-id": clientRequestId } : {}) });
  const respond = (out: unknown) => sendJson(ctx.res, 200, out, headers(randomUUID()));
  const respondError = (err: AadError) => {
    emu.log("token_error", { code: err.code, error: err.error, correlationId });
    const out = aadErrorBody(err, emu.origin, correlationId, new Date());
    sendJson(ctx.res, err.status, out, headers(out.trace_id));
  };
  try {
    const body = await ctx.body();
    clientRequestId = clientRequestIdOf(ctx, body);
    correlationId = clientRequestId ?? correlationId;
    const client = authenticateClient(emu, ctx, body);
    const requestClaims = parseClaims(str(body, "claims"));
    const grant = str(body, "grant_type");
    const wantsClientInfo = str(body, "client_info") === "1";
    const now = emu.store.now();
    const state = emu.store.state;

    if (grant === "authorization_code") {
      const code = str(body, "code") ?? "";
      const key = secretKey(code);
      const record = state.codes[key];
      // Entra's codes are encrypted: one it cannot read is malformed (9002313); one it can read but
      // no longer honours has expired (70008). Here, the shape of an issued code stands for that.
      if (!record && !AUTHORIZATION_CODE_SHAPE.test(code)) throw errors.invalidGrant(9002313, "Invalid request. Request is malformed or invalid.");
      if (!record || record.expiresAt < now) {
        throw errors.invalidGrant(70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.");
      }
      if (record.redeemed) {
        // RFC 6749 §4.1.2: a replayed code revokes what it produced.
        revokeFamily(emu, record.familyId);
        emu.store.save();
        throw errors.invalidGrant(54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.");
      }
      if (record.clientId !== client.clientId) throw errors.invalidGrant(70000, "The provided authorization code was issued to a different client.");
      const sentRedirectUri = str(body, "redirect_uri");
      if (record.redirectUriDefaulted ? sentRedirectUri !== undefined && sentRedirectUri !== record.redirectUri : sentRedirectUri !== record.redirectUri) {
        throw errors.invalidGrant(70000, "The provided value for the input parameter 'redirect_uri' is not valid. It does not match the redirect URI used to request the authorization code.");
      }
      const verifier = str(body, "code_verifier");
      if (record.codeChallenge !== undefined || verifier !== undefined) {
        const computed = verifier !== undefined ? createHash("sha256").update(verifier).digest("base64url") : "";
        if (record.codeChallenge === undefined || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier ?? "") || computed !== record.codeChallenge) {
          throw errors.invalidGrant(501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.");
        }
      }
      record.redeemed = true;
      emu.store.save();
      const user = emu.store.user(record.oid);
      if (!user) throw errors.invalidGrant(50173, "The provided grant has expired due to it being revoked.");
      const claims = mergeClaims(parseClaims(record.claims), requestClaims);
      // OIDC Core 3.1.2.1: with max_age, auth_time is a required ID-token claim.
      if (record.maxAgeRequested) claims.idToken.authTime = true;
      // The code's redemption is part of the interactive sign-in already logged at authorize.
      const { body: out, access } = await issueTokens(emu, {
        client,
        user,
        sessionId: record.sessionId,
        sid: record.sid,
        auth: record.auth,
        scopes: resolveScopes(emu.apps, record.scope),
        claims,
        ...(record.nonce !== undefined ? { nonce: record.nonce } : {}),
        familyId: record.familyId,
        grant,
        correlationId: record.correlationId ?? correlationId,
        risk: riskFacts(emu, user.oid, record.signInRisk),
        ...(record.signInRisk ? { signInRisk: record.signInRisk } : {}),
        ...(record.uti ? { uti: record.uti } : {}),
        clientInfo: wantsClientInfo,
      });
      emu.log("token_issued", { grant, clientId: client.clientId, oid: user.oid, acrs: access.acrs ?? [], correlationId });
      return respond(out);
    }

    if (grant === "client_credentials") return respond(await clientCredentialsGrant(emu, client, body));

    if (grant === "refresh_token") {
      const presented = str(body, "refresh_token") ?? "";
      const key = secretKey(presented);
      const record = state.refreshTokens[key];
      if (!record || record.expiresAt < now || state.revokedFamilies.includes(record.familyId)) {
        throw errors.invalidGrant(70000, "The provided value for the 'refresh_token' is not valid.");
      }
      if (record.clientId !== client.clientId) throw errors.invalidGrant(70000, "The refresh token was issued to a different client.");
      const user = emu.store.user(record.oid);
      const session = state.sessions[record.sessionId];
      // A step-up done in another window strengthens the browser session; Entra's refresh
      // grant sees it. Without a session (signed out) the refresh token's own state counts.
      const auth: AuthSnapshot = { ...record.auth, ...(session?.oid === record.oid ? session.auth : {}) };
      const essential = essentialContexts(requestClaims);
      const risk = riskFacts(emu, record.oid, record.signInRisk);
      const requestedScope = str(body, "scope");
      const scope = requestedScope ? (/\boffline_access\b/.test(requestedScope) ? requestedScope : `${requestedScope} offline_access`) : record.scope;
      // Every redemption of a known user's refresh token is a non-interactive sign-in in the log.
      const logRefresh = (outcome: { error?: AadError; evaluation?: Evaluation; uti?: string }) => {
        if (!user) return;
        const { ip, location } = clientNetwork(emu, ctx, user.oid);
        const userAgent = ctx.req.headers["user-agent"]?.slice(0, 512);
        const satisfied = new Set(outcome.evaluation?.satisfied ?? []);
        const mfaAt = [auth.totpAt, auth.smsAt, auth.passkeyAt].filter((t): t is number => t !== undefined);
        const mfaRequired = (outcome.evaluation?.policies ?? []).some((p) => (p.result === "success" || p.result === "failure") && p.enforcedGrantControls.some((c) => c === "Mfa" || c === "RequireAuthenticationStrength"));
        const steps: AuthStep[] = [{ method: "previous", requirement: "primary", succeeded: true, at: auth.passwordAt ?? record.issuedAt }];
        if (!outcome.error && mfaRequired && mfaAt.length) steps.push({ method: "previous", requirement: "mfa", succeeded: true, at: Math.max(...mfaAt) });
        recordSignIn(emu, {
          at: emu.store.now(),
          user,
          client,
          resource: resourceOf(emu.apps, safeScopes(emu, scope)?.audience ?? GRAPH_APP_ID),
          interactive: false,
          correlationId,
          ip,
          ...(userAgent ? { userAgent } : {}),
          ...(location ? { location } : {}),
          ...(outcome.error ? { error: outcome.error } : {}),
          ...(outcome.evaluation ? { evaluation: outcome.evaluation } : {}),
          ...(!outcome.error && mfaRequired ? { additionalDetails: "MFA requirement satisfied by claim in the token" } : {}),
          contexts: essential.map((id) => ({ id, detail: satisfied.has(id) ? ("previouslySatisfied" as const) : ("required" as const) })),
          steps,
          risk: {
            level: record.signInRisk?.level ?? "none",
            userLevel: risk.user,
            state: record.signInRisk?.state ?? "none",
            detail: record.signInRisk?.detail ?? "none",
            eventTypes: [],
          },
          ...(outcome.uti ? { uti: outcome.uti } : {}),
        });
      };
      const refuse: (err: AadError, evaluation?: Evaluation) => never = (err, evaluation) => {
        logRefresh({ error: err, ...(evaluation ? { evaluation } : {}) });
        throw err;
      };
      if (!user || user.accountEnabled === false) refuse(errors.invalidGrant(50173, "The provided grant has expired due to it being revoked."));
      if (user.blockedByConditionalAccess) refuse(errors.blockedByCa());
      const scopes = resolveScopes(emu.apps, scope);
      const evaluation = evaluate(emu.policy, essential, { user, auth, now, risk });
      if (evaluation.blocked) refuse(errors.blockedByCa(), evaluation);
      // Nothing here can satisfy a second factor: the client must go interactive (with the claims).
      if (evaluation.required.length > 0) refuse(atTokenEndpoint(silentMfaRefusal(user, evaluation, str(body, "claims"))), evaluation);
      if (evaluation.passwordChange) refuse(atTokenEndpoint(errors.passwordChangeRequired()), evaluation);
      // Entra does not revoke the redeemed refresh token: it stays usable until it expires.
      // https://learn.microsoft.com/entra/identity-platform/refresh-tokens#token-lifetime
      const { body: out, access } = await issueTokens(emu, {
        client,
        user,
        sessionId: record.sessionId,
        sid: record.sid,
        auth,
        scopes,
        claims: requestClaims,
        familyId: record.familyId,
        grant,
        correlationId,
        risk,
        ...(record.signInRisk ? { signInRisk: record.signInRisk } : {}),
        previousRefreshExpiresAt: record.expiresAt,
        clientInfo: wantsClientInfo,
      });
      logRefresh({ evaluation, uti: String(access.uti) });
      emu.log("token_issued", { grant, clientId: client.clientId, oid: user.oid, acrs: access.acrs ?? [], correlationId });
      return respond(out);
    }

    throw new AadError("unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grant ?? ""}'.`);
  } catch (err) {
    if (err instanceof AadError) return respondError(err);
    throw err;
  }
}
