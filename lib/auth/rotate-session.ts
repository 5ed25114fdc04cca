import "server-only";
import { cookies } from "next/headers";
import { env } from "@/lib/env";
import { sessionCookieFor } from "@/lib/auth/session-cookie";
import { rotateSession } from "@/lib/auth/session-token";

/** The portal's session cookie name and options (see session-cookie.ts). */
export function sessionCookie() {
  return sessionCookieFor(env.AUTH_URL);
}

/**
 * Gives the session a new token (same session id, so its elevations and pending operations stay
 * attached) and sets it in Auth.js's cookie. Called after a step-up elevates the session: a token
 * that leaked before the elevation must not carry the new privilege. The previous token stays
 * exchangeable for a minute, so a browser that misses this response is not signed out
 * (lib/auth/session-token.ts).
 *
 * Only where Next allows setting cookies: a server action or a route handler.
 */
export async function rotateSessionToken(sessionId: string): Promise<void> {
  const { token, expires } = await rotateSession(sessionId);
  const { name, options } = sessionCookie();
  (await cookies()).set(name, token, { ...options, expires });
}
