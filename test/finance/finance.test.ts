/**
 * The finance data layer on a migrated SQLite database: history search, filters and pagination;
 * spending by category and month-end balances (exact in minor units); statements (opening +
 * entries = closing); all owner-scoped. A seeded persona gives a year of realistic history; a
 * hand-made account gives entries whose every field the tests choose.
 */
import { TENANT_ID, migrateTestDatabase } from "../support/portal-env";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, test } from "node:test";
import { seedPersona } from "../../prisma/seed-data";
import type { HistoryFilters } from "../../lib/validation/finance";
import type { Month } from "../../lib/finance/month";

const { prisma } = await import("../../lib/db");
const finance = await import("../../lib/data/finance");
const { parseHistoryParams } = await import("../../lib/validation/finance");

/** The seeded history ends here (mid-month, so the current month is partial). */
const NOW = new Date("2026-11-17T15:00:00.000Z");

let persona: { userId: string; checkingId: string; cardId: string };
let stranger: { id: string };

async function user(name: string) {
  return prisma.user.create({ data: { tenantId: TENANT_ID, objectId: randomUUID(), name }, select: { id: true } });
}

/** A fresh account with exactly these entries (amounts in cents), booked in order. */
async function handMadeAccount(entries: Array<{ at: string; amount: bigint; description: string; counterparty?: string; category?: string }>) {
  const owner = await user("Hand Made");
  const account = await prisma.bankAccount.create({
    data: { ownerId: owner.id, kind: "checking", name: "Everyday Checking", currency: "USD", maskedNumber: "•••• 4821", fullNumber: "1200004821", createdAt: new Date("2026-01-01T00:00:00Z") },
    select: { id: true },
  });
  let balance = 0n;
  for (const entry of entries) {
    balance += entry.amount;
    await prisma.ledgerEntry.create({
      data: {
        accountId: account.id,
        amountMinor: entry.amount,
        currency: "USD",
        category: entry.category ?? "shopping",
        description: entry.description,
        counterparty: entry.counterparty ?? null,
        bookedAt: new Date(entry.at),
        balanceAfterMinor: balance,
      },
    });
  }
  await prisma.bankAccount.update({ where: { id: account.id }, data: { balanceMinor: balance } });
  return { user: owner, accountId: account.id };
}

const filters = (overrides: Partial<HistoryFilters> = {}): HistoryFilters => ({ page: 1, ...overrides });

before(async () => {
  await migrateTestDatabase();
  const seeded = await seedPersona(
    prisma,
    { tenantId: TENANT_ID, objectId: randomUUID(), displayName: "Finance Tester", userPrincipalName: `finance-${randomUUID()}@woodgrove.test` },
    { now: NOW, products: { creditCard: true, brokerage: false } },
  );
  const accounts = await prisma.bankAccount.findMany({ where: { ownerId: seeded.userId }, select: { id: true, kind: true } });
  persona = {
    userId: seeded.userId,
    checkingId: accounts.find((a) => a.kind === "checking")!.id,
    cardId: accounts.find((a) => a.kind === "credit_card")!.id,
  };
  stranger = await user("Someone Else");
});

describe("transaction history", () => {
  test("pages are disjoint, newest first by (bookedAt, id), and together hold every entry once", async () => {
    const me = { id: persona.userId };
    const all = await prisma.ledgerEntry.findMany({ where: { accountId: persona.checkingId }, select: { id: true } });
    const seen: string[] = [];
    let previous: { bookedAt: Date; id: string } | null = null;
    for (let page = 1; ; page++) {
      const result = await finance.listTransactions(me, persona.checkingId, filters({ page }), { pageSize: 40 });
      assert.ok(result);
      assert.equal(result.total, all.length);
      for (const entry of result.entries) {
        if (previous) {
          const ordered = entry.bookedAt < previous.bookedAt || (entry.bookedAt.getTime() === previous.bookedAt.getTime() && entry.id < previous.id);
          assert.ok(ordered, `entry ${entry.id} out of order`);
        }
        previous = entry;
        seen.push(entry.id);
      }
      if (page >= result.pageCount) break;
    }
    assert.equal(new Set(seen).size, seen.length, "no entry on two pages");
    assert.deepEqual([...seen].sort(), all.map((e) => e.id).sort());
  });

  test("a page past the end is empty but reports where the end is", async () => {
    const result = await finance.listTransactions({ id: persona.userId }, persona.checkingId, filters({ page: 9_999 }));
    assert.ok(result);
    assert.equal(result.entries.length, 0);
    assert.ok(result.pageCount < 9_999 && result.total > 0);
  });

  test("someone else's account and an unknown id both read as null, and list no categories", async () => {
    assert.equal(await finance.listTransactions(stranger, persona.checkingId, filters()), null);
    assert.equal(await finance.listTransactions({ id: persona.userId }, "acct_does_not_exist", filters()), null);
    assert.deepEqual(await finance.listAccountCategories(stranger, persona.checkingId), []);
    assert.equal(await finance.listStatementMonths(stranger, persona.checkingId, { now: NOW }), null);
  });

  test("search ignores case, matches description or counterparty, and needs every word", async () => {
    const { user: owner, accountId } = await handMadeAccount([
      { at: "2026-03-01T10:00:00Z", amount: -1250n, description: "Groceries", counterparty: "Contoso Market" },
      { at: "2026-03-02T10:00:00Z", amount: -900n, description: "Restaurant", counterparty: "Fourth Coffee" },
      { at: "2026-03-03T10:00:00Z", amount: -4000n, description: "CONTOSO cloud storage" },
      { at: "2026-03-04T10:00:00Z", amount: -100n, description: "100% cashback promo" },
      { at: "2026-03-05T10:00:00Z", amount: -100n, description: "Ticket a_b" },
    ]);
    const search = async (q: string) =>
      (await finance.listTransactions(owner, accountId, filters({ q })))!.entries.map((e) => e.description).sort();
    assert.deepEqual(await search("contoso"), ["CONTOSO cloud storage", "Groceries"]);
    assert.deepEqual(await search("cOnToSo MARKET"), ["Groceries"]);
    assert.deepEqual(await search("coffee"), ["Restaurant"]);
    assert.deepEqual(await search("contoso coffee"), []);
    assert.deepEqual(await search("100%"), ["100% cashback promo"]);
    // LIKE's wildcards never reach the database: "%" alone is no search at all, not "match anything".
    const everything = (await finance.listTransactions(owner, accountId, filters()))!.total;
    assert.equal((await finance.listTransactions(owner, accountId, filters({ q: "%_%" })))!.total, everything);
    // "_" splits words rather than matching one character: "a_b" is the words "a" and "b".
    assert.deepEqual(await search("a_b"), ["100% cashback promo", "Ticket a_b"]);
  });

  test("date range (whole days, inclusive), category and amount by size filter in the database", async () => {
    const { user: owner, accountId } = await handMadeAccount([
      { at: "2026-04-30T23:59:59Z", amount: -5000n, description: "Before", category: "dining" },
      { at: "2026-05-01T00:00:00Z", amount: 7500n, description: "Refund", category: "shopping" },
      { at: "2026-05-15T12:00:00Z", amount: -7500n, description: "Shoes", category: "shopping" },
      { at: "2026-05-31T23:59:59Z", amount: -10001n, description: "Coat", category: "shopping" },
      { at: "2026-06-01T00:00:00Z", amount: -6000n, description: "After", category: "dining" },
    ]);
    const list = async (f: Partial<HistoryFilters>) => (await finance.listTransactions(owner, accountId, filters(f)))!.entries.map((e) => e.description).sort();
    assert.deepEqual(await list({ from: "2026-05-01", to: "2026-05-31" }), ["Coat", "Refund", "Shoes"]);
    assert.deepEqual(await list({ category: "dining" }), ["After", "Before"]);
    // 50.00 to 100.00 by size, money in or out: -50.00, +75.00, -75.00, -60.00; not -100.01.
    assert.deepEqual(await list({ minMinor: 5000n, maxMinor: 10000n }), ["After", "Before", "Refund", "Shoes"]);
    assert.deepEqual(await list({ minMinor: 10001n }), ["Coat"]);
    assert.deepEqual(await list({ maxMinor: 5000n }), ["Before"]);
    assert.deepEqual(await list({ category: "shopping", minMinor: 7500n, maxMinor: 7500n, from: "2026-05-02" }), ["Shoes"]);
    assert.deepEqual(await finance.listAccountCategories(owner, accountId), ["dining", "shopping"]);
  });
});

describe("URL parameters of the history", () => {
  test("valid parameters become filters, amounts parsed exactly in the account's currency", () => {
    const parsed = parseHistoryParams({ q: " rent ", from: "2026-01-01", to: "2026-01-31", category: "rent", min: "1,234.5", max: "2000", page: "3", utm: "ignored" }, "USD");
    assert.deepEqual(parsed, { ok: true, filters: { q: "rent", from: "2026-01-01", to: "2026-01-31", category: "rent", minMinor: 123450n, maxMinor: 200000n, page: 3 } });
    assert.deepEqual(parseHistoryParams({ q: "", min: "", page: "" }, "USD"), { ok: true, filters: { q: undefined, from: undefined, to: undefined, category: undefined, minMinor: undefined, maxMinor: undefined, page: 1 } });
    assert.deepEqual(parseHistoryParams({ min: "1500" }, "JPY"), { ok: true, filters: { q: undefined, from: undefined, to: undefined, category: undefined, minMinor: 1500n, maxMinor: undefined, page: 1 } });
  });

  test("each bad parameter gets its own message, none crashes", () => {
    const parsed = parseHistoryParams(
      { from: "2026-02-30", to: "yesterday", min: "-5", max: "1.234", page: "0", category: "<script>", q: ["a", "b"] },
      "USD",
    );
    assert.equal(parsed.ok, false);
    const errors = (parsed as { errors: string[] }).errors.join("\n");
    for (const expected of [/From: enter a date/, /To: enter a date/, /Minimum amount: .*negative/, /Maximum amount: USD amounts have at most 2 decimal places/, /Page: give a page number/, /Category: choose one/, /Search: give it once/]) {
      assert.match(errors, expected);
    }
    assert.match((parseHistoryParams({ from: "2026-05-02", to: "2026-05-01" }, "USD") as { errors: string[] }).errors.join(), /start date is after the end date/);
    assert.match((parseHistoryParams({ min: "20", max: "10" }, "USD") as { errors: string[] }).errors.join(), /minimum amount is larger/);
    assert.match((parseHistoryParams({ q: "x".repeat(101) }, "USD") as { errors: string[] }).errors.join(), /at most 100 characters/);
  });
});

describe("spending and balances", () => {
  test("spending per category is the exact sum of that month's debits, without transfers between own accounts", async () => {
    const me = { id: persona.userId };
    const month: Month = "2026-10";
    const spending = await finance.getMonthlySpending(me, month);
    const debits = await prisma.ledgerEntry.findMany({
      where: { account: { ownerId: persona.userId }, amountMinor: { lt: 0n }, bookedAt: { gte: new Date("2026-10-01T00:00:00Z"), lt: new Date("2026-11-01T00:00:00Z") } },
      select: { amountMinor: true, category: true, transfer: { select: { toAccountId: true } } },
    });
    const expected = new Map<string, bigint>();
    for (const debit of debits) {
      if (debit.transfer?.toAccountId) continue;
      expected.set(debit.category, (expected.get(debit.category) ?? 0n) - debit.amountMinor);
    }
    assert.deepEqual(new Map(spending.map((row) => [row.category, BigInt(row.spentMinor)])), expected);
    assert.ok(expected.has("rent"), "paying a payee is spending");
    assert.ok(!spending.some((row) => row.category === "card_payment" || row.category === "transfer"), "moving money between own accounts is not");
    const amounts = spending.map((row) => BigInt(row.spentMinor));
    assert.deepEqual(amounts, [...amounts].sort((a, b) => (b > a ? 1 : b < a ? -1 : 0)), "largest first");
    assert.deepEqual(await finance.getMonthlySpending(stranger, month), []);
  });

  test("month-end balances: the current month's is today's balance, each earlier one the sum of entries up to its end", async () => {
    const history = await finance.getBalanceHistory({ id: persona.userId }, { months: 12, now: NOW });
    assert.equal(history.months.length, 12);
    assert.equal(history.months.at(-1), "2026-11");
    assert.equal(history.months[0], "2025-12");
    for (const series of history.accounts) {
      const account = await prisma.bankAccount.findUniqueOrThrow({ where: { id: series.accountId }, select: { balanceMinor: true } });
      assert.equal(series.balancesMinor.at(-1), account.balanceMinor.toString());
      const endOfSeptember = await prisma.ledgerEntry.aggregate({ where: { accountId: series.accountId, bookedAt: { lt: new Date("2026-10-01T00:00:00Z") } }, _sum: { amountMinor: true } });
      assert.equal(series.balancesMinor[history.months.indexOf("2026-09")], (endOfSeptember._sum.amountMinor ?? 0n).toString());
    }
    assert.deepEqual((await finance.getBalanceHistory(stranger, { now: NOW })).accounts, []);
  });
});

describe("statements", () => {
  test("opening + entries = closing, the running balance matches the ledger's, and months chain", async () => {
    const me = { id: persona.userId };
    const months = await finance.listStatementMonths(me, persona.checkingId, { now: NOW });
    assert.ok(months);
    assert.equal(months.length, 12);
    assert.equal(months[0], "2026-11");
    let laterOpening: string | null = null;
    for (const month of months) {
      const lookup = await finance.getStatement(me, persona.checkingId, month, { now: NOW });
      assert.equal(lookup.status, "found");
      const statement = (lookup as { statement: import("../../lib/data/types").Statement }).statement;
      const sum = statement.entries.reduce((total, entry) => total + BigInt(entry.amountMinor), 0n);
      assert.equal(BigInt(statement.openingBalanceMinor) + sum, BigInt(statement.closingBalanceMinor), month);
      assert.equal(BigInt(statement.totalInMinor) - BigInt(statement.totalOutMinor), sum);
      for (const entry of statement.entries) {
        const stored = await prisma.ledgerEntry.findUniqueOrThrow({ where: { id: entry.id }, select: { balanceAfterMinor: true } });
        assert.equal(entry.balanceMinor, stored.balanceAfterMinor.toString());
      }
      // Newest first: this month's closing is the next month's opening.
      if (laterOpening !== null) assert.equal(statement.closingBalanceMinor, laterOpening, `${month} closes where the next month opens`);
      laterOpening = statement.openingBalanceMinor;
      assert.equal(statement.toDate, month === "2026-11");
    }
  });

  test("a month in the future, before the account existed, or someone else's account has no statement", async () => {
    const me = { id: persona.userId };
    assert.deepEqual(await finance.getStatement(me, persona.checkingId, "2026-12", { now: NOW }), { status: "unavailable", reason: "future" });
    assert.deepEqual(await finance.getStatement(me, persona.checkingId, "2024-01", { now: NOW }), { status: "unavailable", reason: "before_opening" });
    assert.deepEqual(await finance.getStatement(stranger, persona.checkingId, "2026-10", { now: NOW }), { status: "not_found" });
    assert.deepEqual(await finance.getStatement(me, "acct_unknown", "2026-10", { now: NOW }), { status: "not_found" });
  });

  test("a credit card without an opening entry opens at zero in its first month", async () => {
    const me = { id: persona.userId };
    const months = (await finance.listStatementMonths(me, persona.cardId, { now: NOW, count: 24 }))!;
    const first = months.at(-1)!;
    const lookup = await finance.getStatement(me, persona.cardId, first, { now: NOW });
    assert.equal(lookup.status, "found");
    assert.equal((lookup as { statement: { openingBalanceMinor: string } }).statement.openingBalanceMinor, "0");
  });
});
