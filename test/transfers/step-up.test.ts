/**
 * `transfer.create` through the real enforcement core with real (locally signed) proofs: the
 * transaction binding executes exactly the approved transfer, once. The schema, policy input and
 * data layer are the ones `createTransferAction` uses; only Next's cookie lookup is left out.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, test } from "node:test";
import type { ActionResult, StepUpChallenge } from "../../lib/actions/result";
import type { PortalSession } from "../../lib/auth/session";
import type { ProofVerifier } from "../../lib/step-up/verify-proof";
import { createTestKeys, prepareEnvironment, proofClaims, signProof, type ProofTemplate, type TestKeys } from "../step-up/support";
import { createCustomer, ensureClearing, invariantViolations, transferRequest, type Customer } from "./support";

const environment = await prepareEnvironment();
const { prisma } = await import("../../lib/db");
const { runProtected } = await import("../../lib/step-up/enforce");
const { createProofVerifier } = await import("../../lib/step-up/verify-proof");
const { transferSchema } = await import("../../lib/validation/transfers");
const { createTransfer, getTransferPolicyInput } = await import("../../lib/data/transfers");
type Receipt = import("../../lib/data/transfers").TransferReceipt;
type TransferInput = import("../../lib/validation/transfers").TransferInput;

let nowMs = Date.now();
const clock = () => new Date(nowMs);
let keys: TestKeys;
let verifier: ProofVerifier;
let template: ProofTemplate;

/** What `createTransferAction` wraps (app/(portal)/transfer/actions.ts). */
const definition = {
  operation: "transfer.create" as const,
  schema: transferSchema,
  handler: ({ user, input, tx }: { user: { id: string }; input: TransferInput; tx: import("../../lib/data/transaction").TransactionClient }) => createTransfer(tx, user, input),
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

const act = (session: PortalSession, input: unknown, proof?: { token: string; pendingOperationId?: string }): Promise<ActionResult<Receipt>> =>
  runProtected(definition, { session, input, proof, verifier, policySet: "production" });

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
