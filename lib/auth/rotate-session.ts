import "server-only";
import { randomBytes } from "node:crypto";
import { cookies } from "next/headers";
import { prisma } from "@/lib/db";
import { env } from "@/lib/env";

/**
 * Auth.js's session cookie, as @auth/core's `defaultCookies` names it: the `__Secure-` prefix and
 * the Secure flag when the portal is served over https (Auth.js decides by the request URL, which
 * next-auth rewrites to AUTH_URL). With database sessions the cookie holds the session token itself.
 * Must match node_modules/@auth/core/lib/utils/cookie.js; a name mismatch would leave the old
 * cookie in place and sign the user out on the next request.
 */
export function sessionCookie(): { name: string; options: { httpOnly: true; sameSite: "lax"; path: "/"; secure: boolean } } {
  const secure = new URL(env.AUTH_URL).protocol === "https:";
  return {
    name: `${secure ? "__Secure-" : ""}authjs.session-token`,
    options: { httpOnly: true, sameSite: "lax", path: "/", secure },
  };
}

/**
 * Gives the session a new token (same session id, so its elevations and pending operations stay
 * attached) and sets it in Auth.js's cookie. Called after a step-up elevates the session: a token
 * that leaked before the elevation (a log, a shared machine) must not carry the new privilege
 * (session fixation; OWASP ASVS 5.0, V7 Session Management).
 *
 * Only where Next allows setting cookies: a server action or a route handler.
 */
export async function rotateSessionToken(sessionId: string): Promise<void> {
  const sessionToken = randomBytes(32).toString("base64url");
  const row = await prisma.session.update({ where: { id: sessionId }, data: { sessionToken }, select: { expires: true } });
  const { name, options } = sessionCookie();
  (await cookies()).set(name, sessionToken, { ...options, expires: row.expires });
}
