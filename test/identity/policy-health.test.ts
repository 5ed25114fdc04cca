/**
 * lib/identity/policy-health.ts (the judgement the admin page and `npm run doctor` share) and the
 * Graph client's token cache and paging (lib/identity/graph.ts), on hand-made Graph data.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { contextEnforcement, hourlyFailureCounts, reportOnlyFailures, stepUpRates, summarizeHourly, unenforcedIssuances } from "../../lib/identity/policy-health";
import type { GraphPolicy, GraphSignIn } from "../../lib/identity/graph-types";
import { mergeSignIns, NON_INTERACTIVE_SIGN_INS, signInReads } from "../../lib/identity/sign-in-reads";

const policy = (id: string, state: GraphPolicy["state"], contexts: string[], controls: string[] = ["mfa"]): GraphPolicy => ({
  id,
  displayName: `policy ${id}`,
  state,
  conditions: { applications: { includeAuthenticationContextClassReferences: contexts } },
  grantControls: { builtInControls: controls },
});

const signIn = (fields: Partial<GraphSignIn>): GraphSignIn => ({ id: crypto.randomUUID(), createdDateTime: new Date().toISOString(), correlationId: crypto.randomUUID(), ...fields });

test("contextEnforcement: enforced, report-only, unenforced (a policy without a grant control or disabled does not count), unpublished", () => {
  const contexts = [{ id: "c1", isAvailable: true }, { id: "c2", isAvailable: true }, { id: "c3", isAvailable: true }, { id: "c4", isAvailable: false }];
  const policies = [
    policy("p1", "enabled", ["c1"]),
    policy("p2", "enabledForReportingButNotEnforced", ["c1", "c2"]),
    policy("p3", "disabled", ["c3"]),
    policy("p4", "enabled", ["c3"], []),
  ];
  const result = contextEnforcement(["c1", "c2", "c3", "c4", "c5"], contexts, policies);
  assert.deepEqual(
    result.map((c) => [c.id, c.status, c.enforcing.map((p) => p.id), c.reportOnly.map((p) => p.id)]),
    [
      ["c1", "enforced", ["p1"], ["p2"]],
      ["c2", "report_only", [], ["p2"]],
      ["c3", "unenforced", [], []],
      ["c4", "unpublished", [], []],
      ["c5", "unpublished", [], []],
    ],
  );
});

test("unenforcedIssuances: a context issued while none of its enforcing policies applied; failed sign-ins issue nothing", () => {
  const enforcement = contextEnforcement(["c1", "c2"], [{ id: "c1" }, { id: "c2" }], [policy("p1", "enabled", ["c1"]), policy("p2", "enabled", ["c2"])]);
  const enforced = signIn({ authenticationContextClassReferences: [{ id: "c1" }], appliedConditionalAccessPolicies: [{ id: "p1", result: "success" }], uniqueTokenIdentifier: "u1" });
  const unenforced = signIn({ authenticationContextClassReferences: [{ id: "c2" }], appliedConditionalAccessPolicies: [{ id: "p1", result: "success" }, { id: "p2", result: "notApplied" }], uniqueTokenIdentifier: "u2" });
  const failed = signIn({ status: { errorCode: 50076 }, authenticationContextClassReferences: [{ id: "c2" }] });
  const other = signIn({ authenticationContextClassReferences: [{ id: "c9" }] });
  assert.deepEqual(
    unenforcedIssuances([enforced, unenforced, failed, other], enforcement).map((u) => [u.context, u.correlationId, u.uniqueTokenIdentifier]),
    [["c2", unenforced.correlationId, "u2"]],
  );
});

test("reportOnlyFailures lists would-be failures and interruptions only", () => {
  const entry = signIn({ appliedConditionalAccessPolicies: [
    { id: "a", displayName: "A", result: "reportOnlyFailure" },
    { id: "b", displayName: "B", result: "reportOnlySuccess" },
    { id: "c", displayName: "C", result: "reportOnlyInterrupted" },
    { id: "d", displayName: "D", result: "failure" },
  ] });
  assert.deepEqual(reportOnlyFailures([entry]).map((f) => [f.policyName, f.result]), [["A", "reportOnlyFailure"], ["C", "reportOnlyInterrupted"]]);
});

test("hourlyFailureCounts: 24 hourly buckets ending with this hour, MFA-required and blocked counts, spikes against the other hours' average", () => {
  const now = new Date("2026-11-29T12:30:00Z");
  const at = (iso: string, errorCode: number) => signIn({ createdDateTime: iso, status: { errorCode } });
  const entries = [
    at("2026-11-29T12:05:00Z", 50076), at("2026-11-29T12:06:00Z", 50076), at("2026-11-29T12:07:00Z", 50079), at("2026-11-29T12:08:00Z", 50076),
    at("2026-11-29T03:00:00Z", 50076),
    at("2026-11-29T11:59:59Z", 53003), at("2026-11-29T11:10:00Z", 53003),
    at("2026-11-28T13:00:00Z", 53003),
    at("2026-11-28T12:59:59Z", 53003), // before the window
    at("2026-11-29T12:10:00Z", 0),
  ];
  const hours = hourlyFailureCounts(entries, now);
  assert.equal(hours.length, 24);
  assert.equal(hours[0]!.hourStart, "2026-11-28T13:00:00.000Z");
  assert.equal(hours[23]!.hourStart, "2026-11-29T12:00:00.000Z");
  assert.deepEqual([hours[23]!.mfaRequired, hours[23]!.blocked, hours[23]!.mfaRequiredSpike], [4, 0, true]);
  assert.deepEqual([hours[22]!.blocked, hours[22]!.blockedSpike], [2, false]);
  assert.equal(hours[0]!.blocked, 1);
  assert.equal(hours.reduce((sum, h) => sum + h.mfaRequired, 0), 5);
  assert.ok(!hours.slice(0, 23).some((h) => h.mfaRequiredSpike));
});

test("summarizeHourly: a quiet day has no busy hours; a busy one keeps only the hours with events, with totals and the peak", () => {
  const now = new Date("2026-11-29T12:30:00Z");
  const quiet = summarizeHourly(hourlyFailureCounts([], now));
  assert.deepEqual(quiet, { mfaRequired: 0, blocked: 0, busyHours: [], peak: 0 });
  const at = (iso: string, errorCode: number) => signIn({ createdDateTime: iso, status: { errorCode } });
  const busy = summarizeHourly(hourlyFailureCounts([at("2026-11-29T12:05:00Z", 50076), at("2026-11-29T12:06:00Z", 50076), at("2026-11-29T03:00:00Z", 53003)], now));
  assert.deepEqual(busy.busyHours.map((h) => [h.hourStart, h.mfaRequired, h.blocked]), [["2026-11-29T03:00:00.000Z", 0, 1], ["2026-11-29T12:00:00.000Z", 2, 0]]);
  assert.deepEqual([busy.mfaRequired, busy.blocked, busy.peak], [2, 1, 2]);
});

test("stepUpRates: matched by pending operation (transaction) or by user and operation (session); abandoned after the window, open before it", () => {
  const t0 = new Date("2026-11-29T10:00:00Z");
  const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
  const events = [
    { userId: "u", operation: "transfer.create", outcome: "required", createdAt: at(0), details: { pendingOperationId: "p1" } },
    { userId: "u", operation: "transfer.create", outcome: "executed", createdAt: at(1), details: { pendingOperationId: "p1", uti: "x" } },
    { userId: "u", operation: "transfer.create", outcome: "required", createdAt: at(2), details: { pendingOperationId: "p2" } },
    { userId: "u", operation: "transfer.create", outcome: "rejected:missing_context", createdAt: at(3), details: { pendingOperationId: "p2" } },
    { userId: "u", operation: "transfer.create", outcome: "required", createdAt: at(4), details: { pendingOperationId: "p3" } },
    // Answered too late to count (after the 10-minute window).
    { userId: "u", operation: "transfer.create", outcome: "executed", createdAt: at(20), details: { pendingOperationId: "p3", uti: "y" } },
    { userId: "v", operation: "finance.viewStatements", outcome: "required", createdAt: at(0), details: {} },
    { userId: "v", operation: "finance.viewStatements", outcome: "satisfied", createdAt: at(2), details: { via: "proof" } },
    { userId: "w", operation: "finance.viewStatements", outcome: "required", createdAt: at(30), details: {} },
  ];
  assert.deepEqual(stepUpRates(events, at(35)), [
    { operation: "finance.viewStatements", required: 2, satisfied: 1, rejected: 0, abandoned: 0, open: 1 },
    { operation: "transfer.create", required: 3, satisfied: 1, rejected: 1, abandoned: 1, open: 0 },
  ]);
});

// Graph's v1.0 List signIns is interactive only; beta lists the non-interactive ones by signInEventTypes.
test("signInReads: v1.0 with the filter, beta with the filter and the signInEventTypes any() clause; no filter reads everything of each kind", () => {
  const [interactive, nonInteractive] = signInReads("userId eq 'x'", 5_000);
  assert.deepEqual([interactive.kind, interactive.path], ["interactive", "v1.0/auditLogs/signIns?%24filter=userId+eq+%27x%27&%24top=1000"]);
  const beta = new URL(`https://graph.test/${nonInteractive.path}`);
  assert.deepEqual([nonInteractive.kind, beta.pathname, beta.searchParams.get("$filter"), beta.searchParams.get("$top")], ["nonInteractive", "/beta/auditLogs/signIns", `userId eq 'x' and ${NON_INTERACTIVE_SIGN_INS}`, "1000"]);
  const [all, allSilent] = signInReads("", 10);
  assert.deepEqual([all.path, new URL(`https://graph.test/${allSilent.path}`).searchParams.get("$filter")], ["v1.0/auditLogs/signIns?%24top=10", NON_INTERACTIVE_SIGN_INS]);
});

test("mergeSignIns: newest first across both reads, an entry listed twice kept once, capped", () => {
  const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, "0")}:00Z`;
  const interactive = [signIn({ id: "i2", createdDateTime: at(20) }), signIn({ id: "i1", createdDateTime: at(5) })];
  const silent = [signIn({ id: "n2", createdDateTime: at(30) }), signIn({ id: "i2", createdDateTime: at(20) }), signIn({ id: "n1", createdDateTime: at(10) })];
  assert.deepEqual(mergeSignIns([interactive, silent], 10).map((s) => s.id), ["n2", "i2", "n1", "i1"]);
  assert.deepEqual(mergeSignIns([interactive, silent], 2).map((s) => s.id), ["n2", "i2"]);
});

test("unenforcedIssuances and reportOnlyFailures count a non-interactive sign-in (a refresh) like an interactive one", () => {
  const enforcement = contextEnforcement(["c3"], [{ id: "c3", isAvailable: true }], [policy("p3", "enabled", ["c3"]), policy("r3", "enabledForReportingButNotEnforced", ["c3"])]);
  const refresh = signIn({
    signInEventTypes: ["nonInteractiveUser"],
    isInteractive: false,
    correlationId: "corr-refresh",
    uniqueTokenIdentifier: "uti-refresh",
    authenticationContextClassReferences: [{ id: "c3", detail: "previouslySatisfied" }],
    appliedConditionalAccessPolicies: [
      { id: "p3", result: "notApplied" },
      { id: "r3", displayName: "policy r3", result: "reportOnlyFailure" },
    ],
  });
  assert.deepEqual(unenforcedIssuances([refresh], enforcement).map((u) => [u.context, u.correlationId, u.uniqueTokenIdentifier]), [["c3", "corr-refresh", "uti-refresh"]]);
  assert.deepEqual(reportOnlyFailures([refresh]).map((f) => [f.policyId, f.result, f.correlationId]), [["r3", "reportOnlyFailure", "corr-refresh"]]);
});
