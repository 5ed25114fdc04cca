/**
 * Transfers end to end below the browser, on a migrated SQLite database: the real schema, policy
 * input and data layer run through the enforcement core (`runProtected`, as
 * `createTransferAction` does) or `runAuthed` (to set test limits). Checked: ownership, funds,
 * limits, idempotency, the ledger invariants, and concurrency (no overdraft, daily limit held).
 */
import { migrateTestDatabase } from "../support/portal-env";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, test } from "node:test";
import type { ActionResult } from "../../lib/actions/result";
import type { PortalSession } from "../../lib/auth/session";
import type { ProofVerifier } from "../../lib/step-up/server/verify-proof";
import { createCustomer, ensureClearing, invariantViolations, totalMoney, transferRequest, type Customer } from "./support";

const { prisma } = await import("../../lib/db");
const { runProtected, runAuthed } = await import("../../lib/step-up/server/enforce");
const { transferSchema } = await import("../../lib/validation/transfers");
const { createTransfer, getTransferPolicyInput, listTransfers, payeeHasCompletedTransfer, TRANSFER_NOT_FOUND } = await import("../../lib/data/transfers");
type Receipt = Awaited<ReturnType<typeof listTransfers>>[number];
type Limits = import("../../lib/data/transfers").TransferLimits;

before(async () => {
  await migrateTestDatabase();
  await ensureClearing(prisma);
});

/** A verifier that never accepts: below the threshold none is consulted; above it the first call must challenge. */
const noProofs: ProofVerifier = {
  authenticate: async () => ({ ok: false, reason: "bad_signature" }),
  verify: async () => ({ ok: false, reason: "bad_signature" }),
  maxSkewSeconds: 60,
  clock: () => new Date(),
};

async function sessionFor(customer: Customer): Promise<PortalSession> {
  const row = await prisma.session.create({ data: { sessionToken: randomUUID(), userId: customer.user.id, expires: new Date(Date.now() + 3_600_000) } });
  return {
    sessionId: row.id,
    user: { id: customer.user.id, name: "Transfer Tester", userPrincipalName: null, tenantId: "t", objectId: "o" },
    strength: { acrs: [], authTime: null, elevations: [] },
    roles: [],
    expires: row.expires,
  };
}

/** What `createTransferAction` does (app/(portal)/transfer/actions.ts), without Next's cookie lookup. */
const transferDefinition = {
  operation: "transfer.create" as const,
  schema: transferSchema,
  handler: ({ user, input, tx }: Parameters<Parameters<typeof runAuthed>[0]["handler"]>[0] & { input: import("../../lib/validation/transfers").TransferInput }) =>
    createTransfer(tx, user, input),
  policyInput: ({ user, input }: { user: { id: string }; input: import("../../lib/validation/transfers").TransferInput }) => getTransferPolicyInput(user, input),
};

function act(session: PortalSession, input: unknown): Promise<ActionResult<Receipt>> {
  return runProtected(transferDefinition, { session, input, verifier: noProofs, policySet: "production" });
}

/** Runs the data layer directly (no policy), with optional limits and clock. */
function direct(session: PortalSession, input: unknown, options: { limits?: Limits; now?: () => Date } = {}): Promise<ActionResult<Receipt>> {
  return runAuthed({ schema: transferSchema, handler: ({ user, input: parsed, tx }) => createTransfer(tx, user, parsed, options) }, { session, input });
}

async function balanceOf(accountId: string): Promise<bigint> {
  return (await prisma.bankAccount.findUniqueOrThrow({ where: { id: accountId }, select: { balanceMinor: true } })).balanceMinor;
}

function assertSuccess(result: ActionResult<Receipt>): Receipt {
  assert.equal(result.status, "success", JSON.stringify(result));
  return (result as { data: Receipt }).data;
}

describe("a transfer", () => {
  test("between own accounts below the threshold runs at once: balances, receipt, two entries summing to zero", async () => {
    const customer = await createCustomer(prisma, { checking: 100_000n, savings: 5_000n });
    const session = await sessionFor(customer);
    const receipt = assertSuccess(await act(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "250.75", { memo: "Rainy day" })));

    assert.equal(receipt.amountMinor, "25075");
    assert.equal(receipt.fromBalanceAfterMinor, "74925");
    assert.equal(receipt.status, "completed");
    assert.equal(receipt.replayed, false);
    assert.equal(receipt.to.kind, "account");
    assert.equal(receipt.memo, "Rainy day");
    assert.match(receipt.reference, /^TRF-[A-Z0-9]{10}$/);
    assert.equal(await balanceOf(customer.checkingId), 74_925n);
    assert.equal(await balanceOf(customer.savingsId), 30_075n);
    const entries = await prisma.ledgerEntry.findMany({ where: { transferId: receipt.id }, select: { amountMinor: true, accountId: true, balanceAfterMinor: true } });
    assert.equal(entries.length, 2);
    assert.equal(entries.reduce((sum, entry) => sum + entry.amountMinor, 0n), 0n);
    assert.deepEqual(await invariantViolations(prisma), []);
  });

  test("to a payee credits the bank's clearing account; the payee is 'new' until a transfer to it completed", async () => {
    const customer = await createCustomer(prisma, { checking: 100_000n });
    const session = await sessionFor(customer);
    const clearingBefore = await balanceOf("clearing_usd");
    const request = transferRequest(customer.checkingId, { payeeId: customer.payeeId }, "10.00");

    const facts = await getTransferPolicyInput(customer.user, transferSchema.parse(request));
    assert.deepEqual(facts, { status: "success", data: { amountMinor: 1000n, currency: "USD", newPayee: true, unverifiedTodayMinor: 0n } });
    assert.equal(await payeeHasCompletedTransfer(customer.user, customer.payeeId), false);

    const receipt = assertSuccess(await direct(session, request));
    assert.equal(receipt.to.kind, "payee");
    assert.equal(await balanceOf("clearing_usd"), clearingBefore + 1000n);
    assert.equal(await payeeHasCompletedTransfer(customer.user, customer.payeeId), true);
    const again = await getTransferPolicyInput(customer.user, transferSchema.parse(transferRequest(customer.checkingId, { payeeId: customer.payeeId }, "10.00")));
    assert.deepEqual(again, { status: "success", data: { amountMinor: 1000n, currency: "USD", newPayee: false, unverifiedTodayMinor: 0n } });
    assert.deepEqual(await invariantViolations(prisma), []);
  });

  test("from the threshold the action answers step_up_required with the exact payload, and nothing moves", async () => {
    const customer = await createCustomer(prisma, { checking: 500_000n });
    const session = await sessionFor(customer);
    const request = transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "1,000.00", { memo: "Big one" });
    const result = await act(session, request);
    assert.equal(result.status, "step_up_required");
    if (result.status !== "step_up_required") return;
    assert.equal(result.challenge.authContext, "c1");
    assert.equal(result.challenge.binding, "transaction");
    assert.deepEqual(result.challenge.payload, {
      amountMinor: "100000",
      currency: "USD",
      fromAccountId: customer.checkingId,
      idempotencyKey: request.idempotencyKey,
      memo: "Big one",
      toAccountId: customer.savingsId,
    });
    const payeeResult = await act(session, transferRequest(customer.checkingId, { payeeId: customer.payeeId }, "1.00"));
    assert.equal(payeeResult.status === "step_up_required" && payeeResult.challenge.authContext, "c2", "a new payee needs c2 whatever the amount");
    assert.equal(await balanceOf(customer.checkingId), 500_000n);
    assert.equal(await prisma.transfer.count({ where: { ownerId: customer.user.id } }), 0);
  });

  test("insufficient funds: refused with a clear message, nothing written", async () => {
    const customer = await createCustomer(prisma, { checking: 5_000n });
    const session = await sessionFor(customer);
    const result = await act(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "50.01"));
    assert.equal(result.status, "failed");
    assert.match((result as { message: string }).message, /isn't enough money/);
    assert.equal(await balanceOf(customer.checkingId), 5_000n);
    assert.equal(await prisma.transfer.count({ where: { ownerId: customer.user.id } }), 0);
    assertSuccess(await act(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "50.00")));
    assert.equal(await balanceOf(customer.checkingId), 0n);
  });

  test("another user's account or payee, and unknown ids, all answer 'not found' and change nothing", async () => {
    const me = await createCustomer(prisma, { checking: 100_000n });
    const other = await createCustomer(prisma, { checking: 100_000n });
    const session = await sessionFor(me);
    const attempts = [
      transferRequest(other.checkingId, { toAccountId: me.savingsId }, "10.00"),
      transferRequest(me.checkingId, { toAccountId: other.savingsId }, "10.00"),
      transferRequest(me.checkingId, { payeeId: other.payeeId }, "10.00"),
      transferRequest(me.checkingId, { payeeId: "payee_does_not_exist" }, "10.00"),
      transferRequest(me.checkingId, { toAccountId: "clearing_usd" }, "10.00"),
      transferRequest("clearing_usd", { toAccountId: me.savingsId }, "10.00"),
    ];
    const before = await totalMoney(prisma);
    for (const request of attempts) {
      assert.deepEqual(await act(session, request), { status: "failed", message: TRANSFER_NOT_FOUND, code: "not_found" }, JSON.stringify(request));
      assert.deepEqual(await direct(session, request), { status: "failed", message: TRANSFER_NOT_FOUND, code: "not_found" }, JSON.stringify(request));
    }
    assert.equal(await totalMoney(prisma), before);
    assert.equal(await balanceOf(other.checkingId), 100_000n);
    assert.equal(await prisma.transfer.count({ where: { ownerId: { in: [me.user.id, other.user.id] } } }), 0);
  });

  test("extra members (owner, balance, status) are refused by name and move nothing; a currency other than the account's is refused", async () => {
    const customer = await createCustomer(prisma, { checking: 100_000n });
    const other = await createCustomer(prisma, { checking: 0n });
    const session = await sessionFor(customer);
    const smuggled = await act(session, { ...transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "1.00"), ownerId: other.user.id, balanceMinor: "0", status: "failed" });
    assert.deepEqual(smuggled, {
      status: "invalid",
      fieldErrors: { ownerId: ["This field is not accepted."], balanceMinor: ["This field is not accepted."], status: ["This field is not accepted."] },
    });
    assert.equal(await prisma.transfer.count({ where: { ownerId: { in: [customer.user.id, other.user.id] } } }), 0);
    const receipt = assertSuccess(await act(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "1.00")));
    assert.equal((await prisma.transfer.findUniqueOrThrow({ where: { id: receipt.id } })).ownerId, customer.user.id);
    const wrongCurrency = await act(session, { ...transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "1.00"), currency: "EUR" });
    assert.equal(wrongCurrency.status, "invalid");
  });

  test("the per-transfer limit is enforced with the limit in the message", async () => {
    const customer = await createCustomer(prisma, { checking: 10_000_000n });
    const session = await sessionFor(customer);
    const result = await direct(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "25,000.01"));
    assert.equal(result.status, "invalid");
    assert.match((result as { fieldErrors: Record<string, string[]> }).fieldErrors.amount![0]!, /\$25,000\.00/);
    assertSuccess(await direct(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "25,000.00")));
  });
});

describe("idempotency", () => {
  test("the same key and request again returns the first transfer and moves nothing", async () => {
    const customer = await createCustomer(prisma, { checking: 100_000n });
    const session = await sessionFor(customer);
    const request = transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "40.00");
    const first = assertSuccess(await act(session, request));
    const second = assertSuccess(await act(session, request));
    assert.equal(second.id, first.id);
    assert.equal(second.replayed, true);
    assert.equal(second.fromBalanceAfterMinor, first.fromBalanceAfterMinor);
    assert.equal(await balanceOf(customer.checkingId), 96_000n);
    assert.equal(await prisma.transfer.count({ where: { ownerId: customer.user.id } }), 1);
  });

  test("the same key with another request is refused and changes nothing", async () => {
    const customer = await createCustomer(prisma, { checking: 100_000n });
    const session = await sessionFor(customer);
    const request = transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "40.00");
    assertSuccess(await act(session, request));
    const changed = await act(session, { ...request, amount: "41.00" });
    assert.equal(changed.status, "failed");
    assert.match((changed as { message: string }).message, /already used for a different transfer/);
    assert.equal(await balanceOf(customer.checkingId), 96_000n);
  });

  test("keys are per user: another user's key does not collide", async () => {
    const a = await createCustomer(prisma, { checking: 10_000n });
    const b = await createCustomer(prisma, { checking: 10_000n });
    const key = randomUUID();
    assertSuccess(await act(await sessionFor(a), transferRequest(a.checkingId, { toAccountId: a.savingsId }, "1.00", { idempotencyKey: key })));
    const other = assertSuccess(await act(await sessionFor(b), transferRequest(b.checkingId, { toAccountId: b.savingsId }, "1.00", { idempotencyKey: key })));
    assert.equal(other.replayed, false);
  });

  test("ten simultaneous submissions with one key (a double click, a second tab) make one transfer", async () => {
    const customer = await createCustomer(prisma, { checking: 100_000n });
    const session = await sessionFor(customer);
    const request = transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "10.00");
    const results = await Promise.all(Array.from({ length: 10 }, () => act(session, request)));
    const receipts = results.map(assertSuccess);
    assert.equal(new Set(receipts.map((r) => r.id)).size, 1);
    assert.equal(receipts.filter((r) => !r.replayed).length, 1);
    assert.equal(await balanceOf(customer.checkingId), 99_000n);
  });
});

describe("ledger and concurrency", () => {
  test("after many mixed transfers: money is conserved, each transfer sums to zero, balance = sum of entries", async () => {
    const customers = [await createCustomer(prisma, { checking: 300_000n, savings: 100_000n }), await createCustomer(prisma, { checking: 200_000n })];
    const before = await totalMoney(prisma);
    let succeeded = 0;
    for (let i = 0; i < 60; i += 1) {
      const customer = customers[i % 2]!;
      const session = await sessionFor(customer);
      const toPayee = i % 3 === 0;
      const fromSavings = i % 5 === 0;
      const from = fromSavings ? customer.savingsId : customer.checkingId;
      const to = toPayee ? { payeeId: customer.payeeId } : { toAccountId: fromSavings ? customer.checkingId : customer.savingsId };
      const amount = `${(i * 37) % 900 + 1}.${String(i % 100).padStart(2, "0")}`;
      const result = await direct(session, transferRequest(from, to, amount));
      if (result.status === "success") succeeded += 1;
    }
    assert.ok(succeeded > 25, `${succeeded} of 60 succeeded`);
    assert.equal(await totalMoney(prisma), before);
    assert.deepEqual(await invariantViolations(prisma), []);
  });

  test("30 simultaneous transfers from an account that covers 10: exactly 10 succeed, never below zero", async () => {
    const customer = await createCustomer(prisma, { checking: 100_000n });
    const session = await sessionFor(customer);
    const before = await totalMoney(prisma);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        act(session, transferRequest(customer.checkingId, i % 2 ? { toAccountId: customer.savingsId } : { toAccountId: customer.savingsId }, "100.00")),
      ),
    );
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === "success").length, 10, JSON.stringify(results.filter((r) => r.status !== "success").slice(0, 2)));
    assert.equal(statuses.filter((s) => s === "failed").length, 20);
    assert.equal(await balanceOf(customer.checkingId), 0n);
    assert.equal(await balanceOf(customer.savingsId), 100_000n);
    assert.equal(await prisma.transfer.count({ where: { ownerId: customer.user.id } }), 10);
    assert.equal(await totalMoney(prisma), before);
    assert.deepEqual(await invariantViolations(prisma), []);
  });

  test("the daily limit holds under 30 simultaneous submissions, and a new UTC day starts a new count", async () => {
    const customer = await createCustomer(prisma, { checking: 10_000_000n });
    const session = await sessionFor(customer);
    const limits: Limits = { perTransferMinor: 20_000n, dailyMinor: 50_000n };
    const day = new Date();
    const results = await Promise.all(
      Array.from({ length: 30 }, () => direct(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "100.00"), { limits, now: () => day })),
    );
    const refused = results.filter((r) => r.status === "failed") as { message: string }[];
    assert.equal(results.filter((r) => r.status === "success").length, 5);
    assert.equal(refused.length, 25);
    assert.match(refused[0]!.message, /daily limit of \$500\.00\. You can send up to \$0\.00 more today/);
    assert.equal(await balanceOf(customer.checkingId), 10_000_000n - 50_000n);

    const tomorrow = new Date(day.getTime() + 86_400_000);
    assertSuccess(await direct(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "100.00"), { limits, now: () => tomorrow }));
    const partial = await direct(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "200.00"), { limits, now: () => tomorrow });
    assertSuccess(partial);
    const over = await direct(session, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "200.01"), { limits: { ...limits, perTransferMinor: 50_000n }, now: () => tomorrow });
    assert.match((over as { message: string }).message, /up to \$200\.00 more today/);
    assert.deepEqual(await invariantViolations(prisma), []);
  });

  test("listTransfers shows only the user's own transfers, newest first", async () => {
    const a = await createCustomer(prisma, { checking: 10_000n });
    const b = await createCustomer(prisma, { checking: 10_000n });
    const first = assertSuccess(await act(await sessionFor(a), transferRequest(a.checkingId, { toAccountId: a.savingsId }, "1.00")));
    const second = assertSuccess(await act(await sessionFor(a), transferRequest(a.checkingId, { toAccountId: a.savingsId }, "2.00")));
    assertSuccess(await act(await sessionFor(b), transferRequest(b.checkingId, { toAccountId: b.savingsId }, "3.00")));
    const listed = await listTransfers(a.user);
    assert.deepEqual(listed.map((t) => t.id), [second.id, first.id]);
  });
});
