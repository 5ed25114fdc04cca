import "server-only";
import NextAuth from "next-auth";
import MicrosoftEntraID from "next-auth/providers/microsoft-entra-id";
import { env, tenantId } from "@/lib/env";
import { createLogger } from "@/lib/log";
import { clientIp, limitSignInAttempt, limitSignInOfUser } from "@/lib/rate-limit";
import { redirectAfterSignIn } from "@/lib/security/redirect";
import { sessionCookieFor } from "@/lib/auth/session-cookie";
import { portalAdapter, providerAccountIdOf } from "@/lib/auth/adapter";
import { recordSignInRoles, recordSignInStrength, rolesFromClaims, strengthFromClaims, withSignInContext } from "@/lib/auth/sign-in-context";

/** Auth.js's provider id; part of the callback URL registered with Entra ID. */
export const ENTRA_PROVIDER_ID = "microsoft-entra-id";

const log = createLogger("auth");

const nextAuth = NextAuth({
  adapter: portalAdapter({ absoluteLifetimeMs: env.SESSION_ABSOLUTE_HOURS * 3_600_000 }),
  session: {
    // Database sessions: signing out or revoking deletes the row, and the cookie is dead at once.
    strategy: "database",
    // Auth.js slides `expires` forward by maxAge on use, so maxAge is the idle timeout; the
    // absolute lifetime is enforced by the adapter.
    maxAge: env.SESSION_IDLE_MINUTES * 60,
    updateAge: 60,
  },
  trustHost: true,
  secret: env.AUTH_SECRET,
  // The session cookie's name and flags are the portal's (lib/auth/session-cookie.ts: `__Host-`).
  cookies: { sessionToken: sessionCookieFor(env.AUTH_URL) },
  pages: { signIn: "/", error: "/auth/error" },
  providers: [
    MicrosoftEntraID({
      clientId: env.AUTH_MICROSOFT_ENTRA_ID_ID,
      clientSecret: env.AUTH_MICROSOFT_ENTRA_ID_SECRET,
      issuer: env.AUTH_MICROSOFT_ENTRA_ID_ISSUER,
      // The provider defaults to PKCE only; state and nonce are checked too.
      checks: ["pkce", "state", "nonce"],
      // No Graph scope: the portal calls no Microsoft API, so the sign-in asks for nothing more
      // than OpenID Connect needs. `acrs` and `auth_time` arrive as optional ID-token claims
      // configured on the app registration (docs/real-tenant.md).
      authorization: { params: { scope: "openid profile" } },
      // The stock profile() fetches a photo from graph.microsoft.com; the portal must call no
      // outside host, and it keys users by (tid, oid), never by email.
      profile(claims) {
        const tid = typeof claims.tid === "string" ? claims.tid.toLowerCase() : "";
        const oid = typeof claims.oid === "string" ? claims.oid.toLowerCase() : "";
        if (tid !== tenantId || !oid) throw new Error("ID token is missing the expected tid/oid");
        return {
          id: providerAccountIdOf({ tenantId: tid, objectId: oid }),
          name: typeof claims.name === "string" ? claims.name : null,
          email: null,
          image: null,
          tenantId: tid,
          objectId: oid,
          userPrincipalName: typeof claims.preferred_username === "string" ? claims.preferred_username : null,
        };
      },
      // Keep no tokens from the sign-in (see adapter.linkAccount).
      account: () => ({}),
    }),
  ],
  callbacks: {
    async signIn({ profile }) {
      if (!profile) return false;
      const claims = profile as Record<string, unknown>;
      // Per-user sign-in limit: the identity provider vouched for the user, but a script that can
      // complete sign-ins (a stolen password with no second factor) should not mint sessions fast.
      if (typeof claims.tid === "string" && typeof claims.oid === "string") {
        const decision = await limitSignInOfUser(claims.tid.toLowerCase(), claims.oid.toLowerCase());
        if (!decision.allowed) return "/auth/error?error=RateLimited";
      }
      recordSignInStrength(strengthFromClaims(claims));
      // App roles (Portal.Admin) gate the admin pages; they come from the same verified ID token.
      recordSignInRoles(rolesFromClaims(claims));
      return true;
    },
    // Only same-origin paths after sign-in (lib/security/redirect.ts), never another site.
    redirect: redirectAfterSignIn,
  },
  logger: {
    // Auth.js logs errors with their cause (which can contain provider responses); keep the
    // log to a name and message, never tokens or codes.
    error(error) {
      // Auth.js's own error kind (`type`): production builds minify the class names.
      log.error("auth.error", { type: (error as { type?: unknown }).type === undefined ? null : String((error as { type?: unknown }).type) }, error);
    },
    warn(code) {
      if (code !== "debug-enabled") log.warn("auth.warning", { warning: code });
    },
  },
});

// No `auth()` and no session callback: pages and actions read the session with getSession() and
// requireSession() (lib/auth/session.ts), from the database row, with the portal's own type.
export const { signIn, signOut } = nextAuth;

/**
 * Route handlers for /api/auth/*, run inside a sign-in context so the session row can record
 * the strength and app roles the ID token asserted and the browser that signed in.
 */
export const handlers = {
  GET: async (request: Parameters<typeof nextAuth.handlers.GET>[0]) =>
    (await signInAttemptRefusal(request)) ?? explainProviderRefusal(request, await withSignInContext(() => nextAuth.handlers.GET(request), request)),
  POST: async (request: Parameters<typeof nextAuth.handlers.POST>[0]) =>
    (await signInAttemptRefusal(request)) ?? withSignInContext(() => nextAuth.handlers.POST(request), request),
};

/**
 * Per-address limit on sign-in starts and the identity provider's callbacks (lib/rate-limit):
 * each one costs a token exchange or a provider round trip, and a flood of forged callbacks is
 * how state and PKCE would be brute-forced. Other /api/auth routes (session, csrf) are reads.
 */
async function signInAttemptRefusal(request: Request): Promise<Response | null> {
  const path = new URL(request.url).pathname;
  if (!path.startsWith("/api/auth/signin/") && !path.startsWith("/api/auth/callback/")) return null;
  const decision = await limitSignInAttempt(clientIp(request.headers));
  if (decision.allowed) return null;
  return new Response("Too many sign-in attempts from this address. Wait a minute and try again.", {
    status: 429,
    headers: { "Retry-After": String(decision.retryAfterSeconds), "Cache-Control": "no-store", "Content-Type": "text/plain; charset=utf-8" },
  });
}

const AADSTS_CODE = /^(AADSTS\d{4,7})\b/;
const CORRELATION_ID = /Correlation ID: ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

/**
 * When the identity provider refuses a sign-in (blocked, disabled, cancelled), it returns
 * `error` and `error_description` ("AADSTS53003: … Correlation ID: …") to the callback. Auth.js
 * validates the response (state, PKCE cookies) and then redirects to the sign-in page with only
 * `error=OAuthCallbackError`. This keeps Auth.js's handling and sends the person instead to the
 * error page with the AADSTS code and correlation id, which is what they need to ask for help.
 * Only those two values pass, each matched against its strict format, so a crafted callback URL
 * cannot put arbitrary text on the page.
 */
function explainProviderRefusal(request: Request, response: Response): Response {
  const url = new URL(request.url);
  const description = url.searchParams.get("error_description");
  if (!url.pathname.endsWith(`/callback/${ENTRA_PROVIDER_ID}`) || !url.searchParams.has("error") || !response.headers.has("location")) return response;
  const target = new URL("/auth/error", env.AUTH_URL);
  target.searchParams.set("error", "ProviderRefused");
  const code = description && AADSTS_CODE.exec(description)?.[1];
  const correlationId = description && CORRELATION_ID.exec(description)?.[1];
  if (code) target.searchParams.set("code", code);
  if (correlationId) target.searchParams.set("correlation", correlationId.toLowerCase());
  const headers = new Headers(response.headers);
  headers.set("location", target.toString());
  return new Response(null, { status: 302, headers });
}
