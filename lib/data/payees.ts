import "server-only";
import { prisma } from "@/lib/db";
import { failed, success, type HandlerResult } from "@/lib/actions/result";
import { recordAuditEvent } from "@/lib/data/audit";
import type { TransactionClient } from "@/lib/data/transaction";
import type { PayeeSummary } from "@/lib/data/transfers";
import type { ActingUser } from "@/lib/data/types";
import type { CreatePayeeInput, RemovePayeeInput, UpdatePayeeInput } from "@/lib/validation/settings";

/**
 * Adding, editing and removing payees (settings; each a `security.update` step-up, so these run
 * inside the protected action's transaction and commit with its approval or not at all).
 *
 * Removal is a soft delete (`Payee.removedAt`): the payee's past transfers keep pointing at it
 * (Transfer.payeeId restricts deletion, and history and statements name the payee), while a
 * removed payee is never listed, edited or paid again. Another user's payee, a removed one and an
 * unknown id get the same answer (`PAYEE_NOT_FOUND`).
 *
 * Audit: each change adds a `settings.payee` event (what changed, never the account number) under
 * the action's correlation id, beside the step-up core's own events.
 */

/** Answer for a payee that does not exist, was removed, or is someone else's: indistinguishable on purpose. */
export const PAYEE_NOT_FOUND = "We couldn't find that payee.";

/** "•••• 7781": the last four digits, the only part of a payee's number ever shown. */
function maskAccountNumber(accountNumber: string): string {
  return `•••• ${accountNumber.slice(-4)}`;
}

const summarySelect = { id: true, name: true, bankName: true, maskedAccountNumber: true } as const;

/** The rows a payee change may touch: the user's own payee, not removed. */
function changeablePayee(user: ActingUser, payeeId: string) {
  return { id: payeeId, ownerId: user.id, removedAt: null };
}

/**
 * The precheck of editing or removing a payee: it must be the user's and not removed (else
 * `PAYEE_NOT_FOUND`), asked before the change is sent for approval. The same condition is the
 * `WHERE` of the write in `updatePayee`/`removePayee`, which is what binds.
 */
export async function checkPayeeChangeable(user: ActingUser, input: { payeeId: string }): Promise<HandlerResult<null>> {
  const payee = await prisma.payee.findFirst({ where: changeablePayee(user, input.payeeId), select: { id: true } });
  return payee ? success(null) : failed(PAYEE_NOT_FOUND, "not_found");
}

async function auditChange(tx: TransactionClient, user: ActingUser, correlationId: string, change: "added" | "edited" | "removed", payee: PayeeSummary) {
  await recordAuditEvent(
    { userId: user.id, operation: "settings.payee", outcome: change, correlationId, details: { payeeId: payee.id, name: payee.name, bankName: payee.bankName, maskedAccountNumber: payee.maskedAccountNumber } },
    tx,
  );
}

/** Adds a payee for the user. */
export async function createPayee(tx: TransactionClient, user: ActingUser, input: CreatePayeeInput, correlationId: string): Promise<HandlerResult<PayeeSummary>> {
  const payee = await tx.payee.create({
    data: { ownerId: user.id, name: input.name, bankName: input.bankName, accountNumber: input.accountNumber, maskedAccountNumber: maskAccountNumber(input.accountNumber) },
    select: summarySelect,
  });
  await auditChange(tx, user, correlationId, "added", payee);
  return success(payee);
}

/**
 * Changes a payee's name, bank and (when given) account number. A payment already made keeps
 * the ledger text it was booked with; new payments use the new details.
 */
export async function updatePayee(tx: TransactionClient, user: ActingUser, input: UpdatePayeeInput, correlationId: string): Promise<HandlerResult<PayeeSummary>> {
  const number = input.accountNumber === undefined ? {} : { accountNumber: input.accountNumber, maskedAccountNumber: maskAccountNumber(input.accountNumber) };
  const updated = await tx.payee.updateMany({
    where: changeablePayee(user, input.payeeId),
    data: { name: input.name, bankName: input.bankName, ...number },
  });
  if (updated.count === 0) return failed(PAYEE_NOT_FOUND, "not_found");
  const payee = await tx.payee.findUniqueOrThrow({ where: { id: input.payeeId }, select: summarySelect });
  await auditChange(tx, user, correlationId, "edited", payee);
  return success(payee);
}

/** Removes a payee (soft delete; see the module comment). Removing one twice answers "not found" the second time. */
export async function removePayee(tx: TransactionClient, user: ActingUser, input: RemovePayeeInput, correlationId: string, now: Date = new Date()): Promise<HandlerResult<PayeeSummary>> {
  const removed = await tx.payee.updateMany({ where: changeablePayee(user, input.payeeId), data: { removedAt: now } });
  if (removed.count === 0) return failed(PAYEE_NOT_FOUND, "not_found");
  const payee = await tx.payee.findUniqueOrThrow({ where: { id: input.payeeId }, select: summarySelect });
  await auditChange(tx, user, correlationId, "removed", payee);
  return success(payee);
}
