import "server-only";
import { prisma } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { runTransaction, type TransactionClient } from "@/lib/data/transaction";
import type { ActingUser } from "@/lib/data/types";

/**
 * The step-up engine's records: pending operations (transaction binding, to a session or to an
 * API request's idempotency key), session elevations
 * (session binding) and used proofs (one use per `uti`). Every function is scoped to the acting
 * user; times come from the caller's clock so one clock decides every expiry (tests move it).
 */

/** Longest a pending operation may wait for its proof (at most 10 minutes: long enough to verify, short enough that an abandoned approval cannot be used much later). */
export const PENDING_OPERATION_MAX_TTL_SECONDS = 600;

/** A pending operation as the engine uses it. */
export interface PendingOperationRecord {
  id: string;
  operation: string;
  /** Canonical JSON of what runs on approval. */
  payloadJson: string;
  payloadHash: string;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
  cancelledAt: Date | null;
}

const pendingSelect = {
  id: true,
  operation: true,
  payloadJson: true,
  payloadHash: true,
  createdAt: true,
  expiresAt: true,
  consumedAt: true,
  cancelledAt: true,
} as const;

/**
 * What a pending operation is bound to: the browser session that asked (server actions), or the
 * API request's idempotency key (route handlers: an API client has no session; its retry repeats
 * the request under the same key). Exactly one of the two columns is set.
 */
export type PendingBinding = { sessionId: string } | { idempotencyKey: string };

/** The `where` members that select pending operations of `binding` (the other column must be null). */
function bindingWhere(binding: PendingBinding): { sessionId: string | null; idempotencyKey?: string | null } {
  return "sessionId" in binding ? { sessionId: binding.sessionId, idempotencyKey: null } : { sessionId: null, idempotencyKey: binding.idempotencyKey };
}

/**
 * Key of an API request's one open pending operation (see PendingOperation.openKey): the key
 * names one request, so a new approval under it replaces the old. A browser session's approvals
 * have none: a person may have several tabs, each waiting for its own approval of the same
 * operation, and opening one must never cancel another.
 */
function openKeyOf(user: ActingUser, binding: PendingBinding, operation: string): string | null {
  return "sessionId" in binding ? null : `key ${user.id} ${operation} ${binding.idempotencyKey}`;
}

/** What a new approval replaces: the API request's open one, or the one the browser's retry names. */
function replacedWhere(user: ActingUser, request: { binding: PendingBinding; operation: string; replaces?: string | undefined }) {
  const openKey = openKeyOf(user, request.binding, request.operation);
  if (openKey) return { openKey };
  return request.replaces ? { id: request.replaces, ...bindingWhere(request.binding), operation: request.operation } : null;
}

/** Open means neither consumed nor cancelled, and unexpired at `now`. */
function openWhere(now: Date) {
  return { consumedAt: null, cancelledAt: null, expiresAt: { gt: now } };
}

/**
 * Stores what the user is about to approve. Every approval stays open until it is used,
 * cancelled by the tab that asked for it (`cancelPendingOperation`), replaced, or expired:
 * - a browser session replaces only the approval its request names (`replaces`: the tab's own
 *   retry found it expired, cancelled or for another payload), never another tab's;
 * - an API request replaces the open approval of the same idempotency key.
 * A replaced approval is cancelled, so it can never execute.
 */
export async function createPendingOperation(
  user: ActingUser,
  request: {
    binding: PendingBinding;
    operation: string;
    payloadJson: string;
    payloadHash: string;
    now: Date;
    ttlSeconds: number;
    /** The id of the browser session's approval this one replaces (ignored for API requests). */
    replaces?: string | undefined;
  },
): Promise<PendingOperationRecord> {
  const ttl = Math.min(Math.max(request.ttlSeconds, 1), PENDING_OPERATION_MAX_TTL_SECONDS);
  const openKey = openKeyOf(user, request.binding, request.operation);
  const replaced = replacedWhere(user, request);
  // Two concurrent API retries under one key can both cancel "the" open one and then race to
  // insert; the unique openKey lets exactly one win, and the loser tries again.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await runTransaction(async (tx) => {
        if (replaced) {
          await tx.pendingOperation.updateMany({
            where: { ...replaced, userId: user.id, consumedAt: null, cancelledAt: null },
            data: { openKey: null, cancelledAt: request.now },
          });
        }
        return tx.pendingOperation.create({
          data: {
            userId: user.id,
            ...bindingWhere(request.binding),
            operation: request.operation,
            payloadJson: request.payloadJson,
            payloadHash: request.payloadHash,
            openKey,
            createdAt: request.now,
            expiresAt: new Date(request.now.getTime() + ttl * 1000),
          },
          select: pendingSelect,
        });
      });
    } catch (error) {
      if (attempt >= 3 || !isUniqueViolation(error)) throw error;
    }
  }
}

/**
 * How many approvals the user has waiting (open and unexpired, browser and API together), not
 * counting the one a new request would replace (see createPendingOperation): what the
 * open-approvals cap counts.
 */
export async function countOtherOpenPendingOperations(
  user: ActingUser,
  request: { binding: PendingBinding; operation: string; now: Date; replaces?: string | undefined },
): Promise<number> {
  const openKey = openKeyOf(user, request.binding, request.operation);
  // Spelled out with `null`: SQL's `openKey <> x` is not true for a NULL openKey, and browser
  // approvals have none.
  const notReplaced = openKey
    ? { OR: [{ openKey: null }, { openKey: { not: openKey } }] }
    : request.replaces
      ? { id: { not: request.replaces } }
      : {};
  return prisma.pendingOperation.count({ where: { userId: user.id, ...openWhere(request.now), ...notReplaced } });
}

/**
 * Cancels the session's open approval with this id, so it can never execute and no longer
 * counts against the cap: the tab that asked for it closed its dialog. Returns whether an open
 * approval was cancelled (false: unknown, another session's, or already used, cancelled or expired).
 */
export async function cancelPendingOperation(
  tx: TransactionClient,
  user: ActingUser,
  where: { id: string; sessionId: string; now: Date },
): Promise<boolean> {
  const { count } = await tx.pendingOperation.updateMany({
    where: { id: where.id, userId: user.id, ...bindingWhere({ sessionId: where.sessionId }), ...openWhere(where.now) },
    data: { openKey: null, cancelledAt: where.now },
  });
  return count === 1;
}

/** The user's pending operation with this id, for this session and operation, or null. */
export async function getPendingOperation(
  user: ActingUser,
  where: { id: string; sessionId: string; operation: string },
): Promise<PendingOperationRecord | null> {
  return prisma.pendingOperation.findFirst({
    where: { id: where.id, userId: user.id, ...bindingWhere({ sessionId: where.sessionId }), operation: where.operation },
    select: pendingSelect,
  });
}

/**
 * The user's latest pending operation for this operation and API idempotency key (open,
 * consumed, cancelled or expired: the caller decides what each means), or null.
 */
export async function getPendingOperationByKey(
  user: ActingUser,
  where: { idempotencyKey: string; operation: string },
): Promise<PendingOperationRecord | null> {
  return prisma.pendingOperation.findFirst({
    where: { userId: user.id, ...bindingWhere({ idempotencyKey: where.idempotencyKey }), operation: where.operation },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: pendingSelect,
  });
}

/**
 * Marks the pending operation consumed, if and only if it is still open and unexpired. A
 * conditional update, not read-then-write: of two concurrent retries exactly one sees `true`.
 * Run it inside the transaction of the operation's own writes.
 */
export async function consumePendingOperation(
  tx: TransactionClient,
  user: ActingUser,
  pending: { id: string; binding: PendingBinding; now: Date },
): Promise<boolean> {
  const { count } = await tx.pendingOperation.updateMany({
    where: {
      id: pending.id,
      userId: user.id,
      ...bindingWhere(pending.binding),
      consumedAt: null,
      cancelledAt: null,
      expiresAt: { gt: pending.now },
    },
    data: { consumedAt: pending.now, openKey: null },
  });
  return count === 1;
}

/**
 * Remembers a proof's `uti` until `expiresAt`. Returns false when it was used before (the
 * primary key says so, also under concurrency). Inside a transaction a false return must end
 * it (throw): PostgreSQL refuses further statements after the failed insert.
 */
export async function recordProofUse(
  tx: TransactionClient,
  user: ActingUser,
  proof: { uti: string; operation: string; now: Date; expiresAt: Date },
): Promise<boolean> {
  try {
    await tx.usedProof.create({
      data: { uti: proof.uti, userId: user.id, operation: proof.operation, usedAt: proof.now, expiresAt: proof.expiresAt },
    });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** Records a session-bound elevation granted by a verified proof. */
export async function grantSessionElevation(
  tx: TransactionClient,
  user: ActingUser,
  elevation: { sessionId: string; context: string; proofUti: string; grantedAt: Date; expiresAt: Date },
): Promise<void> {
  // The session must be the user's: the insert is scoped through it, not trusted from the caller.
  const session = await tx.session.findFirst({ where: { id: elevation.sessionId, userId: user.id }, select: { id: true } });
  if (!session) throw new Error("Elevation for a session that is not the acting user's");
  await tx.sessionElevation.create({ data: elevation });
}

/** Whether the session holds an unexpired elevation for `context`. */
export async function hasSessionElevation(user: ActingUser, session: { sessionId: string; context: string; now: Date }): Promise<boolean> {
  const count = await prisma.sessionElevation.count({
    where: {
      sessionId: session.sessionId,
      context: session.context,
      expiresAt: { gt: session.now },
      session: { userId: user.id },
    },
  });
  return count > 0;
}

/** Pending operations are kept a day past expiry, so a late retry hears "expired", not "unknown". */
const PENDING_OPERATION_RETENTION_MS = 24 * 3_600_000;

/**
 * Deletes used proofs past their expiry, expired elevations, and pending operations a day after
 * theirs. Nothing depends on it for correctness (every read checks expiry); it keeps the tables
 * small. The audit log keeps the history.
 */
export async function purgeExpiredStepUpRecords(now: Date): Promise<void> {
  await prisma.usedProof.deleteMany({ where: { expiresAt: { lt: now } } });
  await prisma.pendingOperation.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - PENDING_OPERATION_RETENTION_MS) } } });
  await prisma.sessionElevation.deleteMany({ where: { expiresAt: { lt: now } } });
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}
