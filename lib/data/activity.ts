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

/** One page of the user's audit trail, newest first. */
export interface ActivityPage {
  events: ActivityEvent[];
  total: number;
  /** 1-based; past the end gives no events. */
  page: number;
  pageSize: number;
  /** At least 1. */
  pageCount: number;
}

/** Page size of the activity list. */
const ACTIVITY_PAGE_SIZE = 25;

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

/** The user's own audit events (step-up decisions, transfers, settings changes), newest first. */
export async function listActivity(user: ActingUser, page: number): Promise<ActivityPage> {
  const safePage = Number.isSafeInteger(page) && page >= 1 ? page : 1;
  const [total, rows] = await Promise.all([
    prisma.auditEvent.count({ where: { userId: user.id } }),
    prisma.auditEvent.findMany({
      where: { userId: user.id },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (safePage - 1) * ACTIVITY_PAGE_SIZE,
      take: ACTIVITY_PAGE_SIZE,
      select: { id: true, operation: true, outcome: true, correlationId: true, createdAt: true, details: true },
    }),
  ]);
  return {
    events: rows.map((row) => ({ ...row, details: parseAuditDetails(row.details) })),
    total,
    page: safePage,
    pageSize: ACTIVITY_PAGE_SIZE,
    pageCount: Math.max(1, Math.ceil(total / ACTIVITY_PAGE_SIZE)),
  };
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
