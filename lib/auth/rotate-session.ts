import "server-only";
import { randomBytes } from "node:crypto";
import { cookies } from "next/headers";
import { prisma } from "@/lib/db";
import { env } from "@/lib/env";
import { sessionCookieFor } from "@/lib/auth/session-cookie";

/** The portal's session cookie name and options (see session-cookie.ts). */
export function sessionCookie() {
  return sessionCookieFor(env.AUTH_URL);
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
