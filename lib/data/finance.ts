import "server-only";
import { prisma } from "@/lib/db";
import { env } from "@/lib/env";
import { addMonths, monthOf, monthRange, monthsEndingWith, monthStart, type Month } from "@/lib/finance/month";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { TransactionClient } from "@/lib/data/transaction";
import { listAccountsForUser, toAccountKind } from "@/lib/data/accounts";
import { type ActingUser, type BalanceHistory, type CategorySpending, type Statement, type TransactionPage } from "@/lib/data/types";
import { HISTORY_PAGE_SIZE, searchTerms, type HistoryFilters } from "@/lib/validation/finance";
import { providerOf } from "@/prisma/database-url";

/**
 * Reads behind the finance pages and statements: an account's history with search, filters and
 * pagination; spending by category; month-end balances; monthly statements. Every function takes
 * the acting user first and scopes by it: someone else's account id reads like an unknown one.
 * Money stays in integer minor units (bigint) for every sum; DTOs carry it as decimal strings.
 */

const DAY_MS = 86_400_000;

/** The newest first, with the id as a tiebreaker, so pages never overlap or skip a row. */
const NEWEST_FIRST = [{ bookedAt: "desc" }, { id: "desc" }] as const satisfies Prisma.LedgerEntryOrderByWithRelationInput[];

/** Booking order, as a statement reads (createdAt breaks ties between entries booked at one instant). */
const OLDEST_FIRST = [{ bookedAt: "asc" }, { createdAt: "asc" }, { id: "asc" }] as const satisfies Prisma.LedgerEntryOrderByWithRelationInput[];

/**
 * Case-insensitive `contains` on both providers. PostgreSQL's LIKE is case-sensitive, so it needs
 * Prisma's `mode: "insensitive"` (ILIKE), which only the PostgreSQL client accepts; SQLite's LIKE
 * already ignores case, for ASCII letters only (SQLite folds no other case without the ICU
 * extension: "É" does not match "é" there). The generated client matches DATABASE_URL (lib/db.ts
 * refuses a mismatch), so the URL tells which client this is.
 */
const caseSensitiveLike = providerOf(env.DATABASE_URL) === "postgresql";

function containsText(term: string): { contains: string } {
  // The cast hides `mode` from the SQLite client's types; at run time only PostgreSQL gets it.
  return (caseSensitiveLike ? { contains: term, mode: "insensitive" } : { contains: term }) as { contains: string };
}

/** The filters as a Prisma condition on one account's entries (the account is scoped by the caller). */
function historyWhere(user: ActingUser, accountId: string, filters: Omit<HistoryFilters, "page">): Prisma.LedgerEntryWhereInput {
  const and: Prisma.LedgerEntryWhereInput[] = [];
  for (const term of searchTerms(filters.q)) {
    and.push({ OR: [{ description: containsText(term) }, { counterparty: containsText(term) }] });
  }
  if (filters.minMinor !== undefined || filters.maxMinor !== undefined) {
    // Amounts are filtered by size, money in or out alike: "from 50 to 100" finds +75 and -75.
    const low = filters.minMinor ?? 0n;
    const high = filters.maxMinor;
    and.push({
      OR: [
        { amountMinor: high === undefined ? { gte: low } : { gte: low, lte: high } },
        { amountMinor: high === undefined ? { lte: -low } : { lte: -low, gte: -high } },
      ],
    });
  }
  const bookedAt: Prisma.DateTimeFilter = {};
  if (filters.from) bookedAt.gte = new Date(`${filters.from}T00:00:00.000Z`);
  // "To" is a whole day: everything before the next midnight.
  if (filters.to) bookedAt.lt = new Date(new Date(`${filters.to}T00:00:00.000Z`).getTime() + DAY_MS);
  return {
    accountId,
    account: { ownerId: user.id },
    ...(filters.category ? { category: filters.category } : {}),
    ...(filters.from || filters.to ? { bookedAt } : {}),
    ...(and.length > 0 ? { AND: and } : {}),
  };
}

async function ownsAccount(user: ActingUser, accountId: string, db: TransactionClient = prisma): Promise<boolean> {
  return (await db.bankAccount.count({ where: { id: accountId, ownerId: user.id } })) > 0;
}

/**
 * One page of an account's history, newest first (bookedAt, then id: a stable order), filtered
 * and searched in the database. Null when the account does not exist or is someone else's.
 */
export async function listTransactions(
  user: ActingUser,
  accountId: string,
  filters: HistoryFilters,
  options: { pageSize?: number } = {},
): Promise<TransactionPage | null> {
  if (!(await ownsAccount(user, accountId))) return null;
  const pageSize = Math.min(Math.max(Math.trunc(options.pageSize ?? HISTORY_PAGE_SIZE), 1), 100);
  const page = Math.max(Math.trunc(filters.page), 1);
  const where = historyWhere(user, accountId, filters);
  const [total, rows] = await Promise.all([
    prisma.ledgerEntry.count({ where }),
    prisma.ledgerEntry.findMany({
      where,
      orderBy: [...NEWEST_FIRST],
      skip: (page - 1) * pageSize,
      take: pageSize,
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
    }),
  ]);
  return {
    entries: rows.map(({ account, amountMinor, ...row }) => ({ ...row, accountName: account.name, amountMinor: amountMinor.toString() })),
    total,
    page,
    pageSize,
    pageCount: Math.max(Math.ceil(total / pageSize), 1),
  };
}

/** The categories that occur on one of the user's accounts, alphabetically (empty for someone else's). */
export async function listAccountCategories(user: ActingUser, accountId: string): Promise<string[]> {
  const rows = await prisma.ledgerEntry.findMany({
    where: { accountId, account: { ownerId: user.id } },
    distinct: ["category"],
    select: { category: true },
    orderBy: { category: "asc" },
  });
  return rows.map((row) => row.category);
}

/**
 * What the user spent in `month`, per currency and category, largest first: money out of their
 * accounts (debits), except transfers between their own accounts (moving money is not spending;
 * paying a payee is). Summed by the database in integer minor units.
 */
export async function getMonthlySpending(user: ActingUser, month: Month): Promise<CategorySpending[]> {
  const { start, end } = monthRange(month);
  const rows = await prisma.ledgerEntry.groupBy({
    by: ["currency", "category"],
    where: {
      account: { ownerId: user.id },
      amountMinor: { lt: 0n },
      bookedAt: { gte: start, lt: end },
      OR: [{ transferId: null }, { transfer: { toAccountId: null } }],
    },
    _sum: { amountMinor: true },
  });
  return rows
    .map((row) => ({ category: row.category, currency: row.currency, spent: -(row._sum.amountMinor ?? 0n) }))
    .filter((row) => row.spent > 0n)
    .sort((a, b) => (a.currency === b.currency ? (b.spent > a.spent ? 1 : b.spent < a.spent ? -1 : a.category.localeCompare(b.category)) : a.currency.localeCompare(b.currency)))
    .map(({ spent, ...row }) => ({ ...row, spentMinor: spent.toString() }));
}

/**
 * Each account's balance at the end of each of the last `months` months (the current month: at
 * `now`). A balance is the sum of the account's entries up to that instant (the ledger's
 * invariant, docs/database.md), added up in bigint.
 */
export async function getBalanceHistory(user: ActingUser, options: { months?: number; now?: Date } = {}): Promise<BalanceHistory> {
  const now = options.now ?? new Date();
  const months = monthsEndingWith(monthOf(now), Math.min(Math.max(options.months ?? 12, 1), 36));
  const windowStart = monthStart(months[0]!);
  const ends = months.map((month) => Math.min(monthRange(month).end.getTime(), now.getTime() + 1));
  const accounts = await listAccountsForUser(user);
  const series = await Promise.all(
    accounts.map(async (account) => {
      const scope = { accountId: account.id, account: { ownerId: user.id } };
      const [before, rows] = await Promise.all([
        prisma.ledgerEntry.aggregate({ where: { ...scope, bookedAt: { lt: windowStart } }, _sum: { amountMinor: true } }),
        prisma.ledgerEntry.findMany({
          where: { ...scope, bookedAt: { gte: windowStart, lte: now } },
          orderBy: [...OLDEST_FIRST],
          select: { bookedAt: true, amountMinor: true },
        }),
      ]);
      let balance = before._sum.amountMinor ?? 0n;
      let next = 0;
      const balancesMinor = ends.map((end) => {
        while (next < rows.length && rows[next]!.bookedAt.getTime() < end) balance += rows[next++]!.amountMinor;
        return balance.toString();
      });
      return { accountId: account.id, accountName: account.name, currency: account.currency, balancesMinor };
    }),
  );
  return { months, accounts: series };
}

/** The month an account's history starts: its creation or its first entry, whichever is earlier. */
async function openedMonth(db: TransactionClient, account: { id: string; createdAt: Date }): Promise<Month> {
  const first = await db.ledgerEntry.findFirst({ where: { accountId: account.id }, orderBy: [...OLDEST_FIRST], select: { bookedAt: true } });
  return monthOf(first && first.bookedAt < account.createdAt ? first.bookedAt : account.createdAt);
}

/**
 * The months with a statement for one of the user's accounts, newest first: the last `count`
 * months up to the current one (which runs "to date"), none before the account existed. Null
 * when the account does not exist or is someone else's.
 */
export async function listStatementMonths(user: ActingUser, accountId: string, options: { now?: Date; count?: number } = {}): Promise<Month[] | null> {
  const account = await prisma.bankAccount.findFirst({ where: { id: accountId, ownerId: user.id }, select: { id: true, createdAt: true } });
  if (!account) return null;
  const current = monthOf(options.now ?? new Date());
  const first = await openedMonth(prisma, account);
  return monthsEndingWith(current, options.count ?? 12)
    .filter((month) => month >= first)
    .reverse();
}

/** Why there is no statement: no such account (for this user), or no such month for it. */
export type StatementLookup =
  | { status: "found"; statement: Statement }
  | { status: "not_found" }
  | { status: "unavailable"; reason: "future" | "before_opening" };

/**
 * The statement of one of the user's accounts for `month`: opening balance (every entry before
 * the month), the month's entries oldest first with a running balance, closing balance. The
 * current month runs to `now`. Pass the handler's `tx` to read inside its transaction.
 */
export async function getStatement(
  user: ActingUser,
  accountId: string,
  month: Month,
  options: { now?: Date; tx?: TransactionClient } = {},
): Promise<StatementLookup> {
  const db = options.tx ?? prisma;
  const now = options.now ?? new Date();
  const account = await db.bankAccount.findFirst({
    where: { id: accountId, ownerId: user.id },
    select: { id: true, name: true, kind: true, currency: true, maskedNumber: true, createdAt: true },
  });
  if (!account) return { status: "not_found" };
  const current = monthOf(now);
  if (month > current) return { status: "unavailable", reason: "future" };
  if (month < (await openedMonth(db, account))) return { status: "unavailable", reason: "before_opening" };

  const { start, end } = monthRange(month);
  const scope = { accountId: account.id, account: { ownerId: user.id } };
  const [before, rows] = await Promise.all([
    db.ledgerEntry.aggregate({ where: { ...scope, bookedAt: { lt: start } }, _sum: { amountMinor: true } }),
    db.ledgerEntry.findMany({
      where: { ...scope, bookedAt: { gte: start, lt: end } },
      orderBy: [...OLDEST_FIRST],
      select: { id: true, bookedAt: true, description: true, counterparty: true, category: true, amountMinor: true },
    }),
  ]);
  const opening = before._sum.amountMinor ?? 0n;
  let balance = opening;
  let totalIn = 0n;
  let totalOut = 0n;
  const entries = rows.map((row) => {
    balance += row.amountMinor;
    if (row.amountMinor > 0n) totalIn += row.amountMinor;
    else totalOut -= row.amountMinor;
    return { ...row, amountMinor: row.amountMinor.toString(), balanceMinor: balance.toString() };
  });
  const toDate = month === current;
  return {
    status: "found",
    statement: {
      account: { id: account.id, name: account.name, kind: toAccountKind(account.kind), currency: account.currency, maskedNumber: account.maskedNumber },
      month,
      periodStart: start,
      periodEnd: toDate ? now : new Date(monthStart(addMonths(month, 1)).getTime() - DAY_MS),
      toDate,
      openingBalanceMinor: opening.toString(),
      closingBalanceMinor: balance.toString(),
      totalInMinor: totalIn.toString(),
      totalOutMinor: totalOut.toString(),
      entries,
    },
  };
}
