/**
 * Fixtures and checks shared by the transfer tests on SQLite and PostgreSQL. They take a Prisma
 * client (the repo's SQLite one or a PostgreSQL one generated for the test), so one scenario runs
 * on both providers.
 */
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../../lib/generated/prisma/client";
import { ledgerViolations } from "../db/support";

/** A customer made for one test: checking and savings with opening balances, and one payee. */
export interface Customer {
  user: { id: string };
  checkingId: string;
  savingsId: string;
  payeeId: string;
}

/** The bank's USD clearing account, created when missing (tests share one database). */
export async function ensureClearing(db: PrismaClient): Promise<string> {
  const clearing = await db.bankAccount.upsert({
    where: { id: "clearing_usd" },
    create: { id: "clearing_usd", ownerId: null, kind: "clearing", name: "Outbound payments clearing (USD)", currency: "USD", maskedNumber: "•••• 0001", fullNumber: "9900000001" },
    update: {},
    select: { id: true },
  });
  return clearing.id;
}

/**
 * A fresh user whose accounts' balances come from opening ledger entries (so every invariant
 * holds from the start), booked a day before now.
 */
export async function createCustomer(db: PrismaClient, balances: { checking: bigint; savings?: bigint; currency?: string }): Promise<Customer> {
  const currency = balances.currency ?? "USD";
  const objectId = randomUUID();
  const user = await db.user.create({ data: { tenantId: "60aa9999-b070-45a9-b57a-58ec086ab606", objectId, name: "Transfer Tester" }, select: { id: true } });
  const bookedAt = new Date(Date.now() - 86_400_000);
  const account = async (kind: string, name: string, balance: bigint) => {
    const suffix = String(Math.floor(Math.random() * 10_000)).padStart(4, "0");
    const row = await db.bankAccount.create({
      data: { ownerId: user.id, kind, name, currency, balanceMinor: balance, maskedNumber: `•••• ${suffix}`, fullNumber: `44021234${suffix}` },
      select: { id: true },
    });
    if (balance !== 0n) {
      await db.ledgerEntry.create({
        data: { accountId: row.id, amountMinor: balance, currency, category: "opening_balance", description: "Opening balance", bookedAt, balanceAfterMinor: balance },
      });
    }
    return row.id;
  };
  const checkingId = await account("checking", "Everyday Checking", balances.checking);
  const savingsId = await account("savings", "High-Yield Savings", balances.savings ?? 0n);
  const payee = await db.payee.create({
    data: { ownerId: user.id, name: "Contoso Property Management", bankName: "Fabrikam Bank", maskedAccountNumber: "•••• 7781", accountNumber: "3300117781" },
    select: { id: true },
  });
  return { user, checkingId, savingsId, payeeId: payee.id };
}

/** The sum of every account's balance, clearing included: transfers never change it. */
export async function totalMoney(db: PrismaClient): Promise<bigint> {
  const rows = await db.bankAccount.findMany({ select: { balanceMinor: true } });
  return rows.reduce((sum, row) => sum + row.balanceMinor, 0n);
}

/**
 * Every broken ledger invariant (test/db/support.ts), plus "no customer balance below zero".
 * `accounts` limits the balance check to the accounts a run moved money from: seeded personas
 * (prisma/seed-data.ts) may start with an overdrawn checking account, which no transfer caused.
 */
export async function invariantViolations(db: PrismaClient, options: { accounts?: string[] } = {}): Promise<string[]> {
  const problems = await ledgerViolations((sql) => db.$queryRawUnsafe<Record<string, unknown>[]>(sql));
  const negative = await db.bankAccount.count({
    where: { ownerId: { not: null }, kind: { in: ["checking", "savings"] }, balanceMinor: { lt: 0n }, ...(options.accounts ? { id: { in: options.accounts } } : {}) },
  });
  if (negative > 0) problems.push(`${negative} checking or savings account(s) below zero`);
  const dangling = await db.transfer.count({ where: { status: { not: "completed" } } });
  if (dangling > 0) problems.push(`${dangling} transfer(s) not completed`);
  return problems;
}

/** The form's input for a transfer (what the client sends). */
export function transferRequest(from: string, to: { toAccountId: string } | { payeeId: string }, amount: string, extra: { memo?: string; idempotencyKey?: string } = {}) {
  return { fromAccountId: from, ...to, currency: "USD", amount, memo: extra.memo ?? "", idempotencyKey: extra.idempotencyKey ?? randomUUID() };
}
