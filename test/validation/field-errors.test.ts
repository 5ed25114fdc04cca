/**
 * Undeclared members are refused, never dropped (ASVS 5.0 V2.2.1, V15.3.3): every object schema
 * in lib/validation is a `z.strictObject`, and lib/actions/field-errors.ts turns a failed parse
 * into the field errors actions and the API answer with, naming each undeclared member.
 */
import "../support/portal-env";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { z } from "zod";
import { fieldErrorsOf, unknownMembersOf } from "../../lib/actions/field-errors";
import { transferSchema } from "../../lib/validation/transfers";

const VALIDATION = path.join(import.meta.dirname, "..", "..", "lib", "validation");

test("every object schema exported by lib/validation refuses a member it does not declare", async () => {
  const checked: string[] = [];
  for (const file of readdirSync(VALIDATION).filter((name) => name.endsWith(".ts"))) {
    const exports = (await import(path.join(VALIDATION, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (!(value instanceof z.ZodType)) continue;
      const result = value.safeParse({ smuggled: "x" });
      // Not an object schema (a month, a format): the input is refused as a whole.
      if (!result.success && result.error.issues.some((issue) => (issue.code === "invalid_type" || issue.code === "invalid_value") && issue.path.length === 0)) continue;
      assert.equal(result.success, false, `${file} ${name} accepted an undeclared member`);
      assert.deepEqual(unknownMembersOf(result.error!), ["smuggled"], `${file} ${name}`);
      checked.push(name);
    }
  }
  for (const name of ["transferSchema", "createPayeeSchema", "removePayeeSchema", "notificationPreferencesSchema", "endOtherSessionsSchema", "revealAccountNumberSchema", "statementDownloadSchema"]) {
    assert.ok(checked.includes(name), `${name} was checked`);
  }
});

test("undeclared members are the whole answer, each by its path, at the top and nested", () => {
  const schema = z.strictObject({ accountId: z.string("Choose an account."), nested: z.strictObject({ a: z.string() }).optional() });
  const result = schema.safeParse({ accountId: 1, ownerId: "someone-else", nested: { a: "x", b: "y" } });
  assert.deepEqual(fieldErrorsOf(result.error!), { ownerId: ["This field is not accepted."], "nested.b": ["This field is not accepted."] });
});

test("the transfer schema refuses an undeclared member before its rules run", () => {
  const result = transferSchema.safeParse({ fromAccountId: "a", toAccountId: "b", currency: "USD", amount: "1", idempotencyKey: crypto.randomUUID(), status: "completed" });
  assert.deepEqual(fieldErrorsOf(result.error!), { status: ["This field is not accepted."] });
});

test("otherwise every issue's message under its dotted path, and `form` for the input as a whole", () => {
  const schema = z.strictObject({ amount: z.string("Enter an amount."), to: z.strictObject({ id: z.string("Choose a payee.") }) }).refine(() => false, "Check the form.");
  assert.deepEqual(fieldErrorsOf(schema.safeParse({ to: {} }).error!), { amount: ["Enter an amount."], "to.id": ["Choose a payee."] });
  assert.deepEqual(fieldErrorsOf(schema.safeParse({ amount: "1", to: { id: "p" } }).error!), { form: ["Check the form."] });
});
