/**
 * `transfer.create` through the real enforcement core with real (locally signed) proofs: the
 * transaction binding executes exactly the approved transfer, once. The schema, policy input and
 * data layer are the ones `createTransferAction` uses; only Next's cookie lookup is left out.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, test } from "node:test";
import type { ActionResult } from "../../lib/actions/result";
import type { StepUpChallenge } from "../../lib/step-up/protocol";
import type { PortalSession } from "../../lib/auth/session";
import type { ProofVerifier } from "../../lib/step-up/server/verify-proof";
import { createTestKeys, prepareEnvironment, proofClaims, signProof, type ProofTemplate, type TestKeys } from "../step-up/support";
import { createCustomer, ensureClearing, invariantViolations, transferRequest, type Customer } from "./support";

const environment = await prepareEnvironment();
const { prisma } = await import("../../lib/db");
const { runProtected } = await import("../../lib/step-up/server/enforce");
const { createProofVerifier } = await import("../../lib/step-up/server/verify-proof");
const { transferSchema } = await import("../../lib/validation/transfers");
const { checkTransfer, createTransfer, getTransferPolicyInput } = await import("../../lib/data/transfers");
type Receipt = import("../../lib/data/transfers").TransferReceipt;
type TransferInput = import("../../lib/validation/transfers").TransferInput;

let nowMs = Date.now();
const clock = () => new Date(nowMs);
let keys: TestKeys;
let verifier: ProofVerifier;
let template: ProofTemplate;

type HandlerContext = import("../../lib/step-up/server/operation").ProtectedActionContext<TransferInput>;

/** What `createTransferAction` wraps (app/(portal)/transfer/actions.ts). */
const definition = {
  operation: "transfer.create" as const,
  schema: transferSchema,
  precheck: ({ user, input }: { user: { id: string }; input: TransferInput }) => checkTransfer(user, input),
  handler: ({ user, input, tx, stepUp }: HandlerContext) => createTransfer(tx, user, input, { stepUp }),
  policyInput: ({ user, input }: { user: { id: string }; input: TransferInput }) => getTransferPolicyInput(user, input),
};

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

async function signedIn(balances: { checking: bigint; savings?: bigint }): Promise<{ customer: Customer; session: PortalSession }> {
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

const act = (session: PortalSession, input: unknown, proof?: { token: string; pendingOperationId?: string }, using: typeof definition = definition): Promise<ActionResult<Receipt>> =>
  runProtected(using, { session, input, proof, verifier, policySet: "production" });

/** A proof for `session`'s user with `acrs`, minted a second after now (so after the pending operation). */
async function proofFor(session: PortalSession, acrs: string[]): Promise<string> {
  nowMs += 1_000;
  return signProof(keys, proofClaims({ ...template, objectId: session.user.objectId }, clock(), { acrs }));
}

function challengeOf(result: ActionResult<Receipt>): StepUpChallenge {
  assert.equal(result.status, "step_up_required", JSON.stringify(result));
  return (result as { challenge: StepUpChallenge }).challenge;
}

const balanceOf = async (id: string) => (await prisma.bankAccount.findUniqueOrThrow({ where: { id } })).balanceMinor;

test("from the threshold: challenge, then the approved transfer runs once; the same proof again moves nothing", async () => {
  const { customer, session } = await signedIn({ checking: 500_000n });
  const request = transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "1,500.00", { memo: "Approved" });
  const challenge = challengeOf(await act(session, request));
  assert.equal(challenge.authContext, "c1");
  assert.equal(challenge.payload?.amountMinor, "150000");

  const token = await proofFor(session, ["c1"]);
  const result = await act(session, undefined, { token, pendingOperationId: challenge.pendingOperationId! });
  assert.equal(result.status, "success", JSON.stringify(result));
  assert.equal(await balanceOf(customer.checkingId), 350_000n);

  const replay = await act(session, undefined, { token, pendingOperationId: challenge.pendingOperationId! });
  assert.equal(replay.status, "failed");
  assert.equal(await balanceOf(customer.checkingId), 350_000n);
  assert.equal(await prisma.transfer.count({ where: { ownerId: customer.user.id } }), 1);
});

test("five simultaneous retries with one approval execute once", async () => {
  const { customer, session } = await signedIn({ checking: 500_000n });
  const challenge = challengeOf(await act(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "2000")));
  const token = await proofFor(session, ["c1"]);
  const results = await Promise.all(Array.from({ length: 5 }, () => act(session, undefined, { token, pendingOperationId: challenge.pendingOperationId! })));
  assert.equal(results.filter((r) => r.status === "success").length, 1);
  assert.equal(await balanceOf(customer.checkingId), 300_000n);
  assert.equal(await prisma.transfer.count({ where: { ownerId: customer.user.id } }), 1);
});

test("a changed amount, source or destination after approval needs a new approval; nothing moves", async () => {
  const { customer, session } = await signedIn({ checking: 500_000n, savings: 500_000n });
  const request = transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "1,000.00");
  const challenge = challengeOf(await act(session, request));
  const token = await proofFor(session, ["c1"]);
  const reasons: string[] = [];
  for (const changed of [{ ...request, amount: "4,000.00" }, { ...request, fromAccountId: customer.savingsId, toAccountId: customer.checkingId }]) {
    reasons.push(challengeOf(await act(session, changed, { token, pendingOperationId: challenge.pendingOperationId! })).reason);
  }
  // The first change replaced the approved pending operation with its own, so the second finds it cancelled.
  assert.deepEqual(reasons, ["payload_changed", "pending_cancelled"]);
  assert.equal(await balanceOf(customer.checkingId), 500_000n);
  assert.equal(await balanceOf(customer.savingsId), 500_000n);
  assert.equal(await prisma.transfer.count({ where: { ownerId: customer.user.id } }), 0);
});

test("a new payee needs c2: a c1 proof is refused and nothing moves; a c2 proof pays it", async () => {
  const { customer, session } = await signedIn({ checking: 500_000n });
  const challenge = challengeOf(await act(session, transferRequest(customer.checkingId, { payeeId: customer.payeeId }, "5.00")));
  assert.equal(challenge.authContext, "c2");
  const weak = await act(session, undefined, { token: await proofFor(session, ["c1"]), pendingOperationId: challenge.pendingOperationId! });
  assert.equal(weak.status, "step_up_required");
  assert.equal(await balanceOf(customer.checkingId), 500_000n);
  const strong = await act(session, undefined, { token: await proofFor(session, ["c2"]), pendingOperationId: challenge.pendingOperationId! });
  assert.equal(strong.status, "success", JSON.stringify(strong));
  assert.equal(await balanceOf(customer.checkingId), 499_500n);
  assert.deepEqual(await invariantViolations(prisma), []);
});

const pendingCount = (session: PortalSession) => prisma.pendingOperation.count({ where: { userId: session.user.id } });
const dailyUnverified = async (id: string) => (await prisma.bankAccount.findUniqueOrThrow({ where: { id } })).dailyUnverifiedMinor;

function failureOf(result: ActionResult<Receipt>): string {
  assert.equal(result.status, "failed", JSON.stringify(result));
  return (result as { message: string }).message;
}

test("more than the balance is refused before any challenge: no pending operation, audited, nothing moves", async () => {
  const { customer, session } = await signedIn({ checking: 1_946_656n });
  const result = await act(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "20,000.00"));
  assert.match(failureOf(result), /isn't enough money/);
  assert.equal(await pendingCount(session), 0, "nobody is asked to approve what cannot succeed");
  assert.equal(await balanceOf(customer.checkingId), 1_946_656n);
  const audit = await prisma.auditEvent.findFirst({ where: { userId: session.user.id, operation: "transfer.create" }, orderBy: { createdAt: "desc" } });
  assert.equal(audit?.outcome, "rejected:precheck");
});

test("past a limit, to someone else's payee, under a key already used: refused before any challenge", async () => {
  const { customer, session } = await signedIn({ checking: 10_000_000n });
  const other = await createCustomer(prisma, { checking: 0n });
  // Per-transfer limit (25,000.00 by default): a field error, as at execution.
  const tooBig = await act(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "30,000.00"));
  assert.equal(tooBig.status, "invalid", JSON.stringify(tooBig));
  // Daily limit (50,000.00 by default) with what already left today.
  await prisma.bankAccount.update({ where: { id: customer.checkingId }, data: { dailyOutDay: clock().toISOString().slice(0, 10), dailyOutMinor: 4_900_000n } });
  assert.match(failureOf(await act(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "2,000.00"))), /daily limit/);
  // Someone else's payee: "not found", before the new-payee rule would ask for a passkey.
  const foreign = await act(session, transferRequest(customer.checkingId, { payeeId: other.payeeId }, "5.00"));
  assert.deepEqual(foreign, { status: "failed", message: "We couldn't find that account or payee.", code: "not_found" });
  // A key that already sent a different transfer.
  const key = randomUUID();
  assert.equal((await act(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "10.00", { idempotencyKey: key }))).status, "success");
  assert.match(failureOf(await act(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "1,500.00", { idempotencyKey: key }))), /already used/);
  assert.equal(await pendingCount(session), 0);
});

test("the precheck does not decide: money that leaves between challenge and approval is refused at execution, and the approval stays unused", async () => {
  const { customer, session } = await signedIn({ checking: 200_000n });
  const challenge = challengeOf(await act(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "1,500.00")));
  assert.equal((await act(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "999.00"))).status, "success");
  const result = await act(session, undefined, { token: await proofFor(session, ["c1"]), pendingOperationId: challenge.pendingOperationId! });
  assert.match(failureOf(result), /isn't enough money/);
  assert.equal(await balanceOf(customer.checkingId), 100_100n);
  const pending = await prisma.pendingOperation.findUniqueOrThrow({ where: { id: challenge.pendingOperationId! } });
  assert.equal(pending.consumedAt, null);
});

test("transfers without verification count toward 1,000.00 a day; the one that would pass it needs c1, and a verified one does not count", async () => {
  const { customer, session } = await signedIn({ checking: 1_000_000n });
  const send = (amount: string) => act(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, amount));
  assert.equal((await send("999.00")).status, "success");
  assert.equal((await send("1.00")).status, "success", "reaching the allowance exactly is within it");
  assert.equal(await dailyUnverified(customer.checkingId), 100_000n);

  const challenge = challengeOf(await send("0.01"));
  assert.equal(challenge.authContext, "c1");
  const approved = await act(session, undefined, { token: await proofFor(session, ["c1"]), pendingOperationId: challenge.pendingOperationId! });
  assert.equal(approved.status, "success", JSON.stringify(approved));
  assert.equal(await dailyUnverified(customer.checkingId), 100_000n, "a verified transfer does not use the allowance");
  assert.equal(await balanceOf(customer.checkingId), 1_000_000n - 100_001n);

  // A new day starts a new allowance.
  nowMs += 24 * 3_600_000;
  const tomorrow = await getTransferPolicyInput(session.user, transferSchema.parse(transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "1.00")), clock());
  assert.equal(tomorrow.status === "success" && tomorrow.data.unverifiedTodayMinor, 0n);
});

test("two concurrent transfers judged within the allowance cannot both pass it: the second is refused, rolled back, and then needs c1", async () => {
  const { customer, session } = await signedIn({ checking: 1_000_000n });
  // Both requests are judged by the policy before either executes: each alone is within the allowance.
  let arrived = 0;
  let release: () => void = () => {};
  const bothJudged = new Promise<void>((resolve) => (release = resolve));
  const racing = {
    ...definition,
    policyInput: async (context: { user: { id: string }; input: TransferInput }) => {
      const facts = await definition.policyInput(context);
      arrived += 1;
      if (arrived === 2) release();
      await bothJudged;
      return facts;
    },
  };
  const requests = [transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "600.00"), transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "600.00")];
  const results = await Promise.all(requests.map((request) => act(session, request, undefined, racing)));

  assert.equal(results.filter((r) => r.status === "success").length, 1, JSON.stringify(results));
  const refused = results.find((r) => r.status !== "success")!;
  assert.match(failureOf(refused), /now needs you to verify/);
  assert.equal(await dailyUnverified(customer.checkingId), 60_000n);
  assert.equal(await balanceOf(customer.checkingId), 940_000n);
  assert.equal(await prisma.transfer.count({ where: { ownerId: customer.user.id } }), 1, "the refused transfer was rolled back");

  const retried = requests[results.indexOf(refused)]!;
  assert.equal(challengeOf(await act(session, retried)).authContext, "c1", "sent again, it meets the challenge");
  assert.deepEqual(await invariantViolations(prisma), []);
});
