/**
 * Amounts as people type them (lib/money.ts) and the transfer form's schema
 * (lib/validation/transfers.ts): exact minor units per currency, every bad amount refused with
 * its own message, all field errors at once, and the canonical form the step-up core stores
 * parsing back to the same request.
 */
import "../support/portal-env";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { MAX_AMOUNT_MINOR, parseAmount } from "../../lib/money";
import { transferSchema } from "../../lib/validation/transfers";

const { canonicalPayload } = await import("../../lib/step-up/server/payload");

describe("parseAmount: good amounts", () => {
  const good: [string, string, bigint][] = [
    ["USD", "1", 100n],
    ["USD", "0.01", 1n],
    ["USD", ".5", 50n],
    ["USD", "19.99", 1999n],
    ["USD", "1,234.56", 123456n],
    ["USD", "  1000  ", 100000n],
    ["USD", "1,000,000", 100000000n],
    ["USD", "007.10", 710n],
    ["USD", "10000000000", MAX_AMOUNT_MINOR],
    ["JPY", "1", 1n],
    ["JPY", "12,345", 12345n],
    ["BHD", "1.234", 1234n],
    ["BHD", "0.001", 1n],
    ["BHD", "2.5", 2500n],
  ];
  for (const [currency, text, minor] of good) {
    test(`${currency} ${JSON.stringify(text)} → ${minor}`, () => {
      assert.deepEqual(parseAmount(text, currency), { ok: true, minor });
    });
  }
});

describe("parseAmount: bad amounts", () => {
  const bad: [string, string, RegExp][] = [
    ["USD", "", /Enter an amount/],
    ["USD", "   ", /Enter an amount/],
    ["USD", "-5", /can't be negative/],
    ["USD", "−5", /can't be negative/],
    ["USD", "0", /greater than zero/],
    ["USD", "0.00", /greater than zero/],
    ["USD", "1.234", /at most 2 decimal places/],
    ["USD", "1e3", /as digits/],
    ["USD", "1E-2", /as digits/],
    ["USD", "abc", /as digits/],
    ["USD", "12abc", /as digits/],
    ["USD", "$10", /as digits/],
    ["USD", "+10", /as digits/],
    ["USD", "1,23", /as digits/],
    ["USD", "1,2345.00", /as digits/],
    ["USD", "1.", /as digits/],
    ["USD", ".", /as digits/],
    ["USD", "1 000", /as digits/],
    ["USD", "Infinity", /as digits/],
    ["USD", "NaN", /as digits/],
    ["USD", "0x10", /as digits/],
    ["USD", "١٢", /as digits/],
    ["USD", "10000000000.01", /too large/],
    ["USD", "9".repeat(40), /too large/],
    ["JPY", "1.5", /JPY amounts have no decimal places/],
    ["JPY", "1.0", /no decimal places/],
    ["BHD", "1.2345", /at most 3 decimal places/],
  ];
  for (const [currency, text, message] of bad) {
    test(`${currency} ${JSON.stringify(text)} is refused`, () => {
      const result = parseAmount(text, currency);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.message, message);
    });
  }
});

/** `base()` without the typed amount, to send the canonical `amountMinor` instead. */
const withoutAmount = () => Object.fromEntries(Object.entries(base()).filter(([key]) => key !== "amount"));

const base = () => ({ fromAccountId: "acc_from", toAccountId: "acc_to", currency: "USD", amount: "1,234.56", memo: " Rent ", idempotencyKey: randomUUID() });

describe("transferSchema", () => {
  test("the form's input becomes minor units; empty optional fields are dropped, unknown members refused", () => {
    const input = { ...base(), payeeId: "" };
    assert.equal(transferSchema.safeParse({ ...input, ownerId: "someone-else", balanceMinor: "999999", status: "completed" }).success, false);
    const parsed = transferSchema.parse(input);
    assert.deepEqual(parsed, {
      fromAccountId: "acc_from",
      toAccountId: "acc_to",
      currency: "USD",
      amountMinor: 123456n,
      memo: "Rent",
      idempotencyKey: input.idempotencyKey,
    });
  });

  test("the canonical payload parses back to the same request (what the step-up core replays)", () => {
    for (const input of [base(), { ...base(), toAccountId: undefined, payeeId: "payee_1", memo: "" }, { ...base(), currency: "BHD", amount: "1.005" }]) {
      const first = transferSchema.parse(input);
      const payload = canonicalPayload(first);
      assert.equal(typeof payload.value.amountMinor, "string");
      assert.equal("amount" in payload.value, false);
      const again = transferSchema.parse(JSON.parse(payload.json));
      assert.deepEqual(again, first);
      assert.equal(canonicalPayload(again).hash, payload.hash);
    }
  });

  test("canonical amounts must be canonical: no zero, sign, leading zero, decimals or overflow", () => {
    for (const amountMinor of ["0", "-1", "01", "1.5", "1e3", " 1", String(MAX_AMOUNT_MINOR + 1n)]) {
      const result = transferSchema.safeParse({ ...withoutAmount(), amountMinor });
      assert.equal(result.success, false, amountMinor);
    }
    assert.equal(transferSchema.safeParse({ ...withoutAmount(), amountMinor: "123456", amount: "1,234.56" }).success, false, "both forms at once");
  });

  test("every field's error at once, with messages a person can act on", () => {
    const result = transferSchema.safeParse({
      fromAccountId: "",
      currency: "USD",
      amount: "12.345",
      memo: "x".repeat(141),
      idempotencyKey: "not-a-uuid",
    });
    assert.equal(result.success, false);
    const errors: Record<string, string[]> = {};
    for (const issue of result.error!.issues) (errors[issue.path.join(".")] ??= []).push(issue.message);
    assert.deepEqual(Object.keys(errors).sort(), ["amount", "destination", "fromAccountId", "idempotencyKey", "memo"]);
    assert.match(errors.amount![0]!, /at most 2 decimal places/);
    assert.match(errors.memo![0]!, /140 characters/);
  });

  test("destination: exactly one of own account and payee, and not the source itself", () => {
    const both = transferSchema.safeParse({ ...base(), payeeId: "payee_1" });
    const neither = transferSchema.safeParse({ ...base(), toAccountId: "" });
    const self = transferSchema.safeParse({ ...base(), toAccountId: "acc_from" });
    for (const result of [both, neither, self]) {
      assert.equal(result.success, false);
      assert.deepEqual(result.error!.issues.map((issue) => issue.path.join(".")), ["destination"]);
    }
  });

  test("memos with control or text-direction characters are refused", () => {
    for (const memo of ["line\nbreak", "bell\u0007", "rent \u202Egnp.exe", "del\u007f"]) {
      assert.equal(transferSchema.safeParse({ ...base(), memo }).success, false, JSON.stringify(memo));
    }
  });

  test("amounts are parsed for the currency sent with them", () => {
    assert.equal(transferSchema.parse({ ...base(), currency: "JPY", amount: "1,234" }).amountMinor, 1234n);
    assert.equal(transferSchema.safeParse({ ...base(), currency: "JPY", amount: "12.34" }).success, false);
    assert.equal(transferSchema.safeParse({ ...base(), currency: "usd" }).success, false);
  });
});
