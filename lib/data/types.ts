/**
 * DTOs returned by lib/data. Safe to pass to client components: no full account
 * numbers, and money as strings of integer minor units (a bigint does not survive
 * JSON, and a float cannot hold money exactly; lib/format.ts formats them).
 */

/** The signed-in user on whose behalf a lib/data function runs: every query is scoped to this id. */
export interface ActingUser {
  /** The portal user id (User.id), as the session carries it. */
  readonly id: string;
}

/** Customer account kinds, in display order. ("clearing" accounts belong to the bank and never reach a DTO.) */
export const ACCOUNT_KINDS = ["checking", "savings", "credit_card", "brokerage"] as const;

/** A customer account kind. */
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** One of the user's accounts, as the dashboard lists it. */
export interface AccountSummary {
  id: string;
  name: string;
  kind: AccountKind;
  /** ISO 4217 code. */
  currency: string;
  /** Signed integer minor units as a decimal string, e.g. "-12345" = -123.45 USD. Negative on a credit card = owed. */
  balanceMinor: string;
  /** e.g. "•••• 4821". The full number is never in a DTO. */
  maskedNumber: string;
}

/** One ledger entry on one of the user's accounts. */
export interface ActivityEntry {
  id: string;
  accountId: string;
  accountName: string;
  /** Signed integer minor units as a decimal string: positive = money in, negative = money out. */
  amountMinor: string;
  currency: string;
  description: string;
  category: string;
  counterparty: string | null;
  bookedAt: Date;
}

/** A portal user found by directory identity (Entra tenant id + object id). */
export interface DirectoryUser {
  id: string;
  tenantId: string;
  objectId: string;
  name: string | null;
  userPrincipalName: string | null;
}

/** One page of an account's transaction history, newest first. */
export interface TransactionPage {
  entries: ActivityEntry[];
  /** Entries matching the filters, on every page. */
  total: number;
  /** 1-based; may exceed `pageCount` when the URL asks for a page past the end (then `entries` is empty). */
  page: number;
  pageSize: number;
  /** At least 1, so "page 1 of 1" reads right for an empty result. */
  pageCount: number;
}

/** What the user spent on one category in one currency during a month. */
export interface CategorySpending {
  category: string;
  currency: string;
  /** Money out, as a positive integer of minor units in a decimal string. */
  spentMinor: string;
}

/** One account's balance at the end of each month of a `BalanceHistory`. */
export interface AccountBalanceSeries {
  accountId: string;
  accountName: string;
  currency: string;
  /** Minor units as decimal strings, one per month of the history (the current month: today). */
  balancesMinor: string[];
}

/** Month-end balances of each of the user's accounts. */
export interface BalanceHistory {
  /** "YYYY-MM", oldest first. */
  months: string[];
  accounts: AccountBalanceSeries[];
}

/** One line of a statement. */
export interface StatementEntry {
  id: string;
  bookedAt: Date;
  description: string;
  counterparty: string | null;
  category: string;
  /** Signed minor units as a decimal string. */
  amountMinor: string;
  /** The running balance after this entry: opening balance plus every entry up to here. */
  balanceMinor: string;
}

/** A monthly statement of one account. Invariant: opening + sum(entries) = closing. */
export interface Statement {
  account: Pick<AccountSummary, "id" | "name" | "kind" | "currency" | "maskedNumber">;
  /** "YYYY-MM". */
  month: string;
  /** First instant covered (UTC midnight on the 1st). */
  periodStart: Date;
  /** Last day covered: the month's last day, or today for the current month. */
  periodEnd: Date;
  /** True for the current month: the statement runs to today and may still grow. */
  toDate: boolean;
  openingBalanceMinor: string;
  closingBalanceMinor: string;
  /** Money in during the period (positive). */
  totalInMinor: string;
  /** Money out during the period (positive). */
  totalOutMinor: string;
  /** Oldest first, as a statement reads. */
  entries: StatementEntry[];
}
