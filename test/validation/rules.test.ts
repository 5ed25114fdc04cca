/**
 * The forms' rules (lib/validation/rules.ts) give the browser and the server the same answer: the
 * form runs `checkForm(rules, input)` before sending, the action parses with `formSchema(rules)`
 * (zod), and for every input both report the same messages on the same fields, or the same output.
 */
import "../support/portal-env";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import type { z } from "zod";
import { fieldErrorsOf } from "../../lib/actions/field-errors";
import { checkForm, formRules, id, optional, text, type FormRules, type Rule } from "../../lib/validation/rules";
import { createPayeeRules, updateLimitsRules, updatePayeeRules } from "../../lib/validation/settings-rules";
import { transferRules } from "../../lib/validation/transfer-rules";
import { createPayeeSchema, updateLimitsSchema, updatePayeeSchema } from "../../lib/validation/settings";
import { transferSchema } from "../../lib/validation/transfers";

const transfer = { fromAccountId: "acc_from", toAccountId: "acc_to", payeeId: "", currency: "USD", amount: "1,234.56", memo: " Rent ", idempotencyKey: randomUUID() };
const payee = { name: "Contoso", bankName: "Fabrikam Bank", accountNumber: "1234-5678" };
const limits = { currency: "USD", perTransfer: "5,000.00", daily: "10,000.00", currentPerTransferMinor: "250000", currentDailyMinor: "500000" };

/** For each input: the same output, or the same messages on the same fields. */
function sameAnswer<F extends Record<string, Rule<unknown>>, O>(rules: FormRules<F, O>, schema: z.ZodType<O>, inputs: object[]): void {
  for (const input of inputs) {
    const browser = checkForm(rules, input);
    const server = schema.safeParse(input);
    if (browser.ok) {
      assert.equal(server.success, true, JSON.stringify(input));
      assert.deepEqual(server.data, browser.value);
    } else {
      assert.equal(server.success, false, JSON.stringify(input));
      assert.deepEqual(fieldErrorsOf(server.error!), browser.fieldErrors, JSON.stringify(input));
    }
  }
}

// Inputs a form may send, and some it never would (the server sees both).
describe("the browser and the server give the same answer", () => {
  test("transfer", () =>
    sameAnswer(transferRules, transferSchema, [
      transfer,
      { ...transfer, toAccountId: "", payeeId: "payee_1", memo: "" },
      { ...transfer, fromAccountId: "", toAccountId: "", amount: "", memo: "Rent\u200B", idempotencyKey: "expired" },
      { ...transfer, amount: "12.345", memo: "x".repeat(141) },
      { ...transfer, toAccountId: "acc_from" },
      { ...transfer, payeeId: "payee_1" },
      { ...transfer, currency: "usd" },
      { fromAccountId: "", currency: "usd", amountMinor: "-5" },
      { ...transfer, currency: "JPY", amount: "1,234" },
      { ...transfer, amount: undefined, amountMinor: "123456" },
      { ...transfer, amountMinor: "123456" },
      { ...transfer, amount: 12 },
      { ...transfer, toAccountId: "x".repeat(65) },
    ]));

  test("new payee", () =>
    sameAnswer(createPayeeRules, createPayeeSchema, [payee, { name: " ", bankName: "", accountNumber: "12" }, { ...payee, name: "Ｃｏｎｔｏｓｏ", accountNumber: "12 34 56 78" }, {}]));

  test("payee details", () =>
    sameAnswer(updatePayeeRules, updatePayeeSchema, [{ ...payee, payeeId: "payee_1" }, { ...payee, payeeId: "payee_1", accountNumber: "" }, { ...payee, payeeId: "", accountNumber: "abc" }]));

  test("limits", () =>
    sameAnswer(updateLimitsRules, updateLimitsSchema, [
      limits,
      { ...limits, perTransfer: "20,000.00" },
      { ...limits, perTransfer: "", daily: "-1" },
      { ...limits, perTransfer: undefined, perTransferMinor: "100", daily: undefined, dailyMinor: "200" },
      { ...limits, perTransferMinor: "100" },
      { ...limits, currency: "dollars", currentDailyMinor: "0" },
    ]));
});

describe("checkForm", () => {
  const rules = formRules({
    fields: { from: id("Choose an account."), to: id("Choose an account."), note: optional(text("Write a note.")) },
    check(values, report, passed) {
      if (passed("from", "to") && values.from === values.to) report("to", "Choose a different account.");
    },
    output: (values) => values,
  });

  test("every member's problem at once, the cross-member ones included", () => {
    assert.deepEqual(checkForm(rules, { from: "", to: "", note: 3 }), {
      ok: false,
      fieldErrors: { from: ["Choose an account."], to: ["Choose an account."], note: ["Write a note."] },
    });
    assert.deepEqual(checkForm(rules, { from: "a", to: " a ", note: 3 }), { ok: false, fieldErrors: { note: ["Write a note."], to: ["Choose a different account."] } });
  });

  test("a cross-member check stands aside when a member it needs failed", () => {
    assert.deepEqual(checkForm(rules, { from: "", to: "a" }), { ok: false, fieldErrors: { from: ["Choose an account."] } });
  });

  test("the output has the parsed values, absent members left out, unknown members dropped", () => {
    assert.deepEqual(checkForm(rules, { from: " a ", to: "b", owner: "someone else" }), { ok: true, value: { from: "a", to: "b" } });
  });
});
