import "server-only";
import { cache } from "react";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { prisma } from "@/lib/db";
import { env } from "@/lib/env";
import { sessionCookie } from "@/lib/auth/rotate-session";
import { parseAcrs } from "@/lib/auth/adapter";

/** The signed-in user as the portal's server code sees it. */
export interface PortalUser {
  /** The portal's user id: the key every `lib/data` function scopes by. */
  id: string;
  name: string | null;
  userPrincipalName: string | null;
  tenantId: string;
  objectId: string;
}

/** A live portal session. */
export interface PortalSession {
  sessionId: string;
  user: PortalUser;
  /**
   * How strongly the session is authenticated: the sign-in's `acrs` and `auth_time`, plus the
   * step-up elevations still in force (display only: enforcement re-reads them in lib/step-up).
   */
  strength: { acrs: string[]; authTime: Date | null; elevations: Array<{ context: string; expiresAt: Date }> };
  /** App roles from the sign-in's ID token (e.g. "Portal.Admin"); see lib/auth/roles.ts. */
  roles: string[];
  expires: Date;
}

const IDLE_MS = env.SESSION_IDLE_MINUTES * 60_000;
const ABSOLUTE_MS = env.SESSION_ABSOLUTE_HOURS * 3_600_000;
/** The idle expiry is written at most this often (one write per minute per active session). */
const SLIDE_EVERY_MS = 60_000;

/**
 * The current session, or null. Cached per request (React `cache`).
 *
 * Read from `cookies()`, not through Auth.js's `auth()`: `auth()` reads the request's Cookie
 * header, which Next does not update when a server action sets a cookie, so the page rendered
 * right after a step-up rotated the session token would look the old token up and find nobody.
 * The rules are Auth.js's database-session rules plus ours: the row must exist, be within its
 * idle expiry (slid forward here, as Auth.js's session endpoint does) and within the absolute
 * lifetime counted from sign-in.
 */
export const getSession = cache(async (): Promise<PortalSession | null> => {
  const token = (await cookies()).get(sessionCookie().name)?.value;
  if (!token) return null;
  const row = await prisma.session.findUnique({
    where: { sessionToken: token },
    include: { user: true, elevations: { where: { expiresAt: { gt: new Date() } }, select: { context: true, expiresAt: true }, orderBy: { expiresAt: "desc" } } },
  });
  if (!row) return null;
  const now = Date.now();
  if (row.expires.getTime() <= now || now - row.createdAt.getTime() > ABSOLUTE_MS) {
    await prisma.session.deleteMany({ where: { id: row.id } });
    return null;
  }
  let expires = row.expires;
  if (row.expires.getTime() - IDLE_MS + SLIDE_EVERY_MS <= now) {
    expires = new Date(now + IDLE_MS);
    await prisma.session.updateMany({ where: { id: row.id }, data: { expires, lastSeenAt: new Date(now) } });
  }
  return {
    sessionId: row.id,
    user: {
      id: row.user.id,
      name: row.user.name,
      userPrincipalName: row.user.userPrincipalName,
      tenantId: row.user.tenantId,
      objectId: row.user.objectId,
    },
    strength: { acrs: parseAcrs(row.acrs), authTime: row.authTime, elevations: row.elevations },
    // The same defensive JSON-array reading as acrs.
    roles: parseAcrs(row.roles),
    expires,
  };
});

/**
 * The current session, or a redirect to the sign-in page. Every page and action asks this
 * itself: layouts and proxy.ts are not security boundaries.
 */
export async function requireSession(): Promise<PortalSession> {
  const session = await getSession();
  if (!session) redirect("/");
  return session;
}
