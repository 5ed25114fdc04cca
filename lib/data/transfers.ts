import "server-only";
import { prisma } from "@/lib/db";
import { recordAuditEvent } from "@/lib/data/audit";
import { failed, invalid, success, type HandlerResult } from "@/lib/actions/result";
import { getTransferLimits, type TransferLimits } from "@/lib/data/limits";
import type { TransactionClient } from "@/lib/data/transaction";
import type { ActingUser } from "@/lib/data/types";
import { formatMoney } from "@/lib/format";
import { unverifiedAllowanceMinor, type TransferPolicyInput, type StepUpDecision } from "@/lib/step-up/policy";
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
 * A transfer that runs without step-up also counts toward the day's unverified total
 * (`dailyUnverifiedMinor`), held within the policy's allowance by the same UPDATE.
 *
 * Checked before and at execution: `checkTransfer` (the precheck, run before anyone is asked to
 * verify) and `createTransfer` ask the same functions (`checkTransferRequest`, `debitRefusal`), so
 * the two cannot disagree about the rules; only the conditional UPDATE at execution is binding.
 */

/** Answer for an account or payee that does not exist or is someone else's: the two are indistinguishable. */
export const TRANSFER_NOT_FOUND = "We couldn't find that account or payee.";

/** Answer for an idempotency key that already sent a different transfer. */
const KEY_USED_FOR_ANOTHER_TRANSFER = "This form was already used for a different transfer. Nothing was sent. Start a new transfer.";

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

/** A payee as `listPayees` lists it: with whether it has been paid before. */
export interface ListedPayee extends PayeeSummary {
  /** True once the user has a completed transfer to this payee (a first payment needs the strongest step-up). */
  paidBefore: boolean;
}

/** Options of `createTransfer`. */
export interface CreateTransferOptions {
  /**
   * What the step-up core decided for this execution (the handler's `stepUp`): a transfer that
   * runs without step-up counts toward, and must stay within, the day's unverified allowance of
   * the policy set. Absent only for callers outside the core (tests), which count nothing.
   */
  stepUp?: StepUpDecision;
  /**
   * The request's correlation id (the handler's `correlationId`): when given, a "transfer"/"sent" audit row
   * with the amount and recipient is written in the same transaction, so "Security activity" can
   * say what a verification approved ("sent $1,500.00 to Landlord") without reading transfers.
   */
  correlationId?: string;
  /** Tests: overrides the user's own limits (lib/data/limits.ts). */
  limits?: TransferLimits;
  /** Tests: the clock (the daily counters' day). */
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
 * - Without step-up (`options.stepUp.requirement` null), the transfer also counts toward the
 *   day's unverified total, which the same conditional UPDATE keeps within the policy's allowance.
 *   A concurrent transfer may have used the allowance up since the policy judged this one: then it
 *   is refused (rolled back) with a message that it now needs verification, which the policy, asked
 *   again, answers with a challenge.
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
    if (!sameRequest(existing, input)) return failed(KEY_USED_FOR_ANOTHER_TRANSFER);
    return success(toReceipt(existing, true));
  }

  const checked = await checkTransferRequest(tx, user, input, options.limits);
  if (checked.status !== "success") return checked;
  const { source, creditAccountId, ownDestination, counterparty, limits } = checked.data;
  // Null when the transfer was verified (or the caller is outside the step-up core): nothing to count.
  const unverifiedAllowance = options.stepUp?.requirement === null ? unverifiedAllowanceMinor(options.stepUp.policySet, source.currency) : null;

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

  const refusal = await debitWithinLimits(tx, user, source.id, input.amountMinor, { dailyMinor: limits.dailyMinor, unverifiedAllowanceMinor: unverifiedAllowance }, dayOf(now()));
  if (refusal) return failed(refusal(source.currency));

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
  const receipt = toReceipt(completed, false);
  if (options.correlationId) {
    await recordAuditEvent(
      {
        userId: user.id,
        operation: "transfer",
        outcome: "sent",
        correlationId: options.correlationId,
        details: { transferId: receipt.id, reference: receipt.reference, amountMinor: receipt.amountMinor, currency: receipt.currency, to: receipt.to.name, toKind: receipt.to.kind },
      },
      tx,
    );
  }
  return success(receipt);
}

/** What one debit must stay within, in minor units of the account's currency. */
interface DebitBounds {
  /** The user's daily limit for the currency. */
  dailyMinor: bigint;
  /** The day's allowance of transfers without step-up, when this one runs without; null when it was verified. */
  unverifiedAllowanceMinor: bigint | null;
}

/** The source account's counters, as `debitRefusal` judges them. */
type DebitRow = { balanceMinor: bigint; dailyOutDay: string | null; dailyOutMinor: bigint; dailyUnverifiedMinor: bigint };

const debitRowSelect = { balanceMinor: true, dailyOutDay: true, dailyOutMinor: true, dailyUnverifiedMinor: true } as const;

/** A refusal's message, worded once the account's currency is known; null when the debit is allowed. */
type DebitRefusal = ((currency: string) => string) | null;

/**
 * Why an account in this state cannot be debited `amount` on `day`, or null if it can: the
 * funds, the daily limit, then (for a transfer without step-up) the unverified allowance. The
 * rules of the conditional UPDATE in `debitWithinLimits`, put into words: the UPDATE enforces,
 * this explains its misses and lets the precheck refuse before anyone is asked to verify.
 */
function debitRefusal(row: DebitRow, amount: bigint, bounds: DebitBounds, day: string): DebitRefusal {
  const today = row.dailyOutDay === day;
  if (row.balanceMinor < amount) return () => "There isn't enough money in this account for this transfer. Nothing was sent.";
  const sentToday = today ? row.dailyOutMinor : 0n;
  if (sentToday + amount > bounds.dailyMinor) {
    const left = bounds.dailyMinor - sentToday;
    return (currency) =>
      `This transfer would pass this account's daily limit of ${formatMoney(bounds.dailyMinor, currency)}. You can send up to ${formatMoney(left > 0n ? left : 0n, currency)} more today. Nothing was sent.`;
  }
  const allowance = bounds.unverifiedAllowanceMinor;
  if (allowance !== null && (today ? row.dailyUnverifiedMinor : 0n) + amount > allowance) {
    // The policy judged this transfer before a concurrent one used up the allowance: asked again,
    // it now answers with a challenge, so sending the same transfer again leads to verification.
    return (currency) =>
      `Transfers without verification from this account have reached today's ${formatMoney(allowance, currency)}, so this transfer now needs you to verify. Nothing was sent. Send it again to verify.`;
  }
  return null;
}

/**
 * Takes `amount` from the account if, at that instant, it has the funds, the day's total stays
 * within the daily limit and, for a transfer without step-up, the day's unverified total stays
 * within the allowance: one conditional UPDATE for a day already counted, another that starts a
 * new day's count. A transaction that changed the day between the two can make both miss, hence
 * the short retry; a miss on a stable row is a real refusal, explained from the row.
 */
async function debitWithinLimits(tx: TransactionClient, user: ActingUser, accountId: string, amount: bigint, bounds: DebitBounds, day: string): Promise<DebitRefusal> {
  const allowance = bounds.unverifiedAllowanceMinor;
  const unverified = allowance !== null;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const sameDay = await tx.bankAccount.updateMany({
      where: {
        id: accountId,
        ownerId: user.id,
        balanceMinor: { gte: amount },
        dailyOutDay: day,
        dailyOutMinor: { lte: bounds.dailyMinor - amount },
        ...(unverified ? { dailyUnverifiedMinor: { lte: allowance - amount } } : {}),
      },
      data: { balanceMinor: { decrement: amount }, dailyOutMinor: { increment: amount }, ...(unverified ? { dailyUnverifiedMinor: { increment: amount } } : {}) },
    });
    if (sameDay.count === 1) return null;
    // A new day's count starts from this transfer alone, so only the amount itself must fit.
    if (amount <= bounds.dailyMinor && (!unverified || amount <= allowance)) {
      const newDay = await tx.bankAccount.updateMany({
        where: { id: accountId, ownerId: user.id, balanceMinor: { gte: amount }, OR: [{ dailyOutDay: null }, { dailyOutDay: { not: day } }] },
        data: { balanceMinor: { decrement: amount }, dailyOutDay: day, dailyOutMinor: amount, dailyUnverifiedMinor: unverified ? amount : 0n },
      });
      if (newDay.count === 1) return null;
    }

    const row = await tx.bankAccount.findFirstOrThrow({ where: { id: accountId, ownerId: user.id }, select: debitRowSelect });
    const refusal = debitRefusal(row, amount, bounds, day);
    if (refusal) return refusal;
  }
  throw new Error("debit did not settle: the account's daily counter kept changing");
}

/** A transfer request that passed `checkTransferRequest`: where the money goes, and the user's limits. */
interface CheckedTransfer {
  source: { id: string; kind: string; name: string; currency: string };
  creditAccountId: string;
  /** The destination when it is one of the user's own accounts; null for a payee. */
  ownDestination: { id: string; name: string } | null;
  /** How the ledger names the other side. */
  counterparty: string;
  limits: TransferLimits;
}

/**
 * Every rule of a transfer that the rows can answer without moving money: both sides exist and
 * are the user's (a payee not removed), the currencies match, the source may send, the amount is
 * within the per-transfer and daily limits. Shared by the precheck (`db` = the client) and the
 * execution (`db` = its transaction, after the source row is locked).
 */
async function checkTransferRequest(db: TransactionClient, user: ActingUser, input: TransferInput, limitsOverride?: TransferLimits): Promise<HandlerResult<CheckedTransfer>> {
  const source = await db.bankAccount.findFirst({
    where: { id: input.fromAccountId, ownerId: user.id },
    select: { id: true, kind: true, name: true, currency: true },
  });
  if (!source) return failed(TRANSFER_NOT_FOUND, "not_found");

  let creditAccountId: string;
  let ownDestination: { id: string; name: string } | null = null;
  let counterparty: string;
  if (input.toAccountId !== undefined) {
    const destination = await db.bankAccount.findFirst({
      where: { id: input.toAccountId, ownerId: user.id },
      select: { id: true, name: true, currency: true },
    });
    if (!destination) return failed(TRANSFER_NOT_FOUND, "not_found");
    if (destination.currency !== source.currency) return failed("Both accounts must hold the same currency.");
    creditAccountId = destination.id;
    ownDestination = { id: destination.id, name: destination.name };
    counterparty = destination.name;
  } else {
    // A removed payee is never paid again; its past transfers keep naming it.
    const payee = await db.payee.findFirst({ where: { id: input.payeeId, ownerId: user.id, removedAt: null }, select: { id: true, name: true, maskedAccountNumber: true } });
    if (!payee) return failed(TRANSFER_NOT_FOUND, "not_found");
    // The bank's settlement account: owner null, so no owner-scoped query ever returns it.
    const clearing = await db.bankAccount.findFirst({ where: { ownerId: null, kind: "clearing", currency: source.currency }, select: { id: true } });
    if (!clearing) return failed(`Payments in ${source.currency} are not available.`);
    creditAccountId = clearing.id;
    counterparty = `${payee.name} ${payee.maskedAccountNumber}`;
  }

  if (!SENDING_KINDS.has(source.kind)) return failed("Transfers can be sent from checking and savings accounts only.");
  if (input.currency !== source.currency) return invalid({ amount: [`Enter the amount in ${source.currency}, the currency of the account you send from.`] });
  const limits = limitsOverride ?? (await getTransferLimits(user, source.currency, db));
  if (input.amountMinor > limits.perTransferMinor) {
    return invalid({ amount: [`The most you can send in one transfer is ${formatMoney(limits.perTransferMinor, source.currency)}.`] });
  }
  if (input.amountMinor > limits.dailyMinor) {
    return invalid({ amount: [`The most you can send per day is ${formatMoney(limits.dailyMinor, source.currency)}.`] });
  }
  return success({ source, creditAccountId, ownDestination, counterparty, limits });
}

/**
 * `transfer.create`'s precheck: everything that would make this transfer fail if it ran now,
 * asked before anyone is asked to verify it (an `invalid` or `failed` answer is final, with no
 * challenge). The idempotency key first, as `createTransfer` does: a key that already sent this
 * very transfer passes (the retry is answered with its receipt, whatever changed since); one that
 * sent another is refused. Then the request's rules and the source account's funds and daily
 * limit as they stand. Not the unverified allowance: passing it asks for verification instead
 * (the policy's rule). Reads only; `createTransfer` checks it all again where it counts.
 */
export async function checkTransfer(user: ActingUser, input: TransferInput, now: Date = new Date()): Promise<HandlerResult<null>> {
  const previous = await findTransferByIdempotencyKey(user, input);
  if (previous.kind === "different") return failed(KEY_USED_FOR_ANOTHER_TRANSFER);
  if (previous.kind === "same") return success(null);
  const checked = await checkTransferRequest(prisma, user, input);
  if (checked.status !== "success") return checked;
  const { source, limits } = checked.data;
  const row = await prisma.bankAccount.findFirst({ where: { id: source.id, ownerId: user.id }, select: debitRowSelect });
  if (!row) return failed(TRANSFER_NOT_FOUND, "not_found");
  const refusal = debitRefusal(row, input.amountMinor, { dailyMinor: limits.dailyMinor, unverifiedAllowanceMinor: null }, dayOf(now));
  return refusal ? failed(refusal(source.currency)) : success(null);
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
 * client): the source account's currency, whether the payee is new, and what left the account
 * today without step-up (the allowance's count; binding only in `createTransfer`'s UPDATE). An unknown or foreign
 * account or payee gets `TRANSFER_NOT_FOUND`, before any pending operation is stored.
 */
export async function getTransferPolicyInput(user: ActingUser, input: TransferInput, now: Date = new Date()): Promise<HandlerResult<TransferPolicyInput>> {
  const source = await prisma.bankAccount.findFirst({
    where: { id: input.fromAccountId, ownerId: user.id },
    select: { currency: true, dailyOutDay: true, dailyUnverifiedMinor: true },
  });
  if (!source) return failed(TRANSFER_NOT_FOUND, "not_found");
  const facts = {
    amountMinor: input.amountMinor,
    currency: source.currency,
    unverifiedTodayMinor: source.dailyOutDay === dayOf(now) ? source.dailyUnverifiedMinor : 0n,
  };
  if (input.toAccountId !== undefined) {
    const destination = await prisma.bankAccount.findFirst({ where: { id: input.toAccountId, ownerId: user.id }, select: { id: true } });
    if (!destination) return failed(TRANSFER_NOT_FOUND, "not_found");
    return success({ ...facts, newPayee: false });
  }
  const payee = await prisma.payee.findFirst({ where: { id: input.payeeId, ownerId: user.id, removedAt: null }, select: { id: true } });
  if (!payee) return failed(TRANSFER_NOT_FOUND, "not_found");
  return success({ ...facts, newPayee: !(await payeeHasCompletedTransfer(user, payee.id)) });
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
export async function listPayees(user: ActingUser): Promise<ListedPayee[]> {
  const rows = await prisma.payee.findMany({
    where: { ownerId: user.id, removedAt: null },
    select: {
      id: true,
      name: true,
      bankName: true,
      maskedAccountNumber: true,
      transfers: { where: { ownerId: user.id, status: "completed" }, select: { id: true }, take: 1 },
    },
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
  return rows.map(({ transfers, ...payee }) => ({ ...payee, paidBefore: transfers.length > 0 }));
}

/**
 * What left each of the user's accounts today (UTC) in transfers without step-up, in minor units
 * (accounts with nothing today are absent): the count the daily unverified allowance is checked
 * against, for the transfer form's hint. The same count `getTransferPolicyInput` reads.
 */
export async function listUnverifiedToday(user: ActingUser, now: Date = new Date()): Promise<Record<string, bigint>> {
  const rows = await prisma.bankAccount.findMany({
    where: { ownerId: user.id, dailyOutDay: dayOf(now), dailyUnverifiedMinor: { gt: 0n } },
    select: { id: true, dailyUnverifiedMinor: true },
  });
  return Object.fromEntries(rows.map((row) => [row.id, row.dailyUnverifiedMinor]));
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
