import "server-only";
import { randomBytes } from "node:crypto";
import { prisma } from "@/lib/db";
import { env } from "@/lib/env";
import type { Prisma } from "@/lib/generated/prisma/client";

/**
 * Session tokens: which token names which session, and how a session gets a new one without
 * losing anyone.
 *
 * A step-up elevates the session and then gives it a new token (rotation): a copy of the token
 * taken before the elevation (a log, a shared machine) must not carry the new privilege (session
 * fixation; OWASP ASVS 5.0, V7 Session Management). The new token reaches the browser in the
 * response that caused the rotation, and that response can be lost: the person pressed Back while
 * the identity provider's window was open, or another request left the browser with the old
 * cookie just before. A rotation that killed the old token at once would sign that person out.
 *
 * So the previous token stays valid for `ROTATION_GRACE_SECONDS` after a rotation, and only for
 * being exchanged: proxy.ts resolves every page and action request's cookie here and, when it
 * names the previous token, hands the request on with the current token and sets the current
 * token in the browser. Everything behind proxy.ts (pages, actions, Auth.js) only ever sees
 * current tokens. After the grace the previous token is no session at all.
 */

/** How long a token stays usable after its session got a new one. */
export const ROTATION_GRACE_SECONDS = 60;

const ABSOLUTE_MS = env.SESSION_ABSOLUTE_HOURS * 3_600_000;

/** A cookie value that names a live session, and the token that session has now. */
export interface ResolvedSessionToken {
  /** The session's current token: equal to the cookie's, unless the cookie held the previous one. */
  currentToken: string;
  /** True when the cookie held the previous token (within the grace): the browser needs the current one. */
  rotated: boolean;
}

/**
 * Resolves a session cookie's value: the live session it names (by its current token, or by its
 * previous token within the grace), or null. A session past its idle expiry or absolute lifetime
 * is no session (lib/auth/session.ts deletes such rows when it meets them). The first request
 * that presents a rotated session's new token marks it delivered.
 */
export async function resolveSessionToken(token: string, now: Date = new Date()): Promise<ResolvedSessionToken | null> {
  const current = await prisma.session.findUnique({
    where: { sessionToken: token },
    select: { id: true, expires: true, createdAt: true, tokenDelivered: true },
  });
  if (current) {
    if (!isLive(current, now)) return null;
    if (!current.tokenDelivered) await prisma.session.updateMany({ where: { id: current.id, sessionToken: token }, data: { tokenDelivered: true } });
    return { currentToken: token, rotated: false };
  }
  const previous = await prisma.session.findUnique({
    where: { previousSessionToken: token },
    select: { sessionToken: true, previousTokenExpiresAt: true, expires: true, createdAt: true },
  });
  if (!previous?.previousTokenExpiresAt || previous.previousTokenExpiresAt.getTime() <= now.getTime() || !isLive(previous, now)) return null;
  return { currentToken: previous.sessionToken, rotated: true };
}

/**
 * Gives the session a new token and keeps the one it had usable for the grace (see the module
 * comment); returns the new token, which the caller must set in the browser. A token that was
 * itself a previous one is dropped: only the last token before the newest stays in grace.
 */
export async function rotateSession(sessionId: string, now: Date = new Date()): Promise<{ token: string; expires: Date }> {
  for (let attempt = 1; ; attempt += 1) {
    const row = await prisma.session.findUniqueOrThrow({ where: { id: sessionId }, select: { sessionToken: true, expires: true } });
    const token = randomBytes(32).toString("base64url");
    // Conditional on the token read above: two rotations racing must not both keep the same
    // previous token while one of the new tokens is lost without a grace.
    const { count } = await prisma.session.updateMany({
      where: { id: sessionId, sessionToken: row.sessionToken },
      data: {
        sessionToken: token,
        previousSessionToken: row.sessionToken,
        previousTokenExpiresAt: new Date(now.getTime() + ROTATION_GRACE_SECONDS * 1000),
        tokenDelivered: false,
      },
    });
    if (count === 1) return { token, expires: row.expires };
    if (attempt >= 3) throw new Error("session rotation lost three races in a row");
  }
}

/**
 * Why a session row can no longer be used by whoever holds its current token, or null while it
 * can: past its idle expiry, or past its absolute lifetime counted from sign-in. The one rule
 * the proxy's cookie resolution and the pages' session lookup (lib/auth/session.ts) both apply.
 * (The grace of a previous token is checked by the caller.)
 */
export function sessionEndOf(row: { expires: Date; createdAt: Date }, now: Date): "idle" | "lifetime" | null {
  if (now.getTime() - row.createdAt.getTime() > ABSOLUTE_MS) return "lifetime";
  return row.expires.getTime() <= now.getTime() ? "idle" : null;
}

function isLive(row: { expires: Date; createdAt: Date }, now: Date): boolean {
  return sessionEndOf(row, now) === null;
}

/**
 * The `where` of sessions someone can still use (the sessions list): live, and not a rotated
 * session whose new token never reached its browser within the grace (nobody holds a token
 * for it any more).
 */
export function usableSessionsWhere(now: Date): Prisma.SessionWhereInput {
  return {
    expires: { gt: now },
    createdAt: { gte: new Date(now.getTime() - ABSOLUTE_MS) },
    OR: [{ tokenDelivered: true }, { previousTokenExpiresAt: { gt: now } }],
  };
}
