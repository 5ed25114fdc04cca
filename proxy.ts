import { NextResponse, type NextRequest } from "next/server";
import { sessionCookieFor } from "@/lib/auth/session-cookie";
import { resolveSessionToken, type ResolvedSessionToken } from "@/lib/auth/session-token";
import { createLogger } from "@/lib/log";
import { buildActionTable, checkActionRequest, isDecodablePath, type Refusal } from "@/lib/security/request-guard";

/**
 * Per-request security headers. Next.js puts the nonce on its own scripts when it finds it
 * in the request's Content-Security-Policy, so pages render dynamically (they do: they all
 * read the session).
 *
 * proxy.ts is not an authorization boundary (pages and actions check the session themselves): it
 * gives every response the baseline headers, and refuses what can be refused before any route
 * runs: writes that are not visibly from the portal's own pages, bodies declared too large,
 * malformed URLs, and server-action calls that no page at their path could serve.
 * SECURITY.md lists the controls and their tests.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  return withInstanceHeader(withTransportSecurity(await answerFor(request)));
}

/**
 * First the requests Next.js would answer with a bare 500 or a stack trace in the log
 * (lib/security/request-guard.ts); a POST that calls a server action, by header or as a form, is
 * looked into (its body read) only once it has passed the origin and size checks of `headersFor`.
 */
async function answerFor(request: NextRequest): Promise<NextResponse> {
  if (!isDecodablePath(request.nextUrl.pathname)) return refuse(request, { status: 400, reason: "malformed_url" });
  const response = await headersFor(request);
  if (response.headers.get("x-middleware-next") !== "1") return response;
  const refusal = await checkActionRequest(request, request.nextUrl.pathname, { table: buildActionTable(), maxBodyBytes: MAX_BODY_BYTES });
  return refusal ? refuse(request, refusal) : response;
}

const log = createLogger("proxy");

const REFUSAL_TEXT: Record<Refusal["status"], string> = { 400: "Bad request", 404: "Not found", 413: "Request body too large" };

/**
 * A refusal with one log line and the headers every page answer has (the static ones come from
 * next.config.ts): a strict CSP, since the answer is no document that needs scripts or styles.
 */
function refuse(request: NextRequest, { status, reason }: Refusal): NextResponse {
  log.warn("request.refused", { reason, status, method: request.method, path: request.nextUrl.pathname });
  return new NextResponse(REFUSAL_TEXT[status], {
    status,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Security-Policy": "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      "Cache-Control": "no-store",
    },
  });
}

async function headersFor(request: NextRequest): Promise<NextResponse> {
  if (isApiPath(request.nextUrl.pathname)) {
    // The JSON API authenticates with Bearer tokens only and never reads cookies (lib/api/bearer.ts):
    // no origin check (programmatic clients send no Origin, and without ambient credentials there
    // is no cross-site forgery to stop), no session cookie slid onto its responses, no page headers.
    const response = NextResponse.next();
    response.headers.set("Cache-Control", "no-store");
    return response;
  }
  if (!isSameOriginOrSafe(request)) {
    return new NextResponse("Cross-origin request refused", { status: 403, headers: { "Cache-Control": "no-store" } });
  }
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) {
    // Next.js enforces the server-action body limit by throwing, which answers 500; refuse a body
    // declared too large before that. (A chunked body without a length still meets Next's limit.)
    return new NextResponse("Request body too large", { status: 413, headers: { "Cache-Control": "no-store" } });
  }
  if (request.nextUrl.pathname === CSP_REPORT_PATH) {
    // Browsers send violation reports without credentials; the route reads nothing else.
    const response = NextResponse.next();
    response.headers.set("Cache-Control", "no-store");
    return response;
  }
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const csp = contentSecurityPolicy(nonce);
  // Before the request headers are copied: a previous session token is swapped for the current one here.
  const session = await sessionCookieOf(request);

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);

  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  // The Reporting API's endpoint for the policy's `report-to` (report-uri serves older browsers).
  response.headers.set("Reporting-Endpoints", `csp="${CSP_REPORT_PATH}"`);
  if (request.nextUrl.pathname === REDIRECT_BRIDGE_PATH) {
    // The step-up popup's landing page (it receives an authorization code, so it keeps the CSP):
    // no COOP, which would sever it from the portal window that must read its result.
    response.headers.set("Cache-Control", "no-store");
    return response;
  }
  renewSessionCookie(request, response, session);
  // MSAL's step-up popup must be able to report back to this window.
  response.headers.set("Cross-Origin-Opener-Policy", "same-origin-allow-popups");
  // Pages show account data; no shared or browser cache may keep them.
  response.headers.set("Cache-Control", "private, no-store");
  return response;
}

/**
 * Behind a load balancer, which instance answered: `x-portal-instance` carries
 * `PORTAL_INSTANCE_ID` when it is set (the multi-instance tests read it to prove that a step-up
 * started on one instance is honoured by another; operators use it to trace a request). It names
 * an instance the operator chose and says nothing about the user; unset, nothing is added.
 */
function withInstanceHeader(response: NextResponse): NextResponse {
  // eslint-disable-next-line no-restricted-properties
  const instance = process.env.PORTAL_INSTANCE_ID;
  if (instance) response.headers.set("x-portal-instance", instance);
  return response;
}

/** Auth.js's routes (app/api/auth/[...nextauth]): sign-in callbacks set the session cookie. */
const AUTH_ROUTES_PREFIX = "/api/auth/";

/** The JSON API for programmatic clients (app/api/v1). */
const API_PREFIX = "/api/v1/";

function isApiPath(pathname: string): boolean {
  return pathname.startsWith(API_PREFIX) || pathname === API_PREFIX.slice(0, -1);
}

/** The largest request body a page route or server action accepts; next.config.ts's serverActions.bodySizeLimit (64 kB). */
const MAX_BODY_BYTES = 64 * 1024;

/** Where browsers send Content-Security-Policy violation reports (app/api/csp-report/route.ts). */
const CSP_REPORT_PATH = "/api/csp-report";

/**
 * Paths that must accept a cross-site POST: the identity provider's `form_post` response to
 * Auth.js's callback (Auth.js checks `state` and PKCE there), and CSP violation reports, which
 * browsers send without an Origin the portal could check (the route changes nothing but a log).
 */
const CROSS_SITE_POST_PATHS = ["/api/auth/callback/", CSP_REPORT_PATH];

/**
 * Refuses state-changing requests that do not come from the portal's own pages. Next.js only
 * logs a warning when a server action arrives without an Origin header (and progressive-
 * enhancement form posts carry no Next-Action header to recognise them by), so every non-GET
 * request must carry the portal's Origin, or, where a browser sends none, `Sec-Fetch-Site:
 * same-origin`. A request with neither, or from another origin, is cross-site forgery as far
 * as the portal can tell.
 */
function isSameOriginOrSafe(request: NextRequest): boolean {
  if (request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS") return true;
  if (CROSS_SITE_POST_PATHS.some((prefix) => request.nextUrl.pathname.startsWith(prefix))) return true;
  // eslint-disable-next-line no-restricted-properties
  const portalUrl = process.env.AUTH_URL;
  const expected = portalUrl ? new URL(portalUrl).origin : request.nextUrl.origin;
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== "null") return origin === expected;
  return request.headers.get("sec-fetch-site") === "same-origin";
}

/** The request's session cookie and what it names (null: no cookie, or no portal URL configured). */
interface SessionCookie {
  name: string;
  options: ReturnType<typeof sessionCookieFor>["options"];
  /** The live session's current token, or null when the cookie names no live session. */
  resolved: ResolvedSessionToken | null;
}

/**
 * Resolves the session cookie against the database (lib/auth/session-token.ts). When it holds a
 * session's previous token (within the minute after a step-up rotated it), the request goes on
 * with the current token instead, so pages, actions and Auth.js only ever see current tokens.
 * A lookup that fails leaves the request as it came: the page's own session check decides.
 */
async function sessionCookieOf(request: NextRequest): Promise<SessionCookie | null> {
  // eslint-disable-next-line no-restricted-properties
  const portalUrl = process.env.AUTH_URL;
  if (!portalUrl) return null;
  const { name, options } = sessionCookieFor(portalUrl);
  const token = request.cookies.get(name)?.value;
  if (!token) return null;
  let resolved: ResolvedSessionToken | null = null;
  try {
    resolved = await resolveSessionToken(token);
  } catch (error) {
    log.error("session.lookup_failed", { path: request.nextUrl.pathname }, error);
    return null;
  }
  if (resolved?.rotated) request.cookies.set(name, resolved.currentToken);
  return { name, options, resolved };
}

/**
 * The database decides whether a session is alive (lib/auth/session.ts slides its idle expiry
 * on use); the browser's cookie must not die first. Auth.js sets the cookie's expiry once, at
 * sign-in, so without this an active user would be signed out when the first idle window ends.
 * - Only a cookie that names a live session is renewed: a made-up or dead value is not given
 *   another 30 minutes.
 * - A previous token (see `sessionCookieOf`) is replaced by the current one on any request: the
 *   browser missed the response that carried it.
 * - Otherwise only on GET: a server action that rotates the session token sets the cookie
 *   itself, and an echo of the old value must never race it.
 * - A cookie that names no live session (ended elsewhere, idle, past its lifetime) is removed
 *   from the browser on a page load (`Sec-Fetch-Dest: document`), but the page rendering this
 *   request still reads it, so it can tell that a session ended and say why (lib/auth/session.ts).
 *   That is why the removal is a raw Set-Cookie header: Next.js passes cookies set through
 *   `response.cookies` on to the page's `cookies()`, which would then see no cookie at all. Not on
 *   the router's background fetches (prefetches): they would remove it before the navigation that
 *   is to say why. Never on Auth.js's routes, whose responses set the session cookie themselves.
 */
function renewSessionCookie(request: NextRequest, response: NextResponse, session: SessionCookie | null) {
  if (!session) return;
  if (!session.resolved) {
    const pageLoad = request.method === "GET" && request.headers.get("sec-fetch-dest") === "document";
    if (pageLoad && !request.nextUrl.pathname.startsWith(AUTH_ROUTES_PREFIX)) {
      const { path, sameSite, secure } = session.options;
      response.headers.append("Set-Cookie", `${session.name}=; Path=${path}; Max-Age=0; HttpOnly; SameSite=${sameSite}${secure ? "; Secure" : ""}`);
    }
    return;
  }
  if (!session.resolved.rotated && request.method !== "GET") return;
  // eslint-disable-next-line no-restricted-properties
  const idleMinutes = Number(process.env.SESSION_IDLE_MINUTES ?? 30) || 30;
  response.cookies.set(session.name, session.resolved.currentToken, { ...session.options, maxAge: idleMinutes * 60 });
}

/**
 * HSTS whenever the portal's public URL is https (OWASP ASVS 5.0 V3.4.1): browsers then refuse a
 * downgrade to http for two years, subdomains included. Never over plain http (local runs), where
 * the header is meaningless and a stale one would lock `localhost` into https.
 */
function withTransportSecurity(response: NextResponse): NextResponse {
  // eslint-disable-next-line no-restricted-properties
  const portalUrl = process.env.AUTH_URL;
  if (portalUrl?.startsWith("https://")) response.headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  return response;
}

/** MSAL's redirect URI (app/auth/redirect-bridge; registered on the SPA app, docs/contracts.md). */
const REDIRECT_BRIDGE_PATH = "/auth/redirect-bridge";

/** The identity provider's origin: the only other origin the browser may talk to. */
function identityProviderOrigin(): string {
  // proxy.ts runs before lib/env.ts is loaded in the route; read the one variable it needs.
  // eslint-disable-next-line no-restricted-properties
  const issuer = process.env.AUTH_MICROSOFT_ENTRA_ID_ISSUER;
  return issuer ? new URL(issuer).origin : "";
}

function contentSecurityPolicy(nonce: string): string {
  // eslint-disable-next-line no-restricted-properties
  const isDev = process.env.NODE_ENV === "development";
  const idp = identityProviderOrigin();
  return [
    "default-src 'self'",
    // 'strict-dynamic' lets Next's nonce'd bootstrap load its chunks; React needs eval only in dev.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' ${isDev ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${idp}`.trim(),
    // MSAL's silent renewal may use a hidden iframe on the identity provider.
    `frame-src ${idp || "'none'"}`,
    "object-src 'none'",
    // No <base> at all: a injected one would redirect every relative script and form URL.
    "base-uri 'none'",
    // Forms post to the portal. The identity provider is allowed too because Chromium applies
    // form-action to the redirects that follow a submission, and the sign-in and sign-out forms
    // (server actions) answer with a redirect to the identity provider before hydration.
    `form-action 'self' ${idp}`.trim(),
    "frame-ancestors 'none'",
    `report-uri ${CSP_REPORT_PATH}`,
    "report-to csp",
  ].join("; ");
}

/**
 * Every request but static files. Next.js's CSP example also skips requests carrying
 * `next-router-prefetch` or `Purpose: prefetch`; those are request headers anyone can send, and a
 * POST that carried one would skip the origin check above and reach a server action that Next.js
 * only warns about. Prefetches cost a nonce here; that is all.
 */
export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
