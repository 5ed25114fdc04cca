/**
 * The enforcement core (lib/step-up/server/enforce.ts `runProtected`) against a migrated database
 * (SQLite; npm test runs it again on PostgreSQL, see test/support/test-database.ts), outside Next.js: the session is a row made here, proofs are minted with a local key,
 * and the clock is the test's. Side effects are counted, so "executes once" is checked, not assumed.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, beforeEach, describe, test } from "node:test";
import { z } from "zod";
import type { ActionResult } from "../../lib/actions/result";
import type { StepUpChallenge } from "../../lib/step-up/protocol";
import type { PortalSession } from "../../lib/auth/session";
import type { ProofVerifier } from "../../lib/step-up/server/verify-proof";
import { createTestKeys, prepareEnvironment, proofClaims, signProof, type ProofTemplate, type TestEnvironment, type TestKeys } from "./support";

const environment: TestEnvironment = await prepareEnvironment();
const { prisma } = await import("../../lib/db");
const { runProtected } = await import("../../lib/step-up/server/enforce");
const { createProofVerifier } = await import("../../lib/step-up/server/verify-proof");
const { success, failed } = await import("../../lib/actions/result");
const { env } = await import("../../lib/env");
const { transactionLimits } = await import("../../lib/data/transaction");
const { cancelPendingOperation, countOtherOpenPendingOperations, createPendingOperation } = await import("../../lib/data/step-up");

const MINUTE = 60_000;
const START = new Date("2026-11-29T10:00:00Z").getTime();
let nowMs = START;
const clock = () => new Date(nowMs);

let keys: TestKeys;
let verifier: ProofVerifier;
let template: ProofTemplate;
let userId = "";
let otherUserId = "";
const objectId = "6f1d2c3b-0000-4000-8000-00000000c003";

/** Side effects of the handlers, to count executions. */
const executed: { operation: string; input: unknown }[] = [];
let transferHandlerFails = false;
const rotated: string[] = [];

const transferSchema = z.object({
  fromAccountId: z.string().min(1),
  payeeId: z.string().min(1),
  amountMinor: z.string().regex(/^[1-9]\d*$/, "Enter a positive amount in minor units").transform((s) => BigInt(s)),
  currency: z.string().regex(/^[A-Z]{3}$/, "Enter an ISO 4217 code"),
  memo: z.string().max(140).optional(),
});
type TransferInput = z.output<typeof transferSchema>;

const transferDefinition = {
  operation: "transfer.create" as const,
  schema: transferSchema,
  policyInput: async ({ input }: { input: TransferInput }) =>
    success({ amountMinor: input.amountMinor, currency: input.currency, newPayee: input.payeeId.startsWith("new-"), unverifiedTodayMinor: 0n }),
  handler: async ({ input, tx, correlationId }: { input: TransferInput; tx: import("../../lib/data/transaction").TransactionClient; correlationId: string }) => {
    // A real write in the same transaction: it must commit or roll back with the bookkeeping.
    await tx.auditEvent.create({ data: { operation: "test.transfer-side-effect", outcome: "written", correlationId } });
    if (transferHandlerFails) return failed("Insufficient funds.");
    executed.push({ operation: "transfer.create", input });
    return success({ amountMinor: input.amountMinor.toString() });
  },
};

const statementsDefinition = {
  operation: "finance.viewStatements" as const,
  schema: z.object({ accountId: z.string().min(1) }),
  handler: async ({ input }: { input: { accountId: string } }) => {
    executed.push({ operation: "finance.viewStatements", input });
    return success({ fullNumber: "reveal" });
  },
};

async function createSession(options: { acrs?: string[]; authTime?: Date | null; expires?: Date; user?: string } = {}): Promise<PortalSession> {
  const owner = options.user ?? userId;
  const expires = options.expires ?? new Date(nowMs + 12 * 60 * MINUTE);
  const row = await prisma.session.create({
    data: { sessionToken: randomUUID(), userId: owner, expires, acrs: JSON.stringify(options.acrs ?? []), authTime: options.authTime ?? null },
  });
  const user = await prisma.user.findUniqueOrThrow({ where: { id: owner } });
  return {
    sessionId: row.id,
    user: { id: user.id, name: user.name, userPrincipalName: user.userPrincipalName, tenantId: user.tenantId, objectId: user.objectId },
    strength: { acrs: options.acrs ?? [], authTime: options.authTime ?? null, elevations: [] },
    roles: [],
    expires,
  };
}

/**
 * A proof with `acrs`, minted a second after now: in a later second than anything stored so far,
 * verified (auth_time) as it was minted, as after a prompt in the identity provider's window.
 */
async function proof(acrs: string[], overrides: Record<string, unknown> = {}): Promise<string> {
  nowMs += 1_000;
  return signProof(keys, proofClaims(template, clock(), { acrs, auth_time: Math.floor(nowMs / 1000), ...overrides }));
}

function transferInput(amountMinor: string, payeeId = "payee-known") {
  return { fromAccountId: "acc-checking", payeeId, amountMinor, currency: "USD", memo: "Rent" };
}

function run<I, T>(definition: Parameters<typeof runProtected<never, I, T>>[0], session: PortalSession, input: unknown, stepUpProof?: unknown) {
  return runProtected(definition, {
    session,
    input,
    proof: stepUpProof as never,
    verifier,
    policySet: "production",
    rotateSession: async (sessionId) => {
      rotated.push(sessionId);
    },
  });
}

const runTransfer = (session: PortalSession, input: unknown, stepUpProof?: unknown) => run(transferDefinition as never, session, input, stepUpProof);
const runStatements = (session: PortalSession, input: unknown, stepUpProof?: unknown) => run(statementsDefinition as never, session, input, stepUpProof);

function challengeOf<T>(result: ActionResult<T>): StepUpChallenge {
  assert.equal(result.status, "step_up_required", `expected a challenge, got ${JSON.stringify(result)}`);
  assert.ok(result.status === "step_up_required");
  return result.challenge;
}

async function auditOutcomes(correlationId: string): Promise<string[]> {
  const rows = await prisma.auditEvent.findMany({ where: { correlationId, NOT: { operation: "test.transfer-side-effect" } }, orderBy: { createdAt: "asc" } });
  return rows.map((row) => row.outcome);
}

before(async () => {
  keys = await createTestKeys();
  const env = environment.env;
  template = {
    issuer: environment.issuer,
    tenantId: environment.tenantId,
    objectId,
    audience: env.ENTRA_API_CLIENT_ID ?? "",
    spaClientId: env.ENTRA_SPA_CLIENT_ID ?? "",
    scope: "access_as_user",
  };
  verifier = createProofVerifier({
    issuer: environment.issuer,
    tenantId: environment.tenantId,
    audience: template.audience,
    spaClientId: template.spaClientId,
    scope: "access_as_user",
    jwks: keys.jwks,
    clock,
  });
  const user = await prisma.user.create({ data: { tenantId: environment.tenantId, objectId, name: "Megan" } });
  const other = await prisma.user.create({ data: { tenantId: environment.tenantId, objectId: "6f1d2c3b-0000-4000-8000-00000000d004", name: "Alex" } });
  userId = user.id;
  otherUserId = other.id;
});

beforeEach(() => {
  nowMs += 60 * MINUTE;
  executed.length = 0;
  rotated.length = 0;
  transferHandlerFails = false;
});

after(async () => {
  await prisma.$disconnect();
  environment.cleanup();
});

describe("policy and input", () => {
  test("an operation the policy does not know is denied, and the handler never runs", async () => {
    const session = await createSession();
    const result = await run({ ...statementsDefinition, operation: "statements.export" } as never, session, { accountId: "a" });
    assert.deepEqual(result, { status: "failed", message: "This action is not available.", code: "not_available" });
    assert.equal(executed.length, 0);
    const rows = await prisma.auditEvent.findMany({ where: { operation: "statements.export" } });
    assert.deepEqual(rows.map((r) => r.outcome), ["rejected:unknown_operation"]);
  });

  test("invalid input returns every field's errors before any step-up", async () => {
    const session = await createSession();
    const result = await runTransfer(session, { fromAccountId: "", payeeId: "p", amountMinor: "1.5", currency: "usd" });
    assert.equal(result.status, "invalid");
    assert.ok(result.status === "invalid");
    assert.deepEqual(Object.keys(result.fieldErrors).sort(), ["amountMinor", "currency", "fromAccountId"]);
    assert.equal(await prisma.pendingOperation.count({ where: { sessionId: session.sessionId } }), 0);
  });

  test("a transfer below the threshold runs without a proof", async () => {
    const session = await createSession();
    const result = await runTransfer(session, transferInput("99999"));
    assert.deepEqual(result, { status: "success", data: { amountMinor: "99999" } });
    assert.equal(executed.length, 1);
  });
});

describe("transaction binding", () => {
  test("from the threshold: step_up_required for c1 with the stored payload; nothing runs", async () => {
    const session = await createSession({ acrs: ["c1", "c2", "c3"], authTime: clock() });
    const challenge = challengeOf(await runTransfer(session, transferInput("150000")));
    assert.equal(challenge.authContext, "c1");
    assert.equal(challenge.claims, '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}');
    assert.equal(challenge.binding, "transaction");
    assert.equal(challenge.reason, "missing_proof");
    assert.equal(challenge.operation, "transfer.create");
    assert.deepEqual(challenge.payload, { amountMinor: "150000", currency: "USD", fromAccountId: "acc-checking", memo: "Rent", payeeId: "payee-known" });
    assert.match(challenge.correlationId, /^[0-9a-f-]{36}$/);
    assert.ok(challenge.pendingOperationId);
    const pending = await prisma.pendingOperation.findUniqueOrThrow({ where: { id: challenge.pendingOperationId } });
    assert.equal(pending.expiresAt.getTime() - pending.createdAt.getTime(), 10 * MINUTE);
    assert.equal(executed.length, 0, "a strong sign-in does not replace the per-transaction approval");
    assert.deepEqual(await auditOutcomes(challenge.correlationId), ["required"]);
  });

  test("10,000.00 or more, or a new payee, needs c2", async () => {
    const session = await createSession();
    assert.equal(challengeOf(await runTransfer(session, transferInput("1000000"))).authContext, "c2");
    assert.equal(challengeOf(await runTransfer(session, transferInput("5000", "new-payee"))).authContext, "c2");
  });

  test("a good proof executes the approved payload once; the same approval again is refused", async () => {
    const session = await createSession();
    const challenge = challengeOf(await runTransfer(session, transferInput("150000")));
    nowMs += 20_000;
    const token = await proof(["c1"], { uti: `uti-${randomUUID()}` });
    const retry = { token, pendingOperationId: challenge.pendingOperationId };

    const first = await runTransfer(session, transferInput("150000"), retry);
    assert.deepEqual(first, { status: "success", data: { amountMinor: "150000" } });
    assert.equal(executed.length, 1);
    const pending = await prisma.pendingOperation.findUniqueOrThrow({ where: { id: challenge.pendingOperationId } });
    assert.ok(pending.consumedAt);
    assert.equal(pending.openKey, null);
    assert.equal(await prisma.usedProof.count({ where: { userId } }) > 0, true);

    const again = await runTransfer(session, transferInput("150000"), retry);
    assert.deepEqual(again, { status: "failed", message: "This approval was already used. Nothing else was changed.", code: "already_used" });
    assert.equal(executed.length, 1, "the handler ran once");
  });

  test("concurrent retries with one approval execute once", async () => {
    const session = await createSession();
    const challenge = challengeOf(await runTransfer(session, transferInput("250000")));
    const retry = { token: await proof(["c1"]), pendingOperationId: challenge.pendingOperationId };
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => runTransfer(session, transferInput("250000"), retry)));
    assert.deepEqual(results.map((r) => r.status).sort(), ["failed", "failed", "failed", "failed", "success"], JSON.stringify(results));
    assert.equal(executed.length, 1);
    const sideEffects = await prisma.auditEvent.count({ where: { operation: "test.transfer-side-effect" } });
    assert.ok(sideEffects >= 1);
  });

  test("the retry may omit the input: the stored payload runs", async () => {
    const session = await createSession();
    const challenge = challengeOf(await runTransfer(session, transferInput("150000")));
    const result = await runTransfer(session, undefined, { token: await proof(["c1"]), pendingOperationId: challenge.pendingOperationId });
    assert.equal(result.status, "success");
    assert.deepEqual(executed[0]?.input, { fromAccountId: "acc-checking", payeeId: "payee-known", amountMinor: 150000n, currency: "USD", memo: "Rent" });
  });

  test("a changed payload is refused and needs its own approval", async () => {
    const session = await createSession();
    const challenge = challengeOf(await runTransfer(session, transferInput("150000")));
    const token = await proof(["c1"]);
    const changed = challengeOf(await runTransfer(session, transferInput("150001"), { token, pendingOperationId: challenge.pendingOperationId }));
    assert.equal(changed.reason, "payload_changed");
    assert.notEqual(changed.pendingOperationId, challenge.pendingOperationId);
    assert.equal(changed.payload?.amountMinor, "150001");
    assert.equal(executed.length, 0);
    // The original approval was replaced by the new request: it can no longer run either.
    const old = await prisma.pendingOperation.findUniqueOrThrow({ where: { id: challenge.pendingOperationId } });
    assert.ok(old.cancelledAt);
    const stale = challengeOf(await runTransfer(session, transferInput("150000"), { token, pendingOperationId: challenge.pendingOperationId }));
    assert.equal(stale.reason, "pending_cancelled");
    assert.equal(executed.length, 0);
  });

  test("a proof minted before the pending operation is refused; a fresh one then works", async () => {
    const session = await createSession();
    const early = await proof(["c1"]);
    nowMs += 2 * MINUTE;
    const challenge = challengeOf(await runTransfer(session, transferInput("150000")));
    const refused = challengeOf(await runTransfer(session, transferInput("150000"), { token: early, pendingOperationId: challenge.pendingOperationId }));
    assert.equal(refused.reason, "minted_before_operation");
    assert.equal(refused.pendingOperationId, challenge.pendingOperationId, "the pending operation stays open for a proper proof");
    const ok = await runTransfer(session, transferInput("150000"), { token: await proof(["c1"]), pendingOperationId: challenge.pendingOperationId });
    assert.equal(ok.status, "success");
    assert.deepEqual(await auditOutcomes(refused.correlationId), ["rejected:minted_before_operation"]);
  });

  test("a proof with the wrong context is refused with a challenge for the right one", async () => {
    const session = await createSession();
    const challenge = challengeOf(await runTransfer(session, transferInput("1500000")));
    const refused = challengeOf(await runTransfer(session, transferInput("1500000"), { token: await proof(["c1"]), pendingOperationId: challenge.pendingOperationId }));
    assert.equal(refused.reason, "missing_context");
    assert.equal(refused.authContext, "c2");
    assert.equal(executed.length, 0);
  });

  test("a proof already used for another approval is refused as replayed", async () => {
    // Two approvals open at once (two sessions of one person), both stored before the proof was
    // minted: only the proof's uti can stop it approving the second after the first.
    const session = await createSession();
    const otherSession = await createSession();
    const first = challengeOf(await runTransfer(session, transferInput("150000")));
    const second = challengeOf(await runTransfer(otherSession, transferInput("160000")));
    const token = await proof(["c1"]);
    assert.equal((await runTransfer(session, transferInput("150000"), { token, pendingOperationId: first.pendingOperationId })).status, "success");
    const replay = challengeOf(await runTransfer(otherSession, transferInput("160000"), { token, pendingOperationId: second.pendingOperationId }));
    assert.equal(replay.reason, "replayed");
    assert.equal(replay.pendingOperationId, second.pendingOperationId);
    assert.equal(executed.length, 1);
    const pending = await prisma.pendingOperation.findUniqueOrThrow({ where: { id: second.pendingOperationId } });
    assert.equal(pending.consumedAt, null, "rolled back with the refused proof");
  });

  test("a proof whose verification predates the approval says so (verifiedEarlierAt); one verified for it does not", async () => {
    const session = await createSession();
    const first = challengeOf(await runTransfer(session, transferInput("150000")));
    nowMs += 1_000;
    const verifiedNow = Math.floor(nowMs / 1000);
    const fresh = await runTransfer(session, transferInput("150000"), { token: await proof(["c1"], { auth_time: verifiedNow }), pendingOperationId: first.pendingOperationId });
    assert.equal(fresh.status, "success");
    assert.equal("verifiedEarlierAt" in fresh, false, "verified in this approval's popup");

    const second = challengeOf(await runTransfer(session, transferInput("160000")));
    const reused = await runTransfer(session, transferInput("160000"), { token: await proof(["c1"], { auth_time: verifiedNow }), pendingOperationId: second.pendingOperationId });
    assert.equal(reused.status, "success");
    assert.equal((reused as { verifiedEarlierAt?: string }).verifiedEarlierAt, new Date(verifiedNow * 1000).toISOString());
  });

  test("a proof minted in the same second as the pending operation is refused, even a fresh unused one", async () => {
    const session = await createSession();
    // The operation is stored late in a second; a proof minted at that second's start (before it)
    // or end (after it) must both be refused: `iat` cannot tell them apart.
    nowMs = Math.floor(nowMs / 1000) * 1000 + 900;
    const challenge = challengeOf(await runTransfer(session, transferInput("150000")));
    const sameSecond = await signProof(keys, proofClaims(template, clock(), { acrs: ["c1"] }));
    const refused = challengeOf(await runTransfer(session, transferInput("150000"), { token: sameSecond, pendingOperationId: challenge.pendingOperationId }));
    assert.equal(refused.reason, "minted_before_operation");
    assert.equal(executed.length, 0);
    const ok = await runTransfer(session, transferInput("150000"), { token: await proof(["c1"]), pendingOperationId: challenge.pendingOperationId });
    assert.equal(ok.status, "success");
    assert.equal(executed.length, 1);
  });

  test("an expired pending operation cannot run", async () => {
    const session = await createSession();
    const challenge = challengeOf(await runTransfer(session, transferInput("150000")));
    nowMs += 11 * MINUTE;
    const result = challengeOf(await runTransfer(session, transferInput("150000"), { token: await proof(["c1"]), pendingOperationId: challenge.pendingOperationId }));
    assert.equal(result.reason, "pending_expired");
    assert.equal(executed.length, 0);
  });

  test("another session's or another user's pending operation is not found", async () => {
    const session = await createSession();
    const challenge = challengeOf(await runTransfer(session, transferInput("150000")));
    const otherTab = await createSession();
    const result = challengeOf(await runTransfer(otherTab, transferInput("150000"), { token: await proof(["c1"]), pendingOperationId: challenge.pendingOperationId }));
    assert.equal(result.reason, "pending_not_found");
    const otherUser = await createSession({ user: otherUserId });
    const noInput = await runTransfer(otherUser, undefined, { token: await proof(["c1"]), pendingOperationId: challenge.pendingOperationId });
    assert.equal(noInput.status, "failed");
    assert.equal(executed.length, 0);
  });

  test("a failing handler rolls back everything: the approval stays usable", async () => {
    const session = await createSession();
    const challenge = challengeOf(await runTransfer(session, transferInput("150000")));
    const retry = { token: await proof(["c1"]), pendingOperationId: challenge.pendingOperationId };
    const before = await prisma.auditEvent.count({ where: { operation: "test.transfer-side-effect" } });
    transferHandlerFails = true;
    assert.deepEqual(await runTransfer(session, transferInput("150000"), retry), { status: "failed", message: "Insufficient funds." });
    assert.equal(await prisma.auditEvent.count({ where: { operation: "test.transfer-side-effect" } }), before, "the handler's write was rolled back");
    transferHandlerFails = false;
    assert.equal((await runTransfer(session, transferInput("150000"), retry)).status, "success");
    assert.equal(executed.length, 1);
  });

  test("an unexpected error becomes a generic failure, logged without the token", async () => {
    const session = await createSession();
    const throwing = { ...transferDefinition, handler: async () => { throw new Error("database on fire"); } };
    const challenge = challengeOf(await run(throwing as never, session, transferInput("150000")));
    const token = await proof(["c1"]);
    const logged: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args.map(String).join(" "));
    try {
      const result = await run(throwing as never, session, transferInput("150000"), { token, pendingOperationId: challenge.pendingOperationId });
      assert.deepEqual(result, { status: "failed", message: "Something went wrong. Nothing was changed.", code: "unexpected" });
    } finally {
      console.error = original;
    }
    assert.equal(logged.length, 1);
    const line = JSON.parse(logged[0] ?? "{}") as Record<string, unknown>;
    assert.equal(line.operation, "transfer.create");
    assert.equal(line.stage, "unexpected");
    assert.deepEqual(line.error, { name: "Error", message: "database on fire" });
    assert.ok(!logged.some((line) => line.includes(token)));
    const pending = await prisma.pendingOperation.findUniqueOrThrow({ where: { id: challenge.pendingOperationId } });
    assert.equal(pending.consumedAt, null);
  });
});

describe("several tabs of one session", () => {
  test("opening an approval leaves another tab's open: each executes once, in any order", async () => {
    const session = await createSession();
    const tabA = challengeOf(await runTransfer(session, transferInput("150000")));
    const tabB = challengeOf(await runTransfer(session, transferInput("160000")));
    assert.notEqual(tabA.pendingOperationId, tabB.pendingOperationId);

    const a = await runTransfer(session, undefined, { token: await proof(["c1"]), pendingOperationId: tabA.pendingOperationId });
    assert.deepEqual(a, { status: "success", data: { amountMinor: "150000" } });
    const b = await runTransfer(session, undefined, { token: await proof(["c1"]), pendingOperationId: tabB.pendingOperationId });
    assert.deepEqual(b, { status: "success", data: { amountMinor: "160000" } });
    assert.deepEqual(executed.map((e) => (e.input as TransferInput).amountMinor), [150000n, 160000n]);

    const again = await runTransfer(session, undefined, { token: await proof(["c1"]), pendingOperationId: tabA.pendingOperationId });
    assert.equal(again.status, "failed");
    assert.equal(executed.length, 2, "each approval ran once");
  });

  test("a tab's retry replaces only the approval it names, never another tab's", async () => {
    const session = await createSession();
    const tabA = challengeOf(await runTransfer(session, transferInput("150000")));
    const tabB = challengeOf(await runTransfer(session, transferInput("160000")));
    const changed = challengeOf(await runTransfer(session, transferInput("150001"), { token: await proof(["c1"]), pendingOperationId: tabA.pendingOperationId }));
    assert.equal(changed.reason, "payload_changed");

    const rows = await prisma.pendingOperation.findMany({ where: { id: { in: [tabA.pendingOperationId ?? "", tabB.pendingOperationId ?? ""] } } });
    assert.ok(rows.find((row) => row.id === tabA.pendingOperationId)?.cancelledAt, "tab A's own approval was replaced");
    assert.equal(rows.find((row) => row.id === tabB.pendingOperationId)?.cancelledAt, null, "tab B's is untouched");
    const b = await runTransfer(session, undefined, { token: await proof(["c1"]), pendingOperationId: tabB.pendingOperationId });
    assert.equal(b.status, "success");
    assert.equal(executed.length, 1);
  });

  test("the cap counts every open approval of the session; a retry that replaces its own does not count", async () => {
    const session = await createSession();
    const cap = env.STEP_UP_MAX_OPEN_APPROVALS_PER_USER;
    const open: StepUpChallenge[] = [];
    for (let tab = 0; tab < cap; tab += 1) open.push(challengeOf(await runTransfer(session, transferInput(String(150000 + tab)))));

    const refused = await runTransfer(session, transferInput("199999"));
    assert.equal(refused.status, "failed");
    assert.ok(refused.status === "failed");
    assert.equal(refused.code, "rate_limited");

    const first = open[0];
    assert.ok(first?.pendingOperationId);
    const replacing = challengeOf(await runTransfer(session, transferInput("149999"), { token: await proof(["c1"]), pendingOperationId: first.pendingOperationId }));
    assert.equal(replacing.reason, "payload_changed");
    assert.equal(executed.length, 0);
  });

  test("a tab's Cancel ends only its own approval: it cannot execute and no longer counts", async () => {
    const session = await createSession();
    const tabA = challengeOf(await runTransfer(session, transferInput("150000")));
    const tabB = challengeOf(await runTransfer(session, transferInput("160000")));
    const binding = { sessionId: session.sessionId };
    assert.equal(await countOtherOpenPendingOperations(session.user, { binding, operation: "transfer.create", now: clock() }), 2);

    const otherSession = await createSession();
    assert.equal(await cancelPendingOperation(prisma, session.user, { id: tabB.pendingOperationId ?? "", sessionId: otherSession.sessionId, now: clock() }), false, "not another session's");
    assert.equal(await cancelPendingOperation(prisma, session.user, { id: tabA.pendingOperationId ?? "", sessionId: session.sessionId, now: clock() }), true);
    assert.equal(await cancelPendingOperation(prisma, session.user, { id: tabA.pendingOperationId ?? "", sessionId: session.sessionId, now: clock() }), false, "once");
    assert.equal(await countOtherOpenPendingOperations(session.user, { binding, operation: "transfer.create", now: clock() }), 1);

    const late = challengeOf(await runTransfer(session, undefined, { token: await proof(["c1"]), pendingOperationId: tabA.pendingOperationId }));
    assert.equal(late.reason, "pending_cancelled");
    assert.equal((await runTransfer(session, undefined, { token: await proof(["c1"]), pendingOperationId: tabB.pendingOperationId })).status, "success");
    assert.equal(executed.length, 1);
  });

  test("an API request's cap counts the browser's open approvals too", async () => {
    const session = await createSession();
    challengeOf(await runTransfer(session, transferInput("150000")));
    challengeOf(await runTransfer(session, transferInput("160000")));
    const user = session.user;
    const apiBinding = { idempotencyKey: randomUUID() };
    await createPendingOperation(user, { binding: apiBinding, operation: "transfer.create", payloadJson: "{}", payloadHash: "h", now: clock(), ttlSeconds: 600 });
    assert.equal(await countOtherOpenPendingOperations(user, { binding: apiBinding, operation: "transfer.create", now: clock() }), 2, "its own key's approval is the one it replaces");
    assert.equal(await countOtherOpenPendingOperations(user, { binding: { idempotencyKey: randomUUID() }, operation: "transfer.create", now: clock() }), 3);
  });
});

describe("a database too busy to take the write", () => {
  /**
   * Holds the database's write lock from another connection, as a long transaction elsewhere
   * (another instance, a migration) would: SQLite's RESERVED lock, or on PostgreSQL an exclusive
   * lock on the table the step-up bookkeeping writes first. Returns the release.
   */
  async function holdWriteLock(): Promise<() => Promise<void>> {
    const url = environment.env.DATABASE_URL ?? "";
    if (url.startsWith("file:")) {
      const { default: Database } = await import("better-sqlite3");
      const blocker = new Database(url.slice("file:".length));
      blocker.exec("BEGIN IMMEDIATE");
      return async () => {
        blocker.exec("ROLLBACK");
        blocker.close();
      };
    }
    const { default: pg } = await import("pg");
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    await blocker.query('BEGIN; LOCK TABLE "UsedProof" IN ACCESS EXCLUSIVE MODE');
    return async () => {
      await blocker.query("ROLLBACK");
      await blocker.end();
    };
  }

  test("answers busy with nothing changed (no 'something went wrong'), and the same approval runs once the lock is gone", async () => {
    const session = await createSession();
    const challenge = challengeOf(await runTransfer(session, transferInput("150000")));
    const token = await proof(["c1"]);
    const stepUpProof = { token, pendingOperationId: challenge.pendingOperationId };
    const release = await holdWriteLock();
    // The transaction timeout, shortened from its 10 s for the blocked attempt only, so that the
    // test need not sit through it. Let go of the lock only after it: SQLite gives up on the lock
    // by itself (busy_timeout), but a PostgreSQL lock wait has no timeout of its own, so there the
    // blocked statement finishes when the lock goes and finds its transaction expired.
    const defaultTimeout = transactionLimits.timeout;
    transactionLimits.timeout = 1_000;
    const released = new Promise((resolve) => setTimeout(resolve, transactionLimits.timeout + 500)).then(release);
    let busy: Awaited<ReturnType<typeof runTransfer>>;
    try {
      busy = await runTransfer(session, transferInput("150000"), stepUpProof);
    } finally {
      transactionLimits.timeout = defaultTimeout;
      await released;
    }
    assert.deepEqual(busy, { status: "failed", message: "Woodgrove is busy right now. Nothing was changed. Try again in a moment.", code: "busy" });
    assert.deepEqual(executed, []);
    const pending = await prisma.pendingOperation.findUniqueOrThrow({ where: { id: challenge.pendingOperationId } });
    assert.equal(pending.consumedAt, null, "the approval was not used up");

    const retried = await runTransfer(session, transferInput("150000"), stepUpProof);
    assert.equal(retried.status, "success");
    assert.equal(executed.length, 1);
  });
});

describe("session binding", () => {
  test("a recent sign-in with the context satisfies it without a proof", async () => {
    const session = await createSession({ acrs: ["c3"], authTime: new Date(nowMs - 5 * MINUTE) });
    assert.equal((await runStatements(session, { accountId: "a" })).status, "success");
    assert.equal(executed.length, 1);
    assert.deepEqual(rotated, []);
  });

  test("an older sign-in, or one without the context, does not", async () => {
    const old = await createSession({ acrs: ["c3"], authTime: new Date(nowMs - 20 * MINUTE) });
    const challenge = challengeOf(await runStatements(old, { accountId: "a" }));
    assert.equal(challenge.reason, "insufficient_session");
    assert.equal(challenge.binding, "session");
    assert.equal(challenge.authContext, "c3");
    assert.equal(challenge.pendingOperationId, undefined);
    const other = await createSession({ acrs: ["c1"], authTime: clock() });
    assert.equal(challengeOf(await runStatements(other, { accountId: "a" })).authContext, "c3");
    assert.equal(executed.length, 0);
  });

  test("a proof elevates the session for 15 minutes, rotates its token, and is then honoured without a popup", async () => {
    const session = await createSession();
    challengeOf(await runStatements(session, { accountId: "a" }));
    const token = await proof(["c3"], { auth_time: Math.floor(nowMs / 1000) - 40 * 60 });
    assert.equal((await runStatements(session, { accountId: "a" }, { token })).status, "success");
    assert.deepEqual(rotated, [session.sessionId]);
    const elevation = await prisma.sessionElevation.findFirstOrThrow({ where: { sessionId: session.sessionId } });
    assert.equal(elevation.context, "c3");
    assert.equal(elevation.expiresAt.getTime() - nowMs, 15 * MINUTE);

    nowMs += 14 * MINUTE;
    assert.equal((await runStatements(session, { accountId: "b" })).status, "success");
    assert.equal(executed.length, 2);

    nowMs += 2 * MINUTE;
    assert.equal(challengeOf(await runStatements(session, { accountId: "c" })).reason, "insufficient_session");
    assert.equal(executed.length, 2);
    assert.equal((await runStatements(session, { accountId: "c" }, { token })).status, "step_up_required", "the proof is spent");
  });

  test("an elevation never outlives the session", async () => {
    const session = await createSession({ expires: new Date(nowMs + 5 * MINUTE) });
    assert.equal((await runStatements(session, { accountId: "a" }, { token: await proof(["c3"]) })).status, "success");
    const elevation = await prisma.sessionElevation.findFirstOrThrow({ where: { sessionId: session.sessionId } });
    assert.equal(elevation.expiresAt.getTime(), session.expires.getTime());
  });

  test("a proof with another context, or for another user, elevates nothing", async () => {
    const session = await createSession();
    assert.equal(challengeOf(await runStatements(session, { accountId: "a" }, { token: await proof(["c1"]) })).reason, "missing_context");
    assert.equal(
      challengeOf(await runStatements(session, { accountId: "a" }, { token: await proof(["c3"], { oid: "6f1d2c3b-0000-4000-8000-00000000d004" }) })).reason,
      "wrong_user",
    );
    assert.equal(await prisma.sessionElevation.count({ where: { sessionId: session.sessionId } }), 0);
    assert.deepEqual(rotated, []);
  });

  test("an elevation belongs to its session only", async () => {
    const session = await createSession();
    assert.equal((await runStatements(session, { accountId: "a" }, { token: await proof(["c3"]) })).status, "success");
    const otherTab = await createSession();
    assert.equal(challengeOf(await runStatements(otherTab, { accountId: "a" })).reason, "insufficient_session");
  });

  test("a malformed proof argument is treated as no proof", async () => {
    const session = await createSession();
    for (const bad of [null, "token-as-string", { token: 42 }, { token: "" }]) {
      assert.equal(challengeOf(await runStatements(session, { accountId: "a" }, bad)).reason, "insufficient_session");
    }
  });
});

test("the audit trail records every decision with the uti, and never a token", async () => {
  const session = await createSession();
  const challenge = challengeOf(await runTransfer(session, transferInput("150000")));
  const token = await proof(["c1"], { uti: "uti-audit-check" });
  assert.equal((await runTransfer(session, transferInput("150000"), { token, pendingOperationId: challenge.pendingOperationId })).status, "success");
  const executedRow = await prisma.auditEvent.findFirstOrThrow({ where: { outcome: "executed", details: { contains: "uti-audit-check" } } });
  assert.equal(executedRow.userId, userId);
  assert.equal(executedRow.operation, "transfer.create");
  const all = await prisma.auditEvent.findMany();
  assert.ok(all.every((row) => !row.details.includes("eyJ")), "no JWT in any audit row");
  assert.deepEqual(await auditOutcomes(challenge.correlationId), ["required"]);
  assert.equal((await runStatements(session, { accountId: "a" }, { token: await proof(["c3"], { uti: "uti-audit-elevation" }) })).status, "success");
  const satisfied = await prisma.auditEvent.findFirstOrThrow({ where: { outcome: "satisfied", details: { contains: "uti-audit-elevation" } } });
  assert.match(satisfied.details, /"via":"proof"/);
});
