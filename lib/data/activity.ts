import "server-only";
import { prisma } from "@/lib/db";
import type { AuditDetailValue } from "@/lib/data/audit";
import type { ActingUser } from "@/lib/data/types";

/** One audit event as the user's own "Security activity" shows it. */
export interface ActivityEvent {
  id: string;
  operation: string;
  outcome: string;
  correlationId: string;
  createdAt: Date;
  /** Scalars only (lib/data/audit.ts never stores more). */
  details: Record<string, AuditDetailValue>;
}

/** The user's audit events in a window, newest first, and whether the window held more. */
export interface ActivityWindow {
  events: ActivityEvent[];
  /** True when more than `limit` events fell in the window: the oldest were left out. */
  truncated: boolean;
}

/** Parses an audit row's `details` JSON; anything but an object of scalars becomes `{}` (or loses the member). */
function parseAuditDetails(json: string): Record<string, AuditDetailValue> {
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, AuditDetailValue] => entry[1] === null || ["string", "number", "boolean"].includes(typeof entry[1])));
  } catch {
    return {};
  }
}

/**
 * The user's own audit events (step-up decisions, transfers, settings changes) since `since`,
 * newest first, at most `limit`. "Security activity" groups them (lib/activity-feed.ts),
 * so it reads a time window, not a page of rows: a page boundary would split a verification from
 * the actions it approved.
 */
export async function listActivitySince(user: ActingUser, since: Date, limit: number = 500): Promise<ActivityWindow> {
  const rows = await prisma.auditEvent.findMany({
    where: { userId: user.id, createdAt: { gte: since } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: { id: true, operation: true, outcome: true, correlationId: true, createdAt: true, details: true },
  });
  return { events: rows.slice(0, limit).map((row) => ({ ...row, details: parseAuditDetails(row.details) })), truncated: rows.length > limit };
}

/** Every user's step-up decisions since `since`, for the admin page's rates (no details beyond what the rates need). */
export async function listStepUpDecisionsSince(since: Date, operations: readonly string[]): Promise<Array<{ userId: string | null; operation: string; outcome: string; createdAt: Date; details: Record<string, AuditDetailValue> }>> {
  const rows = await prisma.auditEvent.findMany({
    where: { createdAt: { gte: since }, operation: { in: [...operations] } },
    orderBy: { createdAt: "asc" },
    take: 20_000,
    select: { userId: true, operation: true, outcome: true, createdAt: true, details: true },
  });
  return rows.map((row) => ({ ...row, details: parseAuditDetails(row.details) }));
}

/** Executed step-up operations whose proof had one of these token ids (`uti`): what ran on a given sign-in. */
export async function listExecutionsByProof(utis: readonly string[]): Promise<Array<{ operation: string; userId: string | null; correlationId: string; createdAt: Date; uti: string }>> {
  const wanted = new Set(utis.filter((uti) => /^[A-Za-z0-9_-]{1,128}$/.test(uti)));
  if (wanted.size === 0) return [];
  // `details` is JSON text on both providers. `contains` narrows the rows in the database (a uti is
  // base64url: `_` is a LIKE wildcard, so this may match a little more, never less); the exact
  // match is made on the parsed details.
  const rows = await prisma.auditEvent.findMany({
    where: { outcome: "executed", OR: [...wanted].slice(0, 200).map((uti) => ({ details: { contains: uti } })) },
    select: { operation: true, userId: true, correlationId: true, createdAt: true, details: true },
    orderBy: { createdAt: "desc" },
    take: 1_000,
  });
  return rows.flatMap((row) => {
    const uti = parseAuditDetails(row.details).uti;
    return typeof uti === "string" && wanted.has(uti) ? [{ operation: row.operation, userId: row.userId, correlationId: row.correlationId, createdAt: row.createdAt, uti }] : [];
  });
}
