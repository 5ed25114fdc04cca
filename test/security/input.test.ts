import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_INPUT_BYTES, checkUntrustedInput } from "@/lib/security/input";

test("plain data passes", () => {
  assert.deepEqual(checkUntrustedInput({ accountId: "a1", nested: { a: "x" }, list: [1, "two", null, true] }), { ok: true });
  assert.deepEqual(checkUntrustedInput(undefined), { ok: true });
});

test("prototype-pollution keys are refused at any depth, however they were created", () => {
  for (const input of [JSON.parse('{"accountId":"a","__proto__":{"isAdmin":true}}'), { accountId: "a", constructor: { prototype: {} } }, { accountId: "a", nested: JSON.parse('{"a":"x","__proto__":{}}') }]) {
    const result = checkUntrustedInput(input);
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
