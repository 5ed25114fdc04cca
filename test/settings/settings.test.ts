/**
 * Settings below the browser: payees, limits, notification preferences and sessions through the
 * real enforcement core (`runProtected` / `runAuthed`, as the actions in app/(portal)/settings do)
 * with locally signed proofs, on a migrated SQLite database. Checked: the step-up each change
 * needs, owner scoping (another user's ids answer "not found" and change nothing), extra fields
 * refused, compare-and-set on limits, and that transfers obey the user's own limits, the daily
 * total included under concurrency.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, test } from "node:test";
import type { ActionResult } from "../../lib/actions/result";
import type { StepUpChallenge } from "../../lib/step-up/protocol";
import type { PortalSession } from "../../lib/auth/session";
import type { ProtectedDefinition } from "../../lib/step-up/server/operation";
import type { StepUpOperation } from "../../lib/step-up/policy";
import type { ProofVerifier } from "../../lib/step-up/server/verify-proof";
import { createTestKeys, prepareEnvironment, proofClaims, signProof, type ProofTemplate, type TestKeys } from "../step-up/support";
import { createCustomer, ensureClearing, invariantViolations, transferRequest, type Customer } from "../transfers/support";

const environment = await prepareEnvironment();
const { prisma } = await import("../../lib/db");
const { runProtected, runAuthed } = await import("../../lib/step-up/server/enforce");
const { runTransaction } = await import("../../lib/data/transaction");
const { createProofVerifier } = await import("../../lib/step-up/server/verify-proof");
const settings = await import("../../lib/validation/settings");
const { checkPayeeChangeable, createPayee, updatePayee, removePayee, PAYEE_NOT_FOUND } = await import("../../lib/data/payees");
const { checkLimitChange, getLimitChangePolicyInput, updateTransferLimits, listTransferLimits, LIMITS_CHANGED } = await import("../../lib/data/limits");
const { updateNotificationPreferences, getNotificationPreferences } = await import("../../lib/data/preferences");
const { endOtherSessions, listSessions } = await import("../../lib/data/sessions");
const { listActivitySince, listExecutionsByProof } = await import("../../lib/data/activity");
const { recordAuditEvent } = await import("../../lib/data/audit");
const { checkTransfer, createTransfer, getTransferPolicyInput, listPayees, TRANSFER_NOT_FOUND } = await import("../../lib/data/transfers");
const { transferSchema } = await import("../../lib/validation/transfers");
type TransactionClient = import("../../lib/data/transaction").TransactionClient;

let nowMs = Date.now();
const clock = () => new Date(nowMs);
let keys: TestKeys;
let verifier: ProofVerifier;
let template: ProofTemplate;

before(async () => {
  keys = await createTestKeys();
  template = {
    issuer: environment.issuer,
    tenantId: environment.tenantId,
    objectId: "",
    audience: environment.env.ENTRA_API_CLIENT_ID ?? "",
    spaClientId: environment.env.ENTRA_SPA_CLIENT_ID ?? "",
    scope: "access_as_user",
  };
  verifier = createProofVerifier({ issuer: environment.issuer, tenantId: environment.tenantId, audience: template.audience, spaClientId: template.spaClientId, scope: "access_as_user", jwks: keys.jwks, clock });
  await ensureClearing(prisma);
});

async function signedIn(balances: { checking: bigint; savings?: bigint } = { checking: 10_000_000n }): Promise<{ customer: Customer; session: PortalSession }> {
  const customer = await createCustomer(prisma, balances);
  const user = await prisma.user.update({ where: { id: customer.user.id }, data: { tenantId: environment.tenantId } });
  const row = await prisma.session.create({ data: { sessionToken: randomUUID(), userId: user.id, expires: new Date(nowMs + 3_600_000) } });
  return {
    customer,
    session: {
      sessionId: row.id,
      user: { id: user.id, name: user.name, userPrincipalName: null, tenantId: user.tenantId, objectId: user.objectId },
      strength: { acrs: [], authTime: null, elevations: [] },
      roles: [],
      expires: row.expires,
    },
  };
}

/** A proof for `session`'s user with `acrs`, minted a second after now (so after the pending operation). */
async function proofFor(session: PortalSession, acrs: string[]): Promise<string> {
  nowMs += 1_000;
  return signProof(keys, proofClaims({ ...template, objectId: session.user.objectId }, clock(), { acrs }));
}

function challengeOf<T>(result: ActionResult<T>): StepUpChallenge {
  assert.equal(result.status, "step_up_required", JSON.stringify(result));
  return (result as { challenge: StepUpChallenge }).challenge;
}

function dataOf<T>(result: ActionResult<T>): T {
  assert.equal(result.status, "success", JSON.stringify(result));
  return (result as { data: T }).data;
}

/** The definitions app/(portal)/settings/actions.ts wraps. */
const payeeCreate = {
  operation: "security.update" as const,
  schema: settings.createPayeeSchema,
  handler: ({ user, input, tx, correlationId }: { user: { id: string }; input: import("../../lib/validation/settings").CreatePayeeInput; tx: TransactionClient; correlationId: string }) =>
    createPayee(tx, user, input, correlationId),
};
const payeeUpdate = {
  operation: "security.update" as const,
  schema: settings.updatePayeeSchema,
  precheck: ({ user, input }: { user: { id: string }; input: { payeeId: string } }) => checkPayeeChangeable(user, input),
  handler: ({ user, input, tx, correlationId }: { user: { id: string }; input: import("../../lib/validation/settings").UpdatePayeeInput; tx: TransactionClient; correlationId: string }) =>
    updatePayee(tx, user, input, correlationId),
};
const payeeRemove = {
  operation: "security.update" as const,
  schema: settings.removePayeeSchema,
  precheck: ({ user, input }: { user: { id: string }; input: { payeeId: string } }) => checkPayeeChangeable(user, input),
  handler: ({ user, input, tx, correlationId }: { user: { id: string }; input: import("../../lib/validation/settings").RemovePayeeInput; tx: TransactionClient; correlationId: string }) =>
    removePayee(tx, user, input, correlationId),
};
const limitsUpdate = {
  operation: "limits.update" as const,
  schema: settings.updateLimitsSchema,
  precheck: ({ user, input }: { user: { id: string }; input: import("../../lib/validation/settings").UpdateLimitsInput }) => checkLimitChange(user, input),
  handler: ({ user, input, tx, correlationId }: { user: { id: string }; input: import("../../lib/validation/settings").UpdateLimitsInput; tx: TransactionClient; correlationId: string }) =>
    updateTransferLimits(tx, user, input, correlationId),
  policyInput: ({ user, input }: { user: { id: string }; input: import("../../lib/validation/settings").UpdateLimitsInput }) => getLimitChangePolicyInput(user, input),
};
const transfer = {
  operation: "transfer.create" as const,
  schema: transferSchema,
  precheck: ({ user, input }: { user: { id: string }; input: import("../../lib/validation/transfers").TransferInput }) => checkTransfer(user, input),
  handler: ({ user, input, tx, stepUp }: import("../../lib/step-up/server/operation").ProtectedActionContext<import("../../lib/validation/transfers").TransferInput>) =>
    createTransfer(tx, user, input, { stepUp }),
  policyInput: ({ user, input }: { user: { id: string }; input: import("../../lib/validation/transfers").TransferInput }) => getTransferPolicyInput(user, input),
};

/** Runs `definition` for `session`; with `acrs`, answers its challenge with a proof and retries once. */
async function stepUp<Op extends StepUpOperation, I, T>(definition: ProtectedDefinition<Op, I, T>, session: PortalSession, input: unknown, acrs?: string[]): Promise<ActionResult<T>> {
  const first = await runProtected(definition, { session, input, verifier, policySet: "production" });
  if (first.status !== "step_up_required" || !acrs) return first;
  const token = await proofFor(session, acrs);
  return runProtected(definition, { session, input: undefined, verifier, policySet: "production", proof: { token, pendingOperationId: first.challenge.pendingOperationId! } });
}

const payeesOf = (customer: Customer) => prisma.payee.findMany({ where: { ownerId: customer.user.id }, select: { id: true, name: true, bankName: true, accountNumber: true, maskedAccountNumber: true, removedAt: true }, orderBy: { createdAt: "asc" } });

describe("payees (security.update)", () => {
  test("adding one without proof answers step_up_required with the exact payload and writes nothing; with c2 it is added once", async () => {
    const { customer, session } = await signedIn();
    const before = await payeesOf(customer);
    // Members the schema does not declare are refused outright (lib/security/input.ts), nothing stored.
    const smuggled = await runProtected(payeeCreate, {
      session,
      input: { name: "Fabrikam Tuition", bankName: "Contoso Bank", accountNumber: "1234567890", ownerId: "someone-else", removedAt: null },
      verifier,
      policySet: "production",
    });
    assert.deepEqual(smuggled.status === "invalid" ? Object.keys(smuggled.fieldErrors).sort() : smuggled, ["ownerId", "removedAt"]);
    assert.equal(await prisma.pendingOperation.count({ where: { userId: customer.user.id } }), 0);

    const input = { name: "  Fabrikam Tuition  ", bankName: "Contoso Bank", accountNumber: "1234 5678 90" };
    const challenge = challengeOf(await runProtected(payeeCreate, { session, input, verifier, policySet: "production" }));
    assert.equal(challenge.authContext, "c2");
    assert.equal(challenge.binding, "transaction");
    // Text is trimmed and the number normalised in the stored payload.
    assert.deepEqual(challenge.payload, { accountNumber: "1234567890", bankName: "Contoso Bank", name: "Fabrikam Tuition" });
    assert.deepEqual(await payeesOf(customer), before);

    const c1 = await proofFor(session, ["c1"]);
    const refused = await runProtected(payeeCreate, { session, input: undefined, verifier, policySet: "production", proof: { token: c1, pendingOperationId: challenge.pendingOperationId! } });
    assert.equal(refused.status, "step_up_required");
    assert.deepEqual(await payeesOf(customer), before);

    const token = await proofFor(session, ["c2"]);
    const added = dataOf(await runProtected(payeeCreate, { session, input: undefined, verifier, policySet: "production", proof: { token, pendingOperationId: challenge.pendingOperationId! } }));
    assert.deepEqual({ name: added.name, masked: added.maskedAccountNumber }, { name: "Fabrikam Tuition", masked: "•••• 7890" });
    const replay = await runProtected(payeeCreate, { session, input: undefined, verifier, policySet: "production", proof: { token, pendingOperationId: challenge.pendingOperationId! } });
    assert.equal(replay.status, "failed");
    const after = await payeesOf(customer);
    assert.equal(after.length, before.length + 1);
    assert.ok(after.some((p) => p.name === "Fabrikam Tuition" && p.accountNumber === "1234567890"));
    const audit = await prisma.auditEvent.findMany({ where: { userId: customer.user.id, operation: "settings.payee" }, select: { outcome: true, details: true } });
    assert.deepEqual(audit.map((e) => e.outcome), ["added"]);
    assert.ok(!audit[0]!.details.includes("1234567890"), "the audit never holds the account number");
  });

  test("a payee changed after approval needs its own approval: the approved proof adds nothing", async () => {
    const { customer, session } = await signedIn();
    const before = await payeesOf(customer);
    const approved = { name: "Approved Payee", bankName: "Contoso Bank", accountNumber: "11112222" };
    const challenge = challengeOf(await runProtected(payeeCreate, { session, input: approved, verifier, policySet: "production" }));
    const token = await proofFor(session, ["c2"]);
    const swapped = await runProtected(payeeCreate, { session, input: { ...approved, accountNumber: "99998888" }, verifier, policySet: "production", proof: { token, pendingOperationId: challenge.pendingOperationId! } });
    assert.equal(challengeOf(swapped).reason, "payload_changed");
    assert.deepEqual(await payeesOf(customer), before);
  });

  test("bad input: every field's error at once, nothing stored", async () => {
    const { customer, session } = await signedIn();
    const result = await runProtected(payeeCreate, { session, input: { name: "", bankName: "x".repeat(71), accountNumber: "12ab" }, verifier, policySet: "production" });
    assert.equal(result.status, "invalid");
    assert.deepEqual(Object.keys((result as { fieldErrors: Record<string, string[]> }).fieldErrors).sort(), ["accountNumber", "bankName", "name"]);
    assert.equal(await prisma.pendingOperation.count({ where: { userId: customer.user.id } }), 0);
  });

  test("editing and removing another user's payee, or an unknown one, answers not found and changes nothing", async () => {
    const { session } = await signedIn();
    const other = await signedIn();
    const theirs = await payeesOf(other.customer);
    for (const payeeId of [other.customer.payeeId, "payee_does_not_exist"]) {
      const edited = await stepUp(payeeUpdate, session, { payeeId, name: "Mine now", bankName: "Evil Bank", accountNumber: "999999999" }, ["c2"]);
      assert.deepEqual(edited, { status: "failed", message: PAYEE_NOT_FOUND, code: "not_found" });
      const removed = await stepUp(payeeRemove, session, { payeeId }, ["c2"]);
      assert.deepEqual(removed, { status: "failed", message: PAYEE_NOT_FOUND, code: "not_found" });
    }
    assert.deepEqual(await payeesOf(other.customer), theirs);
  });

  test("editing or removing a payee that is gone is refused before any approval is asked for", async () => {
    const { session } = await signedIn();
    const other = await signedIn();
    for (const [definition, input] of [
      [payeeUpdate, { payeeId: other.customer.payeeId, name: "Mine now", bankName: "Evil Bank", accountNumber: "999999999" }],
      [payeeRemove, { payeeId: "payee_does_not_exist" }],
    ] as const) {
      const first = await runProtected(definition as typeof payeeRemove, { session, input, verifier, policySet: "production" });
      assert.deepEqual(first, { status: "failed", message: PAYEE_NOT_FOUND, code: "not_found" });
    }
    assert.equal(await prisma.pendingOperation.count({ where: { userId: session.user.id } }), 0);
  });

  test("editing keeps the account number when none is given, and changes it when one is", async () => {
    const { customer, session } = await signedIn();
    const [original] = await payeesOf(customer);
    dataOf(await stepUp(payeeUpdate, session, { payeeId: customer.payeeId, name: "Landlord", bankName: "Fabrikam Bank", accountNumber: "" }, ["c2"]));
    let [payee] = await payeesOf(customer);
    assert.deepEqual({ name: payee!.name, accountNumber: payee!.accountNumber }, { name: "Landlord", accountNumber: original!.accountNumber });
    dataOf(await stepUp(payeeUpdate, session, { payeeId: customer.payeeId, name: "Landlord", bankName: "Fabrikam Bank", accountNumber: "55-66-77-88" }, ["c2"]));
    [payee] = await payeesOf(customer);
    assert.deepEqual({ accountNumber: payee!.accountNumber, masked: payee!.maskedAccountNumber }, { accountNumber: "55667788", masked: "•••• 7788" });
  });

  test("a removed payee keeps its transfer history, is no longer listed, and cannot be paid or removed again", async () => {
    const { customer, session } = await signedIn();
    const paid = dataOf(await runTransaction((tx) => createTransfer(tx, customer.user, transferSchema.parse(transferRequest(customer.checkingId, { payeeId: customer.payeeId }, "10.00")))));
    dataOf(await stepUp(payeeRemove, session, { payeeId: customer.payeeId }, ["c2"]));

    assert.deepEqual(await listPayees(customer.user), []);
    const kept = await prisma.transfer.findUniqueOrThrow({ where: { id: paid.id }, select: { payee: { select: { name: true } } } });
    assert.equal(kept.payee?.name, "Contoso Property Management");
    const again = await runProtected(transfer, { session, input: transferRequest(customer.checkingId, { payeeId: customer.payeeId }, "10.00"), verifier, policySet: "production" });
    assert.deepEqual(again, { status: "failed", message: TRANSFER_NOT_FOUND, code: "not_found" });
    assert.deepEqual(await stepUp(payeeRemove, session, { payeeId: customer.payeeId }, ["c2"]), { status: "failed", message: PAYEE_NOT_FOUND, code: "not_found" });
    assert.deepEqual(await invariantViolations(prisma), []);
  });
});

describe("transfer limits (limits.update)", () => {
  const limitsRequest = (perTransfer: string, daily: string, current = { per: "2500000", daily: "5000000" }, extra: Record<string, unknown> = {}) => ({
    currency: "USD",
    perTransfer,
    daily,
    currentPerTransferMinor: current.per,
    currentDailyMinor: current.daily,
    ...extra,
  });

  test("lowering runs without step-up; raising answers step_up_required and changes nothing until a c2 proof", async () => {
    const { customer, session } = await signedIn();
    const smuggled = await runProtected(limitsUpdate, { session, input: limitsRequest("1,000.00", "2,000.00", undefined, { userId: "someone-else" }), verifier, policySet: "production" });
    assert.deepEqual(smuggled.status === "invalid" ? Object.keys(smuggled.fieldErrors) : smuggled, ["userId"]);
    assert.equal(await prisma.transferLimit.count({ where: { userId: customer.user.id } }), 0);
    const lowered = dataOf(await runProtected(limitsUpdate, { session, input: limitsRequest("1,000.00", "2,000.00"), verifier, policySet: "production" }));
    assert.deepEqual({ per: lowered.perTransferMinor, daily: lowered.dailyMinor }, { per: "100000", daily: "200000" });

    const raise = limitsRequest("30,000.00", "60,000.00", { per: "100000", daily: "200000" });
    const challenge = challengeOf(await runProtected(limitsUpdate, { session, input: raise, verifier, policySet: "production" }));
    assert.equal(challenge.authContext, "c2");
    assert.deepEqual(challenge.payload, { currency: "USD", currentDailyMinor: "200000", currentPerTransferMinor: "100000", dailyMinor: "6000000", perTransferMinor: "3000000" });
    assert.equal((await listTransferLimits(customer.user))[0]!.perTransferMinor, "100000");

    const token = await proofFor(session, ["c2"]);
    dataOf(await runProtected(limitsUpdate, { session, input: undefined, verifier, policySet: "production", proof: { token, pendingOperationId: challenge.pendingOperationId! } }));
    assert.deepEqual((await listTransferLimits(customer.user)).map((l) => [l.currency, l.perTransferMinor, l.dailyMinor, l.isDefault]), [["USD", "3000000", "6000000", false]]);
  });

  test("a change judged against limits that are no longer current is refused, so no raise slips through as a lowering", async () => {
    const { customer, session } = await signedIn();
    dataOf(await runProtected(limitsUpdate, { session, input: limitsRequest("100.00", "200.00"), verifier, policySet: "production" }));
    // Claims to start from the defaults (so "10,000.00" looks like a lowering) while 100.00 is stored.
    const stale = await runProtected(limitsUpdate, { session, input: limitsRequest("10,000.00", "20,000.00"), verifier, policySet: "production" });
    assert.deepEqual(stale, { status: "failed", message: LIMITS_CHANGED });
    assert.equal((await listTransferLimits(customer.user))[0]!.perTransferMinor, "10000");
  });

  test("a raise above the bank's ceiling, or judged against stale limits, is refused before any approval is asked for", async () => {
    const { session } = await signedIn();
    const ceiling = await runProtected(limitsUpdate, { session, input: limitsRequest("100,000.01", "200,000.01"), verifier, policySet: "production" });
    assert.equal(ceiling.status, "invalid", JSON.stringify(ceiling));
    const stale = await runProtected(limitsUpdate, { session, input: limitsRequest("30,000.00", "60,000.00", { per: "100000", daily: "200000" }), verifier, policySet: "production" });
    assert.deepEqual(stale, { status: "failed", message: LIMITS_CHANGED });
    assert.equal(await prisma.pendingOperation.count({ where: { userId: session.user.id } }), 0);
  });

  test("bad input: every field error at once; above the bank's ceiling; a currency without an account is not found", async () => {
    const { customer, session } = await signedIn();
    const invalid = await runProtected(limitsUpdate, { session, input: limitsRequest("-5", "abc"), verifier, policySet: "production" });
    assert.equal(invalid.status, "invalid");
    assert.deepEqual(Object.keys((invalid as { fieldErrors: object }).fieldErrors).sort(), ["daily", "perTransfer"]);
    const perOverDaily = await runProtected(limitsUpdate, { session, input: limitsRequest("300.00", "200.00"), verifier, policySet: "production" });
    assert.deepEqual((perOverDaily as { fieldErrors: object }).fieldErrors, { perTransfer: ["The limit per transfer can't be more than the daily limit."] });
    const ceiling = await stepUp(limitsUpdate, session, limitsRequest("100,000.01", "200,000.01"), ["c2"]);
    assert.equal(ceiling.status, "invalid");
    assert.deepEqual(Object.keys((ceiling as { fieldErrors: object }).fieldErrors).sort(), ["daily", "perTransfer"]);
    const euro = await runProtected(limitsUpdate, { session, input: { ...limitsRequest("10.00", "20.00"), currency: "EUR" }, verifier, policySet: "production" });
    assert.equal((euro as { code?: string }).code, "not_found");
    assert.equal(await prisma.transferLimit.count({ where: { userId: customer.user.id } }), 0);
  });

  test("transfers obey the user's own limits: per transfer, and the daily total under 20 simultaneous submissions", async () => {
    const { customer, session } = await signedIn({ checking: 10_000_000n });
    dataOf(await runProtected(limitsUpdate, { session, input: limitsRequest("200.00", "500.00"), verifier, policySet: "production" }));

    const over = await runProtected(transfer, { session, input: transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "200.01"), verifier, policySet: "production" });
    assert.equal(over.status, "invalid");
    assert.match((over as { fieldErrors: Record<string, string[]> }).fieldErrors.amount?.[0] ?? "", /most you can send in one transfer is \$200\.00/);

    const results = await Promise.all(
      Array.from({ length: 20 }, () => runProtected(transfer, { session, input: transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "100.00"), verifier, policySet: "production" })),
    );
    assert.equal(results.filter((r) => r.status === "success").length, 5);
    assert.match((results.find((r) => r.status === "failed") as { message: string }).message, /daily limit of \$500\.00/);
    const account = await prisma.bankAccount.findUniqueOrThrow({ where: { id: customer.checkingId }, select: { balanceMinor: true, dailyOutMinor: true } });
    assert.deepEqual(account, { balanceMinor: 10_000_000n - 50_000n, dailyOutMinor: 50_000n });
    assert.deepEqual(await invariantViolations(prisma), []);
  });
});

describe("notification preferences and sessions", () => {
  test("preferences: booleans only (all errors at once), extra members refused, saved and audited", async () => {
    const { customer, session } = await signedIn();
    const definition = { schema: settings.notificationPreferencesSchema, handler: ({ user, input, tx, correlationId }: { user: { id: string }; input: import("../../lib/validation/settings").NotificationPreferencesInput; tx: TransactionClient; correlationId: string }) => updateNotificationPreferences(tx, user, input, correlationId) };
    const bad = await runAuthed(definition, { session, input: { emailOnTransfer: "false", emailOnNewPayee: 0 } });
    assert.deepEqual(Object.keys((bad as { fieldErrors: object }).fieldErrors).sort(), ["emailOnNewDevice", "emailOnNewPayee", "emailOnTransfer"]);
    assert.deepEqual(await getNotificationPreferences(customer.user), { emailOnTransfer: true, emailOnNewPayee: true, emailOnNewDevice: true });
    const smuggled = await runAuthed(definition, { session, input: { emailOnTransfer: false, emailOnNewPayee: true, emailOnNewDevice: false, userId: "someone-else" } });
    assert.deepEqual(smuggled.status === "invalid" ? Object.keys(smuggled.fieldErrors) : smuggled, ["userId"]);
    assert.deepEqual(await getNotificationPreferences(customer.user), { emailOnTransfer: true, emailOnNewPayee: true, emailOnNewDevice: true });
    dataOf(await runAuthed(definition, { session, input: { emailOnTransfer: false, emailOnNewPayee: true, emailOnNewDevice: false } }));
    assert.deepEqual(await getNotificationPreferences(customer.user), { emailOnTransfer: false, emailOnNewPayee: true, emailOnNewDevice: false });
    assert.equal(await prisma.auditEvent.count({ where: { userId: customer.user.id, operation: "settings.notifications" } }), 1);
  });

  test("ending other sessions keeps this one and leaves other users' sessions alone", async () => {
    const { customer, session } = await signedIn();
    const other = await signedIn();
    for (let i = 0; i < 2; i += 1) await prisma.session.create({ data: { sessionToken: randomUUID(), userId: customer.user.id, expires: new Date(nowMs + 3_600_000), userAgent: "Firefox on Windows" } });
    assert.equal((await listSessions(customer.user, session.sessionId)).length, 3);
    assert.equal((await listSessions(customer.user, session.sessionId))[0]!.current, true);

    const result = dataOf(await runTransaction((tx) => endOtherSessions(tx, customer.user, session.sessionId, randomUUID())));
    assert.deepEqual(result, { ended: 2 });
    assert.deepEqual((await listSessions(customer.user, session.sessionId)).map((s) => s.id), [session.sessionId]);
    assert.equal((await listSessions(other.customer.user, other.session.sessionId)).length, 1);
  });
});

describe("activity", () => {
  test("a user's activity lists only their own events, newest first, paged; executions are found by their proof's uti", async () => {
    const { customer } = await signedIn();
    const other = await signedIn();
    const correlationId = randomUUID();
    const uti = `uti_${randomUUID().slice(0, 8)}`;
    await recordAuditEvent({ userId: customer.user.id, operation: "transfer.create", outcome: "required", correlationId, details: { pendingOperationId: "p" } });
    // A second later, so "newest first" has one answer.
    await prisma.auditEvent.create({
      data: { userId: customer.user.id, operation: "transfer.create", outcome: "executed", correlationId: randomUUID(), details: JSON.stringify({ pendingOperationId: "p", uti }), createdAt: new Date(Date.now() + 1_000) },
    });
    await recordAuditEvent({ userId: other.customer.user.id, operation: "transfer.create", outcome: "executed", correlationId: randomUUID(), details: { uti: `${uti}x` } });

    const window = await listActivitySince(customer.user, new Date(Date.now() - 60_000));
    assert.deepEqual(window.events.map((e) => e.outcome), ["executed", "required"]);
    assert.equal(window.truncated, false);
    const limited = await listActivitySince(customer.user, new Date(Date.now() - 60_000), 1);
    assert.deepEqual([limited.events.map((e) => e.outcome), limited.truncated], [["executed"], true]);
    assert.deepEqual((await listActivitySince(customer.user, new Date(Date.now() + 60_000))).events, []);

    const found = await listExecutionsByProof([uti, "not a uti!"]);
    assert.deepEqual(found.map((f) => [f.userId, f.uti]), [[customer.user.id, uti]]);
  });
});
