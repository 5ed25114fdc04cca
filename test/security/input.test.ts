import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { MAX_INPUT_BYTES, checkUntrustedInput } from "@/lib/security/input";
import { transferSchema } from "@/lib/validation/transfers";

const schema = z.object({ accountId: z.string(), nested: z.object({ a: z.string() }).optional() });

test("plain data the schema declares passes", () => {
  assert.deepEqual(checkUntrustedInput({ accountId: "a1", nested: { a: "x" } }, schema), { ok: true });
  assert.deepEqual(checkUntrustedInput(undefined, schema), { ok: true });
});

test("members the schema does not declare are refused by path, at the top and nested", () => {
  assert.deepEqual(checkUntrustedInput({ accountId: "a1", ownerId: "someone-else", nested: { a: "x", b: "y" } }, schema), {
    ok: false,
    fieldErrors: { ownerId: ["This field is not accepted."], "nested.b": ["This field is not accepted."] },
  });
});

test("the unknown-member check looks through transforms, preprocess and refinements (the transfer schema)", () => {
  const refusal = checkUntrustedInput({ fromAccountId: "a", toAccountId: "b", currency: "USD", amount: "1", idempotencyKey: crypto.randomUUID(), status: "completed" }, transferSchema);
  assert.deepEqual(refusal, { ok: false, fieldErrors: { status: ["This field is not accepted."] } });
  const preprocessed = z.preprocess((v) => v, z.object({ a: z.string() }).superRefine(() => undefined));
  assert.equal(checkUntrustedInput({ a: "x", b: 1 }, preprocessed).ok, false);
});

test("a schema that opts in to extra members with a catch-all keeps them", () => {
  assert.deepEqual(checkUntrustedInput({ a: "x", extra: 1 }, z.looseObject({ a: z.string() })), { ok: true });
});

test("prototype-pollution keys are refused at any depth, however they were created", () => {
  for (const input of [JSON.parse('{"accountId":"a","__proto__":{"isAdmin":true}}'), { accountId: "a", constructor: { prototype: {} } }, { accountId: "a", nested: JSON.parse('{"a":"x","__proto__":{}}') }]) {
    const result = checkUntrustedInput(input, schema);
    assert.equal(result.ok, false, JSON.stringify(input));
  }
  assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
});

test("values that are not plain data are refused: dates, maps, bigints, class instances, non-finite numbers", () => {
  for (const value of [new Date(), new Map(), 1n, new (class X {})(), Number.NaN, Infinity, () => 1, Symbol("s")]) {
    assert.equal(checkUntrustedInput({ accountId: value }).ok, false, String(typeof value));
  }
});

test("oversized and deeply nested inputs are refused", () => {
  assert.equal(checkUntrustedInput({ accountId: "x".repeat(MAX_INPUT_BYTES) }).ok, false);
  let deep: unknown = "x";
  for (let i = 0; i < 20; i++) deep = { a: deep };
  assert.equal(checkUntrustedInput(deep).ok, false);
});
