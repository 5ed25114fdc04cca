import { randomUUID } from "node:crypto";
import type { AuthorizeTx, Emulator } from "../context.js";
import { AadError, aadTimestamp } from "../errors.js";
import type { RequestContext } from "../http.js";
import { redirect } from "../http.js";
import { sendPage } from "../ui/html.js";
import { errorPage, formPostPage } from "../ui/pages.js";

/** Name of the emulator's SSO cookie (Entra's is `ESTSAUTH`; a different name avoids confusion). */
export const SESSION_COOKIE = "estsemu";

/** `Set-Cookie` for the SSO session: SameSite=None so popups and iframes of the apps carry it. */
export function sessionCookie(id: string | null): string {
  return id === null
    ? `${SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=0`
    : `${SESSION_COOKIE}=${id}; Path=/; Secure; HttpOnly; SameSite=None`;
}

/**
 * Origins a sign-in page's forms (and the redirects after them) may reach: the registered apps'
 * and this request's redirect URI's, which for a loopback URI may be on another port.
 */
export function formTargets(emu: Emulator, tx: Pick<AuthorizeTx, "redirectUri">): Set<string> {
  return new Set([...emu.apps.redirectOrigins, new URL(tx.redirectUri).origin]);
}

/** Sends the authorize response (code or error) the way the client asked: query, fragment or form_post. */
export function sendToClient(
  emu: Emulator,
  ctx: RequestContext,
  tx: Pick<AuthorizeTx, "redirectUri" | "responseMode" | "state">,
  params: Record<string, string>,
  headers: Record<string, string | string[]> = {},
): void {
  const all = { ...params, ...(tx.state !== undefined ? { state: tx.state } : {}) };
  if (tx.responseMode === "form_post") {
    sendPage(ctx.res, 200, formPostPage(ctx.nonce, tx.redirectUri, all), ctx.nonce, formTargets(emu, tx), headers);
    return;
  }
  const search = new URLSearchParams(all).toString();
  const target =
    tx.responseMode === "fragment" ? `${tx.redirectUri}#${search}` : `${tx.redirectUri}${tx.redirectUri.includes("?") ? "&" : "?"}${search}`;
  redirect(ctx.res, target, headers);
}

/**
 * Returns an authorize error to the client's redirect URI, in Entra's parameter shape.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#error-response
 */
export function sendErrorToClient(
  emu: Emulator,
  ctx: RequestContext,
  tx: Pick<AuthorizeTx, "redirectUri" | "responseMode" | "state" | "correlationId">,
  err: AadError,
  headers: Record<string, string | string[]> = {},
): void {
  const traceId = randomUUID();
  const correlationId = tx.correlationId ?? randomUUID();
  emu.log("authorize_error", { code: err.code, error: err.error, correlationId });
  sendToClient(
    emu,
    ctx,
    tx,
    {
      error: err.error,
      error_description: `AADSTS${err.code}: ${err.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${aadTimestamp(new Date())}`,
      error_uri: `${emu.origin}/error?code=${err.code}`,
      ...(err.options.suberror ? { suberror: err.options.suberror } : {}),
      ...(err.options.subcode ? { error_subcode: err.options.subcode } : {}),
    },
    headers,
  );
}

/** Renders the error page for failures that cannot go back to a client (bad client, bad redirect URI, expired flow). */
export function sendErrorPage(emu: Emulator, ctx: RequestContext, err: AadError, correlationId?: string, status = 400): void {
  const traceId = randomUUID();
  const corr = correlationId ?? randomUUID();
  emu.log("error_page", { code: err.code, correlationId: corr });
  sendPage(
    ctx.res,
    status,
    errorPage(ctx.nonce, { code: err.code, message: err.description, correlationId: corr, traceId, timestamp: aadTimestamp(new Date()), backUrl: emu.portalOrigin }),
    ctx.nonce,
    emu.apps.redirectOrigins,
  );
}
