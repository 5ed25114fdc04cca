import "server-only";
import { prisma } from "@/lib/db";
import { failed, invalid, success, type HandlerResult } from "@/lib/actions/result";
import { getTransferLimits, type TransferLimits } from "@/lib/data/limits";
import type { TransactionClient } from "@/lib/data/transaction";
import type { ActingUser } from "@/lib/data/types";
import { formatMoney } from "@/lib/format";
import type { TransferPolicyInput } from "@/lib/step-up/policy";
import type { TransferInput } from "@/lib/validation/transfers";

/**
 * Transfers: between the user's own accounts, or to one of their payees (which credits the
 * bank's clearing account for the currency, docs/database.md "Ledger invariants").
 *
 * Concurrency contract (SQLite and PostgreSQL alike): money leaves an account only through one
 * conditional UPDATE that checks the balance and the daily counter in its WHERE clause
 * (`UPDATE "BankAccount" SET balance = balance - x, daily = daily + x WHERE id = ? AND balance >= x
 * AND daily <= limit - x`). PostgreSQL re-evaluates that WHERE on the newest row version after
 * waiting for a concurrent writer's row lock, so no interleaving can overdraw the account or pass
 * the daily limit; there is no read-then-write window. SQLite admits one writer at a time anyway.
 * Rows are then locked until commit, so the running balances written after the update are exact.
 */

/** Answer for an account or payee that does not exist or is someone else's: the two are indistinguishable. */
export const TRANSFER_NOT_FOUND = "We couldn't find that account or payee.";

/** Account kinds money can be sent from (a card or brokerage account is paid into, not from). */
const SENDING_KINDS = new Set(["checking", "savings"]);

export type { TransferLimits } from "@/lib/data/limits";

/** A transfer as the receipt and the history show it. Money as minor-unit strings (lib/data/types.ts). */
export interface TransferReceipt {
  id: string;
  /** Short reference to quote to support ("TRF-…"). */
  reference: string;
  status: string;
  amountMinor: string;
  currency: string;
  memo: string | null;
  from: { id: string; name: string; maskedNumber: string };
  to: { kind: "account" | "payee"; id: string; name: string; maskedNumber: string };
  /** The source account's balance right after this transfer. */
  fromBalanceAfterMinor: string;
  createdAt: string;
  completedAt: string | null;
  /** True when this request's idempotency key had already executed: nothing new was moved. */
  replayed: boolean;
}

/** A payee as the transfer form lists it (never the full account number). */
export interface PayeeSummary {
  id: string;
  name: string;
  bankName: string;
  maskedAccountNumber: string;
}

/** Options for tests. */
export interface CreateTransferOptions {
  /** Overrides the user's own limits (lib/data/limits.ts). */
  limits?: TransferLimits;
  now?: () => Date;
}

const receiptSelect = {
  id: true,
  status: true,
  amountMinor: true,
  currency: true,
  memo: true,
  createdAt: true,
  completedAt: true,
  fromAccountId: true,
  fromAccount: { select: { id: true, name: true, maskedNumber: true } },
  toAccount: { select: { id: true, name: true, maskedNumber: true } },
  payee: { select: { id: true, name: true, maskedAccountNumber: true } },
  entries: { select: { accountId: true, balanceAfterMinor: true } },
} as const;

type ReceiptRow = {
  id: string;
  status: string;
  amountMinor: bigint;
  currency: string;
  memo: string | null;
  createdAt: Date;
  completedAt: Date | null;
  fromAccountId: string;
  fromAccount: { id: string; name: string; maskedNumber: string };
  toAccount: { id: string; name: string; maskedNumber: string } | null;
  payee: { id: string; name: string; maskedAccountNumber: string } | null;
  entries: { accountId: string; balanceAfterMinor: bigint }[];
};

function toReceipt(row: ReceiptRow, replayed: boolean): TransferReceipt {
  const to = row.toAccount
    ? { kind: "account" as const, id: row.toAccount.id, name: row.toAccount.name, maskedNumber: row.toAccount.maskedNumber }
    : { kind: "payee" as const, id: row.payee?.id ?? "", name: row.payee?.name ?? "", maskedNumber: row.payee?.maskedAccountNumber ?? "" };
  const debit = row.entries.find((entry) => entry.accountId === row.fromAccountId);
  return {
    id: row.id,
    reference: `TRF-${row.id.slice(-10).toUpperCase()}`,
    status: row.status,
    amountMinor: row.amountMinor.toString(),
    currency: row.currency,
    memo: row.memo,
    from: row.fromAccount,
    to,
    fromBalanceAfterMinor: (debit?.balanceAfterMinor ?? 0n).toString(),
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    replayed,
  };
}

/** "2026-11-29": the daily limit's day (UTC, like every stored date). */
function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Whether a stored transfer is the same request as `input` (all that the idempotency key covers). */
function sameRequest(row: { fromAccountId: string; toAccountId: string | null; payeeId: string | null; amountMinor: bigint; currency: string; memo: string | null }, input: TransferInput): boolean {
  return (
    row.fromAccountId === input.fromAccountId &&
    row.toAccountId === (input.toAccountId ?? null) &&
    row.payeeId === (input.payeeId ?? null) &&
    row.amountMinor === input.amountMinor &&
    row.currency === input.currency &&
    row.memo === (input.memo ?? null)
  );
}

/**
 * Executes a transfer inside the caller's transaction (the protected action's `tx`, so it commits
 * with the step-up bookkeeping or not at all). Returns `failed`/`invalid` for every expected
 * refusal; the caller rolls back on them, so a refused transfer writes nothing.
 *
 * - Owner-scoped: another user's account or payee, and an unknown id, get `TRANSFER_NOT_FOUND`.
 * - Idempotent per (user, `idempotencyKey`): the same request again returns the first transfer's
 *   receipt (`replayed: true`) and moves nothing; another request under a used key is refused.
 *   Two concurrent requests with one key cannot both commit: the unique (ownerId, idempotencyKey)
 *   index makes the second wait and fail (PostgreSQL) or see the first (SQLite's single writer).
 * - Funds and the daily limit: see the module comment. The limits are the user's own for the
 *   currency (settings; defaults when never set), read here, inside the transaction, after the
 *   source row is locked. A concurrent change of the limit commits before or after this transfer
 *   as a whole; the daily total itself is held by the account's conditional counter either way.
 * - Ledger: a debit and a credit summing to zero, each with its account's running balance; both
 *   booked at one instant after the rows are locked and later than the accounts' last entries, so
 *   booking order is the order the balances changed in.
 */
export async function createTransfer(
  tx: TransactionClient,
  user: ActingUser,
  input: TransferInput,
  options: CreateTransferOptions = {},
): Promise<HandlerResult<TransferReceipt>> {
  // The first statement is a write that locks the source account's row (a no-op change):
  // - SQLite: a transaction that reads first and writes later fails with SQLITE_BUSY_SNAPSHOT when
  //   another connection (another process) committed in between; writing first takes the lock up
  //   front, so concurrent writers queue on busy_timeout instead.
  // - PostgreSQL: transfers from one account serialise from here, so a second request with the
  //   same idempotency key waits for the first and then finds its transfer below.
  const locked = await tx.bankAccount.updateMany({ where: { id: input.fromAccountId, ownerId: user.id }, data: { dailyOutMinor: { increment: 0n } } });
  if (locked.count === 0) return failed(TRANSFER_NOT_FOUND, "not_found");

  const existing = await tx.transfer.findUnique({
    where: { ownerId_idempotencyKey: { ownerId: user.id, idempotencyKey: input.idempotencyKey } },
    select: { ...receiptSelect, toAccountId: true, payeeId: true },
  });
  if (existing) {
    if (!sameRequest(existing, input)) return failed("This form was already used for a different transfer. Nothing was sent. Start a new transfer.");
    return success(toReceipt(existing, true));
  }

  const source = await tx.bankAccount.findFirst({
    where: { id: input.fromAccountId, ownerId: user.id },
    select: { id: true, kind: true, name: true, currency: true },
  });
  if (!source) return failed(TRANSFER_NOT_FOUND, "not_found");

  let creditAccountId: string;
  let ownDestination: { id: string; name: string } | null = null;
  let counterparty: string;
  if (input.toAccountId !== undefined) {
    const destination = await tx.bankAccount.findFirst({
      where: { id: input.toAccountId, ownerId: user.id },
      select: { id: true, name: true, currency: true },
    });
    if (!destination) return failed(TRANSFER_NOT_FOUND, "not_found");
    if (destination.currency !== source.currency) return failed("Both accounts must hold the same currency.");
    creditAccountId = destination.id;
    ownDestination = destination;
    counterparty = destination.name;
  } else {
    // A removed payee is never paid again; its past transfers keep naming it.
    const payee = await tx.payee.findFirst({ where: { id: input.payeeId, ownerId: user.id, removedAt: null }, select: { id: true, name: true, maskedAccountNumber: true } });
    if (!payee) return failed(TRANSFER_NOT_FOUND, "not_found");
    // The bank's settlement account: owner null, so no owner-scoped query ever returns it.
    const clearing = await tx.bankAccount.findFirst({ where: { ownerId: null, kind: "clearing", currency: source.currency }, select: { id: true } });
    if (!clearing) return failed(`Payments in ${source.currency} are not available.`);
    creditAccountId = clearing.id;
    counterparty = `${payee.name} ${payee.maskedAccountNumber}`;
  }

  if (!SENDING_KINDS.has(source.kind)) return failed("Transfers can be sent from checking and savings accounts only.");
  if (input.currency !== source.currency) return invalid({ amount: [`Enter the amount in ${source.currency}, the currency of the account you send from.`] });
  const limits = options.limits ?? (await getTransferLimits(user, source.currency, tx));
  if (input.amountMinor > limits.perTransferMinor) {
    return invalid({ amount: [`The most you can send in one transfer is ${formatMoney(limits.perTransferMinor, source.currency)}.`] });
  }
  if (input.amountMinor > limits.dailyMinor) {
    return invalid({ amount: [`The most you can send per day is ${formatMoney(limits.dailyMinor, source.currency)}.`] });
  }

  const now = options.now ?? (() => new Date());
  // First write: a concurrent request with the same key waits here on the unique index.
  const transfer = await tx.transfer.create({
    data: {
      ownerId: user.id,
      fromAccountId: source.id,
      toAccountId: input.toAccountId ?? null,
      payeeId: input.payeeId ?? null,
      amountMinor: input.amountMinor,
      currency: source.currency,
      memo: input.memo ?? null,
      status: "pending",
      idempotencyKey: input.idempotencyKey,
    },
    select: { id: true },
  });

  const debit = await debitWithinLimits(tx, user, source.id, input.amountMinor, limits.dailyMinor, dayOf(now()));
  if (!debit.ok) return failed(debit.message(source.currency));

  const credited = await tx.bankAccount.update({ where: { id: creditAccountId }, data: { balanceMinor: { increment: input.amountMinor } }, select: { balanceMinor: true } });
  const debited = await tx.bankAccount.findUniqueOrThrow({ where: { id: source.id }, select: { balanceMinor: true } });

  const bookedAt = await bookingInstant(tx, ownDestination ? [source.id, ownDestination.id] : [source.id], now());
  const description = ownDestination ? `Transfer to ${ownDestination.name}` : `Payment to ${counterparty}`;
  await tx.ledgerEntry.createMany({
    data: [
      {
        accountId: source.id,
        transferId: transfer.id,
        amountMinor: -input.amountMinor,
        currency: source.currency,
        category: "transfer",
        description,
        counterparty,
        bookedAt,
        balanceAfterMinor: debited.balanceMinor,
      },
      {
        accountId: creditAccountId,
        transferId: transfer.id,
        amountMinor: input.amountMinor,
        currency: source.currency,
        category: "transfer",
        description: ownDestination ? `Transfer from ${source.name}` : description,
        counterparty: ownDestination ? source.name : counterparty,
        bookedAt,
        balanceAfterMinor: credited.balanceMinor,
      },
    ],
  });
  const completed = await tx.transfer.update({
    where: { id: transfer.id },
    data: { status: "completed", completedAt: bookedAt },
    select: receiptSelect,
  });
  return success(toReceipt(completed, false));
}

type DebitOutcome = { ok: true } | { ok: false; message: (currency: string) => string };

/**
 * Takes `amount` from the account if, at that instant, it has the funds and the day's total stays
 * within `dailyLimit`: one conditional UPDATE for a day already counted, another that starts a new
 * day's count. A transaction that changed the day between the two can make both miss, hence the
 * short retry; a miss on a stable row is a real refusal, explained from the row.
 */
async function debitWithinLimits(tx: TransactionClient, user: ActingUser, accountId: string, amount: bigint, dailyLimit: bigint, day: string): Promise<DebitOutcome> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const sameDay = await tx.bankAccount.updateMany({
      where: { id: accountId, ownerId: user.id, balanceMinor: { gte: amount }, dailyOutDay: day, dailyOutMinor: { lte: dailyLimit - amount } },
      data: { balanceMinor: { decrement: amount }, dailyOutMinor: { increment: amount } },
    });
    if (sameDay.count === 1) return { ok: true };
    const newDay = await tx.bankAccount.updateMany({
      where: { id: accountId, ownerId: user.id, balanceMinor: { gte: amount }, OR: [{ dailyOutDay: null }, { dailyOutDay: { not: day } }] },
      data: { balanceMinor: { decrement: amount }, dailyOutDay: day, dailyOutMinor: amount },
    });
    if (newDay.count === 1) return { ok: true };

    const row = await tx.bankAccount.findFirstOrThrow({ where: { id: accountId, ownerId: user.id }, select: { balanceMinor: true, dailyOutDay: true, dailyOutMinor: true } });
    if (row.balanceMinor < amount) {
      return { ok: false, message: () => "There isn't enough money in this account for this transfer. Nothing was sent." };
    }
    if (row.dailyOutDay === day && row.dailyOutMinor + amount > dailyLimit) {
      const left = dailyLimit - row.dailyOutMinor;
      return {
        ok: false,
        message: (currency) =>
          `This transfer would pass this account's daily limit of ${formatMoney(dailyLimit, currency)}. You can send up to ${formatMoney(left > 0n ? left : 0n, currency)} more today. Nothing was sent.`,
      };
    }
  }
  throw new Error("debit did not settle: the account's daily counter kept changing");
}

/**
 * The instant to book a transfer's entries at: now, but strictly after the last entry of each
 * customer account involved (the clock may tie or step back), so booking order is balance order.
 */
async function bookingInstant(tx: TransactionClient, accountIds: string[], now: Date): Promise<Date> {
  let at = now.getTime();
  for (const accountId of accountIds) {
    const last = await tx.ledgerEntry.findFirst({ where: { accountId }, orderBy: { bookedAt: "desc" }, select: { bookedAt: true } });
    if (last && last.bookedAt.getTime() >= at) at = last.bookedAt.getTime() + 1;
  }
  return new Date(at);
}

/** Whether the user has at least one completed transfer to this payee (false for someone else's payee). */
export async function payeeHasCompletedTransfer(user: ActingUser, payeeId: string, tx: TransactionClient = prisma): Promise<boolean> {
  const found = await tx.transfer.findFirst({ where: { ownerId: user.id, payeeId, status: "completed" }, select: { id: true } });
  return found !== null;
}

/**
 * The facts `transfer.create`'s step-up rule decides on, from the database (never from the
 * client): the source account's currency and whether the payee is new. An unknown or foreign
 * account or payee gets `TRANSFER_NOT_FOUND`, before any pending operation is stored.
 */
export async function getTransferPolicyInput(user: ActingUser, input: TransferInput): Promise<HandlerResult<TransferPolicyInput>> {
  const source = await prisma.bankAccount.findFirst({ where: { id: input.fromAccountId, ownerId: user.id }, select: { currency: true } });
  if (!source) return failed(TRANSFER_NOT_FOUND, "not_found");
  if (input.toAccountId !== undefined) {
    const destination = await prisma.bankAccount.findFirst({ where: { id: input.toAccountId, ownerId: user.id }, select: { id: true } });
    if (!destination) return failed(TRANSFER_NOT_FOUND, "not_found");
    return success({ amountMinor: input.amountMinor, currency: source.currency, newPayee: false });
  }
  const payee = await prisma.payee.findFirst({ where: { id: input.payeeId, ownerId: user.id, removedAt: null }, select: { id: true } });
  if (!payee) return failed(TRANSFER_NOT_FOUND, "not_found");
  return success({ amountMinor: input.amountMinor, currency: source.currency, newPayee: !(await payeeHasCompletedTransfer(user, payee.id)) });
}

/**
 * What the user's idempotency key already did, for the JSON API's retries: nothing yet; the same
 * request (its receipt, `replayed: true`); or a different request (the key is spent). Compares
 * what `createTransfer` compares, so the two never disagree.
 */
export async function findTransferByIdempotencyKey(
  user: ActingUser,
  input: TransferInput,
): Promise<{ kind: "none" } | { kind: "same"; data: TransferReceipt } | { kind: "different" }> {
  const existing = await prisma.transfer.findUnique({
    where: { ownerId_idempotencyKey: { ownerId: user.id, idempotencyKey: input.idempotencyKey } },
    select: { ...receiptSelect, toAccountId: true, payeeId: true },
  });
  if (!existing) return { kind: "none" };
  return sameRequest(existing, input) ? { kind: "same", data: toReceipt(existing, true) } : { kind: "different" };
}

/** The user's payees (not removed ones), by name. */
export async function listPayees(user: ActingUser): Promise<PayeeSummary[]> {
  return prisma.payee.findMany({
    where: { ownerId: user.id, removedAt: null },
    select: { id: true, name: true, bankName: true, maskedAccountNumber: true },
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
}

/** The user's latest transfers, newest first (at most 100). */
export async function listTransfers(user: ActingUser, options: { limit?: number } = {}): Promise<TransferReceipt[]> {
  const take = Math.min(Math.max(Math.trunc(options.limit ?? 20) || 1, 1), 100);
  const rows = await prisma.transfer.findMany({
    where: { ownerId: user.id },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: receiptSelect,
  });
  return rows.map((row) => toReceipt(row, false));
}
