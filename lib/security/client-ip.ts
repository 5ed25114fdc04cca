/**
 * The client's address, for per-address rate limits. Pure (headers in, string out).
 *
 * Next.js puts the socket's address in X-Forwarded-For only when the request has none, and never
 * appends to one the client sent. So the address is only as trustworthy as the proxies in front:
 * behind `trustedProxies` reverse proxies that each append the address they saw (nginx's
 * `$proxy_add_x_forwarded_for`, most load balancers), the Nth entry from the right is the one the
 * outermost proxy saw, and everything left of it is the client's own claim. Without a proxy a
 * client can name any address, so per-address limits then only slow down clients that do not
 * try; per-user limits, which a client cannot choose, carry the weight (SECURITY.md).
 */
export function clientIpOf(headers: Pick<Headers, "get">, trustedProxies: number): string {
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const picked = entries[Math.max(0, entries.length - Math.max(1, trustedProxies))];
  // Keep the key small and inert whatever a client put there.
  return picked ? picked.slice(0, 64).replace(/[^0-9A-Za-z.:_-]/g, "_") : "unknown";
}
