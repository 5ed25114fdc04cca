/**
 * lib/activity-feed.ts: audit rows, sign-ins and directory audit entries become the
 * items a person reads on "Security activity", grouped and newest first.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { GraphDirectoryAudit, GraphSignIn } from "../lib/identity/graph-types";
import { buildActivityFeed, groupAuditEvents, type FeedAuditEvent } from "../lib/activity-feed";

const T0 = Date.parse("2026-03-12T14:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);
let nextId = 0;
function row(seconds: number, operation: string, outcome: string, correlationId: string, details: FeedAuditEvent["details"] = {}): FeedAuditEvent {
  nextId += 1;
  return { id: `row-${String(nextId).padStart(3, "0")}`, operation, outcome, correlationId, createdAt: at(seconds), details };
}
function signIn(seconds: number, overrides: Partial<GraphSignIn> = {}): GraphSignIn {
  nextId += 1;
  return {
    id: `sign-in-${nextId}`,
    createdDateTime: at(seconds).toISOString(),
    correlationId: `sign-in-corr-${nextId}`,
    isInteractive: true,
    status: { errorCode: 0 },
    deviceDetail: { browser: "Chrome 140.0.0", operatingSystem: "Linux" },
    authenticationDetails: [],
    ...overrides,
  };
}
const totpOk = { authenticationMethod: "Software OATH token", succeeded: true, authenticationStepRequirement: "Multifactor authentication" };
const totpWrong = { authenticationMethod: "Software OATH token", succeeded: false, authenticationStepRequirement: "Multifactor authentication", authenticationStepResultDetail: "Invalid verification code" };

/** A c1 transfer: the challenge, the popup's sign-in, the execution and the "sent" row. */
function verifiedTransfer(start: number) {
  const events = [
    row(start, "transfer.create", "required", `challenge-${start}`, { binding: "transaction", authContext: "c1", pendingOperationId: `pending-${start}` }),
    row(start + 20, "transfer", "sent", `retry-${start}`, { amountMinor: "150000", currency: "USD", to: "Landlord", reference: "TRF-ABC" }),
    row(start + 20, "transfer.create", "executed", `retry-${start}`, { requirement: "c1", uti: `uti-${start}`, pendingOperationId: `pending-${start}` }),
  ];
  const popup = signIn(start + 15, {
    correlationId: `challenge-${start}`,
    uniqueTokenIdentifier: `uti-${start}`,
    authenticationDetails: [totpOk],
    authenticationContextClassReferences: [{ id: "c1", detail: "required" }],
    appliedConditionalAccessPolicies: [{ id: "p1", displayName: "c1 Approve a transfer", result: "success" }],
  });
  return { events, popup };
}

test("a verified transfer is one item naming the method, the amount and the payee; its technical detail keeps the ids", () => {
  const { events, popup } = verifiedTransfer(0);
  const feed = buildActivityFeed({ events, signIns: [popup], registrations: [] });
  assert.equal(feed.length, 1);
  const [item] = feed;
  assert.equal(item?.kind, "verified");
  assert.equal(item?.title, "You verified with your authenticator app and sent $1,500.00 to Landlord");
  assert.deepEqual(item?.lines, ["Reference TRF-ABC"]);
  const technical = item?.technical.map((t) => `${t.label}: ${t.value}`).join("\n") ?? "";
  assert.match(technical, /Correlation ID: challenge-0/);
  assert.match(technical, /Correlation ID: retry-0/);
  assert.match(technical, /Auth context: c1/);
  assert.match(technical, /c1 Approve a transfer: satisfied/);
  assert.match(technical, /transfer\.create executed/);
});

test("a session-bound verification takes in the reveals and downloads of its window, and the challenge before it", () => {
  const events = [
    row(0, "finance.viewStatements", "required", "ask", { binding: "session", authContext: "c3" }),
    row(10, "finance.viewStatements", "satisfied", "proof", { via: "proof", authContext: "c3", uti: "uti-c3", elevatedUntil: at(900).toISOString() }),
    row(10, "finance.viewStatements", "executed", "proof", {}),
    row(60, "finance.viewStatements", "satisfied", "reveal-2", { via: "elevation", authContext: "c3" }),
    row(60, "finance.viewStatements", "executed", "reveal-2", {}),
    row(120, "finance.viewStatements", "satisfied", "dl-1", { via: "elevation", authContext: "c3" }),
    row(120, "finance.viewStatements", "downloaded", "dl-1", { month: "2026-02" }),
    row(120, "finance.viewStatements", "executed", "dl-1", {}),
    row(180, "finance.viewStatements", "satisfied", "dl-2", { via: "elevation", authContext: "c3" }),
    row(180, "finance.viewStatements", "downloaded", "dl-2", { month: "2026-01" }),
    row(180, "finance.viewStatements", "executed", "dl-2", {}),
    // After the elevation ended: a new item.
    row(1000, "finance.viewStatements", "required", "later", { binding: "session", authContext: "c3" }),
  ];
  assert.equal(groupAuditEvents(events).length, 2);
  const feed = buildActivityFeed({ events, signIns: [signIn(5, { correlationId: "ask", uniqueTokenIdentifier: "uti-c3", authenticationDetails: [totpOk] })], registrations: [] });
  assert.equal(feed.length, 2);
  assert.equal(feed[1]?.title, "You verified with your authenticator app and viewed full account numbers twice and downloaded 2 statements");
  assert.equal(feed[0]?.title, "Verification not finished", "the later challenge, never answered");
});

test("newest first, with the person's own sign-ins: the first from a device is new, the next is not; silent refreshes are left out", () => {
  const { events, popup } = verifiedTransfer(600);
  const first = signIn(0);
  const again = signIn(300);
  const refresh = signIn(900, { isInteractive: false, signInEventTypes: ["nonInteractiveUser"] });
  const interrupted = signIn(910, { isInteractive: false, status: { errorCode: 50076 } });
  const feed = buildActivityFeed({ events, signIns: [refresh, popup, again, first, interrupted], registrations: [] });
  assert.deepEqual(
    feed.map((i) => [i.kind, i.title]),
    [
      ["verified", "You verified with your authenticator app and sent $1,500.00 to Landlord"],
      ["signIn", "Signed in from Chrome on Linux"],
      ["newSignIn", "New sign-in from Chrome on Linux"],
    ],
  );
});

test("wrong codes then a lock, while approving a transfer, is one lockout item", () => {
  const events = [row(0, "transfer.create", "required", "challenge", { binding: "transaction", authContext: "c1", pendingOperationId: "p" })];
  const locked = { ...totpWrong, authenticationStepResultDetail: "Invalid verification code; authentication method locked" };
  const popup = signIn(30, { correlationId: "challenge", status: { errorCode: 50074, failureReason: "The user cancelled the authentication." }, authenticationDetails: [totpWrong, totpWrong, locked] });
  const feed = buildActivityFeed({ events, signIns: [popup], registrations: [] });
  assert.equal(feed.length, 1);
  assert.equal(feed[0]?.kind, "lockout");
  assert.equal(feed[0]?.title, "3 wrong codes, then your authenticator app was locked");
  assert.match(feed[0]?.lines.join(" ") ?? "", /a transfer/);
});

test("a lockout answered with AADSTS50053 on a sign-in of its own is a lockout item", () => {
  const feed = buildActivityFeed({ events: [], signIns: [signIn(0, { status: { errorCode: 50053 }, authenticationDetails: [totpWrong, totpWrong] })], registrations: [] });
  assert.equal(feed[0]?.kind, "lockout");
  assert.equal(feed[0]?.title, "2 wrong codes, then your authenticator app was locked");
});

test("a cancelled verification reads as cancelled, not as a sign-in without policies", () => {
  const events = [row(0, "security.update", "required", "challenge", { binding: "transaction", authContext: "c2", pendingOperationId: "p" })];
  const popup = signIn(20, { correlationId: "challenge", status: { errorCode: 50074, failureReason: "The user cancelled the authentication." } });
  const feed = buildActivityFeed({ events, signIns: [popup], registrations: [] });
  assert.deepEqual(
    feed.map((i) => [i.kind, i.title, i.lines[0]]),
    [["verificationCancelled", "Verification cancelled", "You stopped approving a security change. Nothing changed."]],
  );
  // A cancelled sign-in the portal never asked for stands alone, also as cancelled.
  const alone = buildActivityFeed({ events: [], signIns: [signIn(0, { status: { errorCode: 50074 } })], registrations: [] });
  assert.equal(alone[0]?.kind, "verificationCancelled");
});

test("failures: a wrong password and a Conditional Access block are sign-in failures; a refused proof says why", () => {
  const feed = buildActivityFeed({
    events: [row(100, "transfer.create", "rejected:replayed", "replay", { binding: "transaction" })],
    signIns: [signIn(0, { status: { errorCode: 50126 }, location: { city: "Seattle", countryOrRegion: "US" } }), signIn(50, { status: { errorCode: 53003 } })],
    registrations: [],
  });
  assert.deepEqual(
    feed.map((i) => [i.kind, i.title]),
    [
      ["refused", "Refused: the same verification was used twice"],
      ["signInFailed", "Sign-in failed: blocked by your organization's sign-in policy"],
      ["signInFailed", "Sign-in failed: wrong password"],
    ],
  );
  assert.equal(feed[2]?.lines[0], "From Chrome on Linux, near Seattle, US");
});

test("changes without a verification, and method registrations from the directory audit", () => {
  const registrations: GraphDirectoryAudit[] = [
    { id: "a1", activityDateTime: at(30).toISOString(), activityDisplayName: "User registered security info", category: "UserManagement", result: "success", resultReason: "User registered FIDO2 security key" },
    { id: "a2", activityDateTime: at(40).toISOString(), activityDisplayName: "Update user", category: "UserManagement", result: "success" },
  ];
  const events = [
    row(0, "settings.payee", "added", "c-payee", { name: "Landlord", bankName: "Contoso Bank", maskedAccountNumber: "••••1234" }),
    row(60, "settings.notifications", "changed", "c-notify", { emailOnTransfer: true, emailOnNewPayee: false, emailOnNewDevice: true }),
  ];
  const feed = buildActivityFeed({ events, signIns: [], registrations });
  assert.deepEqual(
    feed.map((i) => [i.kind, i.title]),
    [
      ["change", "You changed notification preferences"],
      ["methodAdded", "Passkey added"],
      ["change", "You added payee Landlord"],
    ],
  );
  assert.deepEqual(feed[0]?.lines, ["2 of 3 emails on"]);
});

test("a transfer refused before any verification says why in words", () => {
  const feed = buildActivityFeed({ events: [row(0, "transfer.create", "rejected:precheck", "c-pre", { status: "failed" })], signIns: [], registrations: [] });
  assert.deepEqual(
    feed.map((i) => [i.kind, i.title, i.lines[0]]),
    [["refused", "Refused: it could not have succeeded (for example, not enough money or past a limit)", "A transfer; nothing changed."]],
  );
});

test("unknown operations and outcomes stay visible as stored", () => {
  const feed = buildActivityFeed({ events: [row(0, "reports.export", "queued", "c-x")], signIns: null, registrations: null });
  assert.equal(feed.length, 1);
  assert.equal(feed[0]?.kind, "other");
  assert.equal(feed[0]?.title, "Activity: reports.export queued");
  assert.match(feed[0]?.technical.map((t) => t.value).join(" ") ?? "", /reports\.export queued/);
});

test("without the identity provider's logs, a verified transfer still shows, without the method", () => {
  const { events } = verifiedTransfer(0);
  const feed = buildActivityFeed({ events, signIns: null, registrations: null });
  assert.equal(feed[0]?.title, "You verified and sent $1,500.00 to Landlord");
});
