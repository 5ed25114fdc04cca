/**
 * The transfer concurrency guarantees on PostgreSQL, where transactions really run in parallel
 * (on SQLite the portal queues them): no overdraft, the daily limit held, one transfer per
 * idempotency key, and the ledger invariants. A private throwaway cluster and a PostgreSQL client
 * generated from the twin schema (as test/db/postgres.test.ts does); skipped loudly without
 * PostgreSQL, a failure under CI.
 */
import "../support/portal-env";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { PrismaPg } from "@prisma/adapter-pg";
import type { PrismaClient } from "../../lib/generated/prisma/client";
import { REPO_ROOT, runTsx, withPostgres } from "../db/support";
import { createCustomer, ensureClearing, invariantViolations, totalMoney, transferRequest } from "./support";

const { createTransfer } = await import("../../lib/data/transfers");
const { transferSchema } = await import("../../lib/validation/transfers");
type Limits = import("../../lib/data/transfers").TransferLimits;
type Receipt = import("../../lib/data/transfers").TransferReceipt;

type PgClientClass = new (options: { adapter: PrismaPg }) => PrismaClient;

async function generatePostgresClient(url: string): Promise<{ PrismaClient: PgClientClass; dispose: () => void }> {
  const dir = path.join(REPO_ROOT, ".data", "test", `pg-client-transfers-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const schema = readFileSync(path.join(REPO_ROOT, "prisma/postgres/schema.prisma"), "utf8").replace('"../../lib/generated/prisma"', '"./client"');
  writeFileSync(path.join(dir, "schema.prisma"), schema);
  const generate = await runTsx("node_modules/prisma/build/index.js", ["generate", "--schema", path.join(dir, "schema.prisma")], { DATABASE_URL: url });
  assert.equal(generate.code, 0, generate.stderr);
  const generated = (await import(pathToFileURL(path.join(dir, "client", "client.ts")).href)) as { PrismaClient: PgClientClass };
  return { PrismaClient: generated.PrismaClient, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A refused transfer, thrown so its transaction rolls back (as the enforcement core does). */
class Refused extends Error {
  constructor(readonly result: unknown) {
    super("refused");
  }
}

test("PostgreSQL: concurrent transfers never overdraw, never pass the daily limit, never duplicate, and keep the ledger", async (t) => {
  await withPostgres(t, async (cluster) => {
    const url = await cluster.createDatabase("transfers");
    const deploy = await runTsx("scripts/db/migrate.ts", ["deploy"], { DATABASE_URL: url });
    assert.equal(deploy.code, 0, deploy.stderr);
    const { PrismaClient, dispose } = await generatePostgresClient(url);
    t.after(dispose);
    const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 20 }) });
    t.after(() => db.$disconnect());
    await ensureClearing(db);

    /** One transfer in its own transaction; `failed`/`invalid` roll back and come back as values. */
    const send = async (user: { id: string }, input: unknown, options: { limits?: Limits } = {}): Promise<{ status: string; data?: Receipt; message?: string }> => {
      try {
        return await db.$transaction(
          async (tx) => {
            const result = await createTransfer(tx, user, transferSchema.parse(input), options);
            if (result.status !== "success") throw new Refused(result);
            return result;
          },
          { maxWait: 30_000, timeout: 30_000 },
        );
      } catch (error) {
        if (error instanceof Refused) return error.result as { status: string; message?: string };
        throw error;
      }
    };

    // 30 simultaneous transfers of 100.00 from 1,000.00: exactly 10 go through.
    const customer = await createCustomer(db, { checking: 100_000n });
    const before = await totalMoney(db);
    const results = await Promise.all(Array.from({ length: 30 }, () => send(customer.user, transferRequest(customer.checkingId, { toAccountId: customer.savingsId }, "100.00"))));
    assert.equal(results.filter((r) => r.status === "success").length, 10, JSON.stringify(results.find((r) => r.status !== "success" && !/enough money/.test(r.message ?? ""))));
    assert.ok(results.filter((r) => r.status !== "success").every((r) => /isn't enough money/.test(r.message ?? "")));
    const checking = await db.bankAccount.findUniqueOrThrow({ where: { id: customer.checkingId } });
    assert.equal(checking.balanceMinor, 0n);
    assert.equal(await totalMoney(db), before);

    // Payments to a payee in parallel: every one credits the shared clearing account.
    const payer = await createCustomer(db, { checking: 100_000n });
    const payments = await Promise.all(Array.from({ length: 20 }, () => send(payer.user, transferRequest(payer.checkingId, { payeeId: payer.payeeId }, "75.00"))));
    assert.equal(payments.filter((r) => r.status === "success").length, 13);

    // The daily limit under 30 simultaneous submissions: 500.00 a day in 100.00 steps → 5.
    const daily = await createCustomer(db, { checking: 10_000_000n });
    const limits: Limits = { perTransferMinor: 20_000n, dailyMinor: 50_000n };
    const capped = await Promise.all(Array.from({ length: 30 }, () => send(daily.user, transferRequest(daily.checkingId, { toAccountId: daily.savingsId }, "100.00"), { limits })));
    assert.equal(capped.filter((r) => r.status === "success").length, 5);
    assert.equal((await db.bankAccount.findUniqueOrThrow({ where: { id: daily.checkingId } })).balanceMinor, 10_000_000n - 50_000n);

    // One idempotency key submitted ten times at once: one transfer, every answer is that transfer.
    const twice = await createCustomer(db, { checking: 100_000n });
    const request = transferRequest(twice.checkingId, { toAccountId: twice.savingsId }, "10.00");
    const replays = await Promise.all(Array.from({ length: 10 }, () => send(twice.user, request)));
    assert.deepEqual(replays.map((r) => r.status), Array(10).fill("success"));
    assert.equal(new Set(replays.map((r) => r.data?.id)).size, 1);
    assert.equal(await db.transfer.count({ where: { ownerId: twice.user.id } }), 1);

    assert.equal(await totalMoney(db), before + 100_000n + 10_000_000n + 100_000n);
    assert.deepEqual(await invariantViolations(db), []);
  });
});
