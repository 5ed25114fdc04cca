import "server-only";
import { cache } from "react";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { prisma } from "@/lib/db";
import { env } from "@/lib/env";
import { sessionCookie } from "@/lib/auth/rotate-session";
import { parseAcrs } from "@/lib/auth/adapter";
import { sessionEndOf } from "@/lib/auth/session-token";

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
   * step-up elevations still in force (display only: enforcement re-reads them in lib/step-up/server).
   */
  strength: { acrs: string[]; authTime: Date | null; elevations: Array<{ context: string; expiresAt: Date }> };
  /** App roles from the sign-in's ID token (e.g. "Portal.Admin"); see lib/auth/roles.ts. */
  roles: string[];
  expires: Date;
}

const IDLE_MS = env.SESSION_IDLE_MINUTES * 60_000;
/** The idle expiry is written at most this often (one write per minute per active session). */
const SLIDE_EVERY_MS = 60_000;

/**
 * Why the browser's session cookie names no live session:
 * - `idle`: the session went unused for longer than the idle timeout;
 * - `lifetime`: it reached its absolute lifetime;
 * - `unknown`: the row is gone, so the reason is too. Signing out on another device, "Sign out
 *   everywhere", an earlier request that met the expired row, or an outdated token all look alike.
 *
 * An exact reason is known only on the first request after the expiry, which finds the row and
 * deletes it; the redirect to the landing page carries it from there (`?ended=`).
 */
export type SessionEndReason = "idle" | "lifetime" | "unknown";

/** The reasons as the landing page's `?ended=` parameter spells them. */
export const SESSION_END_REASONS: readonly SessionEndReason[] = ["idle", "lifetime", "unknown"];

/** What the request's session cookie names: a live session, an ended one (with why), or nothing. */
type SessionLookup = { session: PortalSession } | { session: null; ended: SessionEndReason | null };

/**
 * Looks the request's session cookie up. Cached per request (React `cache`).
 *
 * Read from `cookies()`, not through Auth.js's `auth()`: `auth()` reads the request's Cookie
 * header, which Next does not update when a server action sets a cookie, so the page rendered
 * right after a step-up rotated the session token would look the old token up and find nobody.
 * The rules are Auth.js's database-session rules plus ours: the row must exist, be within its
 * idle expiry (slid forward here, as Auth.js's session endpoint does) and within the absolute
 * lifetime counted from sign-in.
 */
const lookupSession = cache(async (): Promise<SessionLookup> => {
  const token = (await cookies()).get(sessionCookie().name)?.value;
  if (!token) return { session: null, ended: null };
  const row = await prisma.session.findUnique({
    where: { sessionToken: token },
    include: { user: true, elevations: { where: { expiresAt: { gt: new Date() } }, select: { context: true, expiresAt: true }, orderBy: { expiresAt: "desc" } } },
  });
  if (!row) return { session: null, ended: "unknown" };
  const now = Date.now();
  const ended = sessionEndOf(row, new Date(now));
  if (ended) {
    await prisma.session.deleteMany({ where: { id: row.id } });
    return { session: null, ended };
  }
  let expires = row.expires;
  if (row.expires.getTime() - IDLE_MS + SLIDE_EVERY_MS <= now) {
    expires = new Date(now + IDLE_MS);
    await prisma.session.updateMany({ where: { id: row.id }, data: { expires, lastSeenAt: new Date(now) } });
  }
  return {
    session: {
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
    },
  };
});

/** The current session, or null. Cached per request; see `lookupSession` for the rules. */
export async function getSession(): Promise<PortalSession | null> {
  return (await lookupSession()).session;
}

/**
 * Why this browser's session ended, when it sent a session cookie that names no live session;
 * null when it is signed in or sent none (never signed in, or signed out here, which deletes the
 * cookie). The landing page says it, so nobody is dropped there without a word.
 */
export async function getSessionEndReason(): Promise<SessionEndReason | null> {
  const lookup = await lookupSession();
  return lookup.session ? null : lookup.ended;
}

/**
 * Milliseconds until the session's idle expiry, counted on the server's clock: the browser is
 * given this duration, not the instant, so a browser clock that is off cannot move the warning.
 */
export function msUntilIdleExpiry(session: PortalSession, now: number = Date.now()): number {
  return Math.max(0, session.expires.getTime() - now);
}

/** Where a request without a live session is sent: the landing page, saying why if a session ended. */
function signedOutPath(ended: SessionEndReason | null): string {
  return ended ? `/?ended=${ended}` : "/";
}

/**
 * The current session, or a redirect to the sign-in page (with the reason when the browser's
 * session ended). Every page and action asks this itself: layouts and proxy.ts are not security
 * boundaries.
 */
export async function requireSession(): Promise<PortalSession> {
  const lookup = await lookupSession();
  if (!lookup.session) redirect(signedOutPath(lookup.ended));
  return lookup.session;
}
