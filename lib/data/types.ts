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
