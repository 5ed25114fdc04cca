/**
 * The portal's session cookie, which lib/auth/config.ts gives Auth.js (its `cookies.sessionToken`)
 * and which the portal's own code (session lookup, rotation, proxy.ts's sliding expiry) reads
 * and writes. With database sessions it holds the session token itself.
 *
 * Over https it carries the `__Host-` prefix (Auth.js's default is `__Secure-`): the browser then
 * accepts it only with Secure, Path=/ and no Domain, so no sibling subdomain and no plain-http
 * page can plant or overwrite a session cookie for the portal (session fixation; OWASP ASVS 5.0
 * V3.3.1, V3.3.3, V3.3.4). HttpOnly always; SameSite=Lax, because the identity provider's `form_post` callback is a
 * cross-site POST that must not carry it anyway, and the portal's cross-site navigations (a link
 * into the portal) should find the person signed in. Over plain http (local runs) the prefix is
 * impossible and left out.
 *
 * Pure (no env, no server-only) so proxy.ts can use it too.
 */
export function sessionCookieFor(portalUrl: string): { name: string; options: { httpOnly: true; sameSite: "lax"; path: "/"; secure: boolean } } {
  const secure = new URL(portalUrl).protocol === "https:";
  return {
    name: `${secure ? "__Host-" : ""}authjs.session-token`,
    options: { httpOnly: true, sameSite: "lax", path: "/", secure },
  };
}
