import "server-only";
import { prisma } from "@/lib/db";
import type { TransactionClient } from "@/lib/data/transaction";
import { ACCOUNT_KINDS, type AccountKind, type AccountSummary, type ActingUser, type ActivityEntry } from "@/lib/data/types";

/** Columns of BankAccount a summary may show; fullNumber is deliberately absent. */
const accountSummarySelect = {
  id: true,
  name: true,
  kind: true,
  currency: true,
  balanceMinor: true,
  maskedNumber: true,
} as const;

/** Narrows a stored account kind; anything but a customer kind is corrupt data and throws. */
export function toAccountKind(kind: string): AccountKind {
  const known = ACCOUNT_KINDS.find((k) => k === kind);
  // Owner-scoped queries never see the bank's clearing accounts, so anything else is corrupt data.
  if (!known) throw new Error(`Unexpected account kind "${kind}"`);
  return known;
}

/**
 * The user's accounts in display order (checking, savings, credit card, brokerage;
 * then by name).
 */
export async function listAccountsForUser(user: ActingUser): Promise<AccountSummary[]> {
  const rows = await prisma.bankAccount.findMany({
    where: { ownerId: user.id },
    select: accountSummarySelect,
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
  return rows
    .map((row) => ({ ...row, kind: toAccountKind(row.kind), balanceMinor: row.balanceMinor.toString() }))
    .sort((a, b) => ACCOUNT_KINDS.indexOf(a.kind) - ACCOUNT_KINDS.indexOf(b.kind));
}

/**
 * One of the user's accounts, or null when it does not exist or belongs to someone else. Pass a
 * handler's `tx` to read inside its transaction.
 */
export async function getAccountForUser(user: ActingUser, accountId: string, tx: TransactionClient = prisma): Promise<AccountSummary | null> {
  const row = await tx.bankAccount.findFirst({
    where: { id: accountId, ownerId: user.id },
    select: accountSummarySelect,
  });
  return row ? { ...row, kind: toAccountKind(row.kind), balanceMinor: row.balanceMinor.toString() } : null;
}

/** Upper bound for `limit`, so a caller cannot ask for a whole ledger at once. */
export const MAX_ACTIVITY_LIMIT = 100;

/**
 * The user's latest ledger entries, newest first, across all their accounts or
 * only `accountId` (which must be theirs; someone else's id yields nothing).
 * `limit` is clamped to 1..MAX_ACTIVITY_LIMIT.
 */
export async function listRecentActivity(
  user: ActingUser,
  options: { limit: number; accountId?: string },
): Promise<ActivityEntry[]> {
  const take = Math.min(Math.max(Math.trunc(options.limit) || 1, 1), MAX_ACTIVITY_LIMIT);
  const rows = await prisma.ledgerEntry.findMany({
    where: {
      account: { ownerId: user.id },
      ...(options.accountId === undefined ? {} : { accountId: options.accountId }),
    },
    orderBy: [{ bookedAt: "desc" }, { id: "desc" }],
    take,
    select: {
      id: true,
      accountId: true,
      amountMinor: true,
      currency: true,
      description: true,
      category: true,
      counterparty: true,
      bookedAt: true,
      account: { select: { name: true } },
    },
  });
  return rows.map(({ account, amountMinor, ...row }) => ({
    ...row,
    accountName: account.name,
    amountMinor: amountMinor.toString(),
  }));
}

/**
 * The full number of one of the user's accounts, or null when it does not exist or belongs to
 * someone else. Only code running under the `finance.viewStatements` step-up policy may call this
 * (`revealAccountNumberAction`, the statement download, the API's account detail): the policy audits
 * every use. Never log the result.
 * Pass the handler's `tx` so the read happens inside the action's transaction.
 */
export async function getFullAccountNumber(user: ActingUser, accountId: string, tx: TransactionClient = prisma): Promise<string | null> {
  const row = await tx.bankAccount.findFirst({
    where: { id: accountId, ownerId: user.id },
    select: { fullNumber: true },
  });
  return row?.fullNumber ?? null;
}
