import "server-only";
import { prisma } from "@/lib/db";
import { success, type HandlerResult } from "@/lib/actions/result";
import { recordAuditEvent } from "@/lib/data/audit";
import { usableSessionsWhere } from "@/lib/auth/session-token";
import type { TransactionClient } from "@/lib/data/transaction";
import type { ActingUser } from "@/lib/data/types";

/**
 * The user's portal sessions (database sessions: deleting a row ends that session at once, on its
 * next request, wherever its cookie is). Never returns a session token.
 */

/** One session as the settings page lists it. */
export interface SessionSummary {
  id: string;
  /** True for the session this request belongs to. */
  current: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  /** "Chrome on Linux", when recorded at sign-in. */
  userAgent: string | null;
}

/**
 * The user's sessions that someone can still use (live, and not lost to a rotation whose new
 * token never reached the browser), this one first, then the most recently used.
 */
export async function listSessions(user: ActingUser, currentSessionId: string, now: Date = new Date()): Promise<SessionSummary[]> {
  const rows = await prisma.session.findMany({
    where: { userId: user.id, ...usableSessionsWhere(now) },
    select: { id: true, createdAt: true, lastSeenAt: true, userAgent: true },
    orderBy: [{ lastSeenAt: "desc" }, { id: "asc" }],
  });
  return rows
    .map((row) => ({ ...row, current: row.id === currentSessionId }))
    .sort((a, b) => Number(b.current) - Number(a.current));
}

/** Ends every session of the user except `keepSessionId`, in the caller's transaction; returns how many ended. */
export async function endOtherSessions(tx: TransactionClient, user: ActingUser, keepSessionId: string, correlationId: string): Promise<HandlerResult<{ ended: number }>> {
  const { count } = await tx.session.deleteMany({ where: { userId: user.id, id: { not: keepSessionId } } });
  await recordAuditEvent({ userId: user.id, operation: "settings.sessions", outcome: "ended_others", correlationId, details: { ended: count } }, tx);
  return success({ ended: count });
}

/** Ends every session of the user, this one included ("sign out everywhere"); returns how many ended. */
export async function endAllSessions(user: ActingUser, correlationId: string): Promise<number> {
  const { count } = await prisma.session.deleteMany({ where: { userId: user.id } });
  await recordAuditEvent({ userId: user.id, operation: "settings.sessions", outcome: "ended_all", correlationId, details: { ended: count } });
  return count;
}
