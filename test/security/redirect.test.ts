import { test } from "node:test";
import assert from "node:assert/strict";
import { redirectAfterSignIn, safeRedirectPath } from "@/lib/security/redirect";

const base = "https://portal.example";

test("same-origin relative paths pass, with their query and fragment", () => {
  assert.equal(safeRedirectPath("/dashboard", base), "/dashboard");
  assert.equal(safeRedirectPath("/finance/accounts/a1?month=2026-10#top", base), "/finance/accounts/a1?month=2026-10#top");
  assert.equal(redirectAfterSignIn({ url: "/transfer", baseUrl: base }), "https://portal.example/transfer");
});

test("the portal's own origin followed by a path passes (Auth.js's callback-url cookie holds that form)", () => {
  assert.equal(safeRedirectPath(`${base}/dashboard`, base), "/dashboard");
  assert.equal(safeRedirectPath(`${base}//attacker.example`, base), null);
  assert.equal(safeRedirectPath(`${base}.attacker.example/`, base), null);
  assert.equal(safeRedirectPath(`${base}@attacker.example/`, base), null);
});

test("absolute URLs, other hosts in disguise and script URLs are refused, to the home page", () => {
  for (const target of [
    "https://attacker.example/",
    "http://portal.example/dashboard",
    "//attacker.example",
    "/\\attacker.example",
    "/\t/attacker.example",
    "/\n/attacker.example",
    "javascript:alert(1)",
    "dashboard",
    "",
    `/${"a".repeat(600)}`,
  ]) {
    assert.equal(safeRedirectPath(target, base), null, JSON.stringify(target));
    assert.equal(redirectAfterSignIn({ url: target, baseUrl: base }), base, JSON.stringify(target));
  }
});

test("encoded slashes stay a path on the portal", () => {
  assert.equal(safeRedirectPath("/%2F%2Fattacker.example", base), "/%2F%2Fattacker.example");
});
