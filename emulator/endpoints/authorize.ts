/**
 * `GET|POST /{tenant}/oauth2/v2.0/authorize`: checks the request and opens the sign-in
 * transaction; the pages that follow are in login/ (one file per step, `continueFlow` deciding
 * which comes next).
 */
import { randomUUID } from "node:crypto";
import { isRegisteredRedirectUri } from "../apps.js";
import { essentialContexts, parseClaims } from "../claims.js";
import { TX_TTL_MS, type AuthorizeTx, type Emulator, type ResponseMode } from "../context.js";
import { AadError, errors } from "../errors.js";
import { clientRequestIdOf, type RequestContext } from "../http.js";
import { resolveScopes } from "../scopes.js";
import { secretKey, type SsoSession } from "../state.js";
import { oidFromLoginHint, randomId } from "../tokens.js";
import { continueFlow } from "./login/flow.js";
import { SESSION_COOKIE, sendErrorPage, sendErrorToClient } from "./respond.js";

const RESPONSE_MODES: readonly ResponseMode[] = ["query", "fragment", "form_post"];

function stringParams(input: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) if (typeof v === "string") out[k] = v;
  return out;
}

/** The SSO session named by the cookie, if it still exists and its user does. */
export function currentSession(emu: Emulator, ctx: RequestContext): SsoSession | undefined {
  const id = ctx.cookies()[SESSION_COOKIE];
  const session = id ? emu.store.state.sessions[secretKey(id)] : undefined;
  return session && emu.store.user(session.oid) ? session : undefined;
}

/**
 * `GET|POST /{tenant}/oauth2/v2.0/authorize`: validates the client and redirect URI first (errors
 * there cannot be sent back), then everything else goes back to the redirect URI.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow
 */
export async function authorize(emu: Emulator, ctx: RequestContext): Promise<void> {
  const params = ctx.req.method === "POST" ? stringParams(await ctx.body()) : ctx.query();
  // Always one id per request, so the error the client sees and the sign-in log entry match.
  const correlationId = clientRequestIdOf(ctx, params) ?? randomUUID();
  const clientId = params.client_id ?? "";
  const client = emu.apps.clients.get(clientId);
  if (!client) return sendErrorPage(emu, ctx, errors.unknownClient(clientId), correlationId);
  // Without redirect_uri, an app with exactly one registered redirect URI is answered there
  // (RFC 6749 §3.1.2.3); with several, the request cannot say where to go (README, "redirect_uri").
  const [onlyRedirectUri, ...otherRedirectUris] = client.redirectUris;
  if (params.redirect_uri === undefined && (onlyRedirectUri === undefined || otherRedirectUris.length > 0)) {
    return sendErrorPage(emu, ctx, errors.invalidRequest(900144, "The request body must contain the following parameter: 'redirect_uri'."), correlationId);
  }
  const redirectUri = params.redirect_uri ?? onlyRedirectUri ?? "";
  if (!isRegisteredRedirectUri(client, redirectUri)) return sendErrorPage(emu, ctx, errors.redirectMismatch(redirectUri, clientId), correlationId);

  const mode = (params.response_mode ?? "query") as ResponseMode;
  const target = {
    redirectUri,
    ...(params.redirect_uri === undefined ? { redirectUriDefaulted: true } : {}),
    responseMode: RESPONSE_MODES.includes(mode) ? mode : "query",
    ...(params.state !== undefined ? { state: params.state } : {}),
    correlationId,
  } as const;
  const fail = (err: AadError) => sendErrorToClient(emu, ctx, target, err);

  if (!RESPONSE_MODES.includes(mode)) return fail(errors.invalidRequest(900144, `The response_mode '${mode}' is not supported.`));
  if (params.response_type !== "code") {
    return fail(new AadError("unsupported_response_type", 700054, `response_type '${params.response_type ?? ""}' is not enabled for the application.`));
  }
  if (params.amr_values !== undefined) return fail(errors.invalidRequest(901002, "The 'amr_values' request parameter isn't supported."));
  let scopes;
  let claims;
  try {
    scopes = resolveScopes(emu.apps, params.scope);
    claims = parseClaims(params.claims);
  } catch (err) {
    if (err instanceof AadError) return fail(err);
    throw err;
  }
  const challenge = params.code_challenge;
  if (client.platform === "spa" && !challenge) {
    return fail(errors.invalidRequest(9002325, "Proof Key for Code Exchange is required for cross-origin authorization code redemption."));
  }
  if (challenge !== undefined && (params.code_challenge_method !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(challenge))) {
    return fail(errors.invalidRequest(501491, "Invalid code_challenge or code_challenge_method: only S256 is accepted."));
  }
  let maxAgeSeconds: number | undefined;
  if (params.max_age !== undefined) {
    maxAgeSeconds = Number(params.max_age);
    if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 0) return fail(errors.invalidRequest(50133, "max_age must be a non-negative integer."));
  }
  // A login_hint claim value stands for its user's name (the pages show the name, never the value).
  const hintedOid = params.login_hint ? oidFromLoginHint(emu.tenantId, params.login_hint) : undefined;
  const loginHint = hintedOid ? emu.store.user(hintedOid)?.userPrincipalName : params.login_hint;
  const now = emu.store.now();
  const tx: AuthorizeTx = {
    ...target,
    id: randomId(24),
    csrf: randomId(24),
    createdAt: now,
    clientId,
    ...(params.nonce !== undefined ? { nonce: params.nonce } : {}),
    scope: params.scope ?? "",
    scopes,
    ...(challenge !== undefined ? { codeChallenge: challenge } : {}),
    ...(params.prompt !== undefined ? { prompt: params.prompt } : {}),
    ...(loginHint ? { loginHint } : {}),
    ...(maxAgeSeconds !== undefined ? { maxAgeSeconds } : {}),
    ...(params.claims ? { rawClaims: params.claims } : {}),
    ...(params.client_info === "1" ? { clientInfo: true } : {}),
    claims,
    passwordInTx: false,
    steps: [],
  };
  for (const [id, old] of emu.pending) if (now - old.createdAt > TX_TTL_MS) emu.pending.delete(id);
  emu.pending.set(tx.id, tx);
  emu.log("authorize", { clientId, prompt: tx.prompt, essential: essentialContexts(claims), correlationId });
  await continueFlow(emu, ctx, tx, currentSession(emu, ctx));
}
