/**
 * Auth.js's session cookie, as @auth/core's `defaultCookies` names it: the `__Secure-` prefix
 * and the Secure flag when the portal is served over https. With database sessions the cookie
 * holds the session token itself. Must match node_modules/@auth/core/lib/utils/cookie.js; a
 * name mismatch would leave the old cookie in place and sign the user out.
 *
 * Pure (no env, no server-only) so proxy.ts can use it too.
 */
export function sessionCookieFor(portalUrl: string): { name: string; options: { httpOnly: true; sameSite: "lax"; path: "/"; secure: boolean } } {
  const secure = new URL(portalUrl).protocol === "https:";
  return {
    name: `${secure ? "__Secure-" : ""}authjs.session-token`,
    options: { httpOnly: true, sameSite: "lax", path: "/", secure },
  };
}
