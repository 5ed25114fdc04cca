/**
 * Where the portal may send a browser after sign-in: a path on its own origin, nothing else
 * (OWASP ASVS 5.0 V3.7.2, no open redirects). What a caller may ask for is a relative path; the
 * one absolute form accepted is the portal's own origin followed by such a path, because Auth.js
 * stores the checked target in its callback-url cookie as an absolute URL and checks it again on
 * the provider's callback. Either way the answer is rebuilt from the portal's origin and the
 * checked path, never passed through. Pure, for Auth.js's callback and tests.
 *
 * Refused: anything not starting with a single `/` (absolute URLs, `javascript:`), `//host` and
 * `/\host` (browsers read both as another host), backslashes and control characters anywhere
 * (browsers turn `\` into `/` and strip tabs and newlines, so `/\t/evil.example` becomes
 * `//evil.example`), and, as a last check, anything that resolves to another origin.
 */
export function safeRedirectPath(target: string, baseUrl: string): string | null {
  const origin = new URL(baseUrl).origin;
  if (target.startsWith(`${origin}/`)) target = target.slice(origin.length);
  if (!target.startsWith("/") || target.startsWith("//")) return null;
  if (/[\\\u0000-\u001f\u007f]/.test(target)) return null;
  if (target.length > 512) return null;
  const base = new URL(baseUrl);
  const resolved = new URL(target, base);
  if (resolved.origin !== base.origin) return null;
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}

/** Auth.js's `redirect` callback: the same-origin path, or the portal's home page. */
export function redirectAfterSignIn({ url, baseUrl }: { url: string; baseUrl: string }): string {
  const path = safeRedirectPath(url, baseUrl);
  return path === null ? baseUrl : `${new URL(baseUrl).origin}${path}`;
}
