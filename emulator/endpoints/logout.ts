import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import type { Emulator } from "../context.js";
import { isRegisteredRedirectUri } from "../apps.js";
import { clientRequestIdOf, redirect, str, type RequestContext } from "../http.js";
import { sendPage } from "../ui/html.js";
import { signedOutPage } from "../ui/pages.js";
import { currentSession } from "./authorize.js";
import { sessionCookie } from "./respond.js";

async function hintAudience(emu: Emulator, hint: string | undefined): Promise<string | undefined> {
  if (!hint) return undefined;
  try {
    const { kid } = decodeProtectedHeader(hint);
    const key = kid ? await emu.keys.publicKey(kid) : undefined;
    if (!key) return undefined;
    // An expired hint is fine (Entra accepts it); only our signature and issuer matter.
    await jwtVerify(hint, key, { issuer: emu.issuer, clockTolerance: 365 * 24 * 3600 });
    const aud = decodeJwt(hint).aud;
    return typeof aud === "string" ? aud : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `GET|POST /{tenant}/oauth2/v2.0/logout`: ends the emulator's SSO session and returns to
 * `post_logout_redirect_uri` only when it matches one of the redirect URIs registered for the
 * client named by `client_id` or the `id_token_hint`'s `aud` (Microsoft Learn: the URL "must match
 * one of the redirect URIs registered for your application"; there is no separate post-logout
 * list). Anything else gets the generic signed-out page. Refresh tokens stay valid, as with
 * Entra's front-channel sign-out. The caller's `client-request-id` (MSAL sends it on the logout
 * URL) is logged and echoed.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#send-a-sign-out-request
 */
export async function logout(emu: Emulator, ctx: RequestContext): Promise<void> {
  const params = ctx.req.method === "POST" ? await ctx.body() : ctx.query();
  const clientRequestId = clientRequestIdOf(ctx, params);
  const session = currentSession(emu, ctx);
  if (session) {
    delete emu.store.state.sessions[session.id];
    emu.store.save();
    emu.log("signed_out", { oid: session.oid, correlationId: clientRequestId });
  }
  const headers = { "Set-Cookie": sessionCookie(null), ...(clientRequestId ? { "client-request-id": clientRequestId } : {}) };
  const target = str(params, "post_logout_redirect_uri");
  const clientId = str(params, "client_id") ?? (await hintAudience(emu, str(params, "id_token_hint")));
  const client = clientId ? emu.apps.clients.get(clientId) : undefined;
  if (target && client && isRegisteredRedirectUri(client, target)) {
    const url = new URL(target);
    const state = str(params, "state");
    if (state !== undefined) url.searchParams.set("state", state);
    return redirect(ctx.res, url.toString(), headers);
  }
  sendPage(ctx.res, 200, signedOutPage(ctx.nonce), ctx.nonce, emu.apps.redirectOrigins, headers);
}
