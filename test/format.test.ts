import { test } from "node:test";
import assert from "node:assert/strict";
import { formatMoney, minorDigits, minorToDecimalString } from "../lib/format";

test("minor units convert to exact decimal strings", () => {
  assert.equal(minorToDecimalString(199_999n, "USD"), "1999.99");
  assert.equal(minorToDecimalString(-5n, "USD"), "-0.05");
  assert.equal(minorToDecimalString(1234n, "JPY"), "1234");
  assert.equal(minorToDecimalString(1234n, "BHD"), "1.234");
  // Beyond Number.MAX_SAFE_INTEGER: no float ever touches the amount.
  assert.equal(minorToDecimalString(9_007_199_254_740_993n, "USD"), "90071992547409.93");
});

test("currency formatting keeps every digit", () => {
  assert.equal(formatMoney(123456n, "USD"), "$1,234.56");
  assert.equal(formatMoney("-123456", "USD"), "-$1,234.56");
  assert.equal(formatMoney(9_007_199_254_740_993n, "USD"), "$90,071,992,547,409.93");
  assert.equal(formatMoney(500n, "EUR", { signDisplay: "always" }), "+€5.00");
});

test("minor digits follow ISO 4217", () => {
  assert.equal(minorDigits("USD"), 2);
  assert.equal(minorDigits("JPY"), 0);
  assert.equal(minorDigits("KWD"), 3);
});
