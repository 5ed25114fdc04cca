import type { Page } from "@playwright/test";
import type { PrismaClient } from "../../lib/generated/prisma/client";

/** Whom a question is about: a persona, or any directory user by object id. */
type Someone = { oid: string };

/**
 * The test's ground truth, read straight from the portal's database (the `database` fixture):
 * what a spec compares the page with, and how it proves that nothing changed. Page objects say
 * what a person sees; these say what is really there.
 */

/** Accounts every seeded persona has (a credit card and brokerage are chance). */
export const CHECKING = "Everyday Checking";
export const SAVINGS = "High-Yield Savings";

/** One of the persona's accounts by name: id, balance, currency and both numbers. */
export function accountOf(database: PrismaClient, user: Someone, name: string) {
  return database.bankAccount.findFirstOrThrow({
    where: { name, owner: { objectId: user.oid } },
    select: { id: true, balanceMinor: true, currency: true, maskedNumber: true, fullNumber: true },
  });
}

/** The portal's audit outcomes for this user and operation, oldest first ("required", "satisfied", "executed", …). */
export async function auditOutcomes(database: PrismaClient, user: Someone, operation: string): Promise<string[]> {
  const { id: userId } = await database.user.findFirstOrThrow({ where: { objectId: user.oid }, select: { id: true } });
  const events = await database.auditEvent.findMany({ where: { operation, userId }, orderBy: { createdAt: "asc" }, select: { outcome: true } });
  return events.map((event) => event.outcome);
}

/** The persona's transfers (optionally only those with `memo`): amount, status, memo. */
export function transfersOf(database: PrismaClient, user: Someone, where: { memo?: string } = {}) {
  return database.transfer.findMany({ where: { owner: { objectId: user.oid }, ...where }, select: { amountMinor: true, status: true, memo: true } });
}

/** The persona's step-up approvals of `operation` (pending operations), oldest first: "open", "used" or "cancelled". */
export async function approvalsOf(database: PrismaClient, user: Someone, operation: string): Promise<string[]> {
  const rows = await database.pendingOperation.findMany({
    where: { operation, user: { objectId: user.oid } },
    orderBy: { createdAt: "asc" },
    select: { consumedAt: true, cancelledAt: true },
  });
  return rows.map((row) => (row.consumedAt ? "used" : row.cancelledAt ? "cancelled" : "open"));
}

/** "4402123456785034" → "4402 1234 5678 5034", as the portal shows a full number. */
export const groupDigits = (digits: string) => digits.replace(/(.{4})(?=.)/g, "$1 ");

/** `12345n` → "$123.45", as the portal formats US dollars. */
export const usd = (minor: bigint) => new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(Number(minor) / 100);

/** Every popup `page` opens from now on: assert `toHaveLength(0)` to prove none was needed. */
export function watchPopups(page: Page): Page[] {
  const opened: Page[] = [];
  page.on("popup", (popup) => opened.push(popup));
  return opened;
}
