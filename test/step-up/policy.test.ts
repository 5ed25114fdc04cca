/**
 * lib/step-up/policy.ts: the operation table in both policy sets, failing closed, and the
 * rule that authentication context ids appear nowhere else in the portal's code.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { contextNeedsPasskey, resolveRequirement, type PolicySetName } from "../../lib/step-up/policy";
import { REPO_ROOT } from "../db/support";

const transfer = (set: PolicySetName, amountMinor: bigint, currency = "USD", newPayee = false, unverifiedTodayMinor = 0n) =>
  resolveRequirement(set, "transfer.create", { amountMinor, currency, newPayee, unverifiedTodayMinor });

const contextOf = (resolution: ReturnType<typeof resolveRequirement>) =>
  resolution.kind === "required" ? resolution.requirement.authContext : resolution.kind;

test("statements: c3, session-bound, elevated for 15 minutes, as fresh as the provider's c3", () => {
  for (const set of ["production", "staging"] as const) {
    assert.deepEqual(resolveRequirement(set, "finance.viewStatements"), {
      kind: "required",
      requirement: { binding: "session", authContext: "c3", maxAgeSeconds: 3600, elevationSeconds: 900 },
    });
  }
});

test("security.update: c2, transaction-bound, 5 minutes", () => {
  assert.deepEqual(resolveRequirement("production", "security.update"), {
    kind: "required",
    requirement: { binding: "transaction", authContext: "c2", maxAgeSeconds: 300 },
  });
});

test("limits.update: lowering needs nothing, raising is a security change (c2, transaction-bound) in both sets", () => {
  for (const set of ["production", "staging"] as const) {
    assert.deepEqual(resolveRequirement(set, "limits.update", { raises: false }), { kind: "none" });
    assert.deepEqual(resolveRequirement(set, "limits.update", { raises: true }), resolveRequirement(set, "security.update"));
  }
  // Fails closed: without the fact it decides on, the rule cannot run.
  assert.deepEqual(resolveRequirement("production", "limits.update"), { kind: "denied", reason: "policy_error" });
});

test("transfers in production: none below 1,000.00, c1 from it, c2 from 10,000.00", () => {
  assert.equal(contextOf(transfer("production", 99_999n)), "none");
  assert.equal(contextOf(transfer("production", 100_000n)), "c1");
  assert.equal(contextOf(transfer("production", 999_999n)), "c1");
  assert.equal(contextOf(transfer("production", 1_000_000n)), "c2");
  const c1 = transfer("production", 100_000n);
  assert.ok(c1.kind === "required" && c1.requirement.binding === "transaction" && c1.requirement.maxAgeSeconds === 300);
});

test("below the threshold, the transfer that would take the day's unverified total past 1,000.00 needs c1", () => {
  assert.equal(contextOf(transfer("production", 99_900n, "USD", false, 0n)), "none");
  assert.equal(contextOf(transfer("production", 100n, "USD", false, 99_900n)), "none", "reaching the allowance exactly is within it");
  assert.equal(contextOf(transfer("production", 101n, "USD", false, 99_900n)), "c1");
  assert.equal(contextOf(transfer("production", 99_900n, "USD", false, 99_900n)), "c1");
  assert.deepEqual(transfer("production", 101n, "USD", false, 99_900n), transfer("production", 100_000n), "the same requirement as a transfer from the threshold");
  // A new payee still needs c2; the allowance never weakens a stronger rule.
  assert.equal(contextOf(transfer("production", 101n, "USD", true, 99_900n)), "c2");
  // In the account's currency, and ten times lower in staging, like the threshold.
  assert.equal(contextOf(transfer("production", 1n, "JPY", false, 1_000n)), "c1");
  assert.equal(contextOf(transfer("production", 1n, "JPY", false, 999n)), "none");
  assert.equal(contextOf(transfer("staging", 1n, "USD", false, 10_000n)), "c1");
  assert.equal(contextOf(transfer("staging", 1n, "USD", false, 9_999n)), "none");
  // Fails closed without the fact.
  assert.deepEqual(resolveRequirement("production", "transfer.create", { amountMinor: 100n, currency: "USD", newPayee: false }), { kind: "denied", reason: "policy_error" });
});

test("the policy's description names the unverified allowance, as the rule decides it", async () => {
  const { describePolicy } = await import("../../lib/step-up/policy");
  const transfers = describePolicy("production").find((entry) => entry.operation === "transfer.create");
  const past = transfers?.cases.find((entry) => /past 1,000\.00 USD/.test(entry.when));
  assert.ok(past, "a case for passing the allowance");
  assert.equal(contextOf(past.outcome), "c1");
});

test("a new payee needs c2 at any amount, even below the threshold", () => {
  assert.equal(contextOf(transfer("production", 1n, "USD", true)), "c2");
  assert.equal(contextOf(transfer("production", 150_000n, "USD", true)), "c2");
});

test("thresholds scale with the currency's minor units", () => {
  assert.equal(contextOf(transfer("production", 999n, "JPY")), "none");
  assert.equal(contextOf(transfer("production", 1_000n, "JPY")), "c1");
  assert.equal(contextOf(transfer("production", 10_000n, "JPY")), "c2");
  assert.equal(contextOf(transfer("production", 999_999n, "BHD")), "none");
  assert.equal(contextOf(transfer("production", 1_000_000n, "BHD")), "c1");
});

test("staging asks for the same contexts from lower thresholds", () => {
  assert.equal(contextOf(transfer("staging", 9_999n)), "none");
  assert.equal(contextOf(transfer("staging", 10_000n)), "c1");
  assert.equal(contextOf(transfer("staging", 100_000n)), "c2");
  assert.deepEqual(resolveRequirement("staging", "security.update"), resolveRequirement("production", "security.update"));
});

test("fails closed: unknown operations, missing or odd input, an unknown set", () => {
  assert.deepEqual(resolveRequirement("production", "transfer.delete"), { kind: "denied", reason: "unknown_operation" });
  assert.deepEqual(resolveRequirement("production", "toString"), { kind: "denied", reason: "unknown_operation" });
  assert.deepEqual(resolveRequirement("production", "__proto__"), { kind: "denied", reason: "unknown_operation" });
  assert.deepEqual(resolveRequirement("production", "transfer.create"), { kind: "denied", reason: "policy_error" });
  assert.deepEqual(transfer("production", 0n), { kind: "denied", reason: "policy_error" });
  assert.deepEqual(transfer("production", -500_000n), { kind: "denied", reason: "policy_error" });
  assert.deepEqual(transfer("production", 100n, "not a currency"), { kind: "denied", reason: "policy_error" });
  assert.deepEqual(resolveRequirement("qa" as PolicySetName, "security.update"), { kind: "denied", reason: "policy_error" });
});

test("an unknown operation does not compile", () => {
  // @ts-expect-error "transfer.delete" is not in the policy table.
  const guard: import("../../lib/step-up/policy").StepUpOperation = "transfer.delete";
  assert.ok(guard);
});

test("authentication context ids appear in no other portal code than policy.ts", () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) {
        if (name !== "generated" && name !== "node_modules") walk(full);
        continue;
      }
      if (!/\.(ts|tsx)$/.test(name) || full.endsWith(path.join("lib", "step-up", "policy.ts"))) continue;
      readFileSync(full, "utf8")
        .split("\n")
        .forEach((line, index) => {
          const code = line.replace(/\/\/.*$/, "").trim();
          if (code.startsWith("*") || code.startsWith("/*")) return;
          if (/["'`]c\d{1,2}["'`]/.test(code)) offenders.push(`${path.relative(REPO_ROOT, full)}:${index + 1}`);
        });
    }
  };
  for (const dir of ["lib", "app", "components"]) walk(path.join(REPO_ROOT, dir));
  assert.deepEqual(offenders, []);
});

test("the wording of each context follows the policy set: staging's c2 does not promise a passkey", async () => {
  const { describeContext, describeStrength } = await import("../../lib/step-up/policy");
  assert.match(describeContext("production", "c2").description, /passkey/);
  assert.doesNotMatch(describeContext("staging", "c2").description, /^Verified with a phishing-resistant passkey/);
  assert.equal(describeContext("staging", "c1"), describeContext("production", "c1"));
  assert.equal(describeStrength(["c2"], "staging").label, "Multi-factor, just now");
  assert.equal(describeStrength(["c2"]).label, "Passkey, just now");
});

test("the transfer form's hint asks the rule itself: what is needed and why, in the account's currency", async () => {
  const { describeTransferStepUp } = await import("../../lib/step-up/policy");
  const facts = (amountMinor: bigint, extra: { currency?: string; newPayee?: boolean; unverifiedTodayMinor?: bigint } = {}) => ({
    amountMinor,
    currency: extra.currency ?? "USD",
    newPayee: extra.newPayee ?? false,
    unverifiedTodayMinor: extra.unverifiedTodayMinor ?? 0n,
  });
  assert.deepEqual(describeTransferStepUp("production", facts(99_999n)), { authContext: null, asks: "", because: "" });
  const threshold = describeTransferStepUp("production", facts(100_000n));
  assert.equal(threshold.authContext, "c1");
  assert.equal(threshold.because, "it is 1,000.00 USD or more");
  assert.match(threshold.asks, /^a second factor/);
  assert.deepEqual(describeTransferStepUp("production", facts(1_000_000n)), { authContext: "c2", asks: "a passkey", because: "it is 10,000.00 USD or more" });
  assert.equal(describeTransferStepUp("production", facts(100n, { newPayee: true })).because, "it is your first payment to this payee");
  assert.equal(
    describeTransferStepUp("production", facts(50_000n, { unverifiedTodayMinor: 60_000n })).because,
    "it would take what left this account today without verification past 1,000.00 USD",
  );
  assert.equal(describeTransferStepUp("production", facts(1_000n, { currency: "JPY" })).because, "it is 1,000 JPY or more");
  // Staging's c2 is any second factor at the identity provider: the hint must not promise a passkey.
  assert.deepEqual(describeTransferStepUp("staging", facts(100_000n)), { authContext: "c2", asks: "a second factor", because: "it is 1,000.00 USD or more" });
});

test("only production's c2 accepts nothing but a passkey, so only its failures say how to get one", () => {
  assert.equal(contextNeedsPasskey("production", "c2"), true);
  assert.equal(contextNeedsPasskey("production", "c1"), false);
  assert.equal(contextNeedsPasskey("production", "c3"), false);
  assert.equal(contextNeedsPasskey("staging", "c2"), false);
});
