/**
 * The SQLite adapter shares one connection. Without prisma/adapter.ts's
 * serializeOutsideTransactions, a plain statement issued while another request's
 * transaction is open runs inside it: it reads uncommitted rows and its own write is rolled
 * back with the other request's work (a sign-out undone by someone else's failed transfer).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { PrismaClient } from "../../lib/generated/prisma/client";
import { createAdapterFactory } from "../../prisma/adapter";
import { runTsx, tempDir } from "./support";

/** Resolves "still waiting" if `promise` has not settled within `ms` (an upper bound, not a timing assertion). */
function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | "still waiting"> {
  return Promise.race([promise, new Promise<"still waiting">((resolve) => setTimeout(() => resolve("still waiting"), ms))]);
}

test("a statement outside a transaction neither sees nor shares another transaction's uncommitted work", async (t) => {
  const url = `file:${path.join(tempDir(t), "isolation.db")}`;
  const deploy = await runTsx("scripts/db/migrate.ts", ["deploy"], { DATABASE_URL: url });
  assert.equal(deploy.code, 0, deploy.stderr);
  const prisma = new PrismaClient({ adapter: createAdapterFactory(url) });
  t.after(() => prisma.$disconnect());
  const event = (operation: string) => ({ data: { operation, outcome: "test", correlationId: operation } });

  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const rolledBack = prisma
    .$transaction(async (tx) => {
      await tx.auditEvent.create(event("uncommitted"));
      entered();
      await gate;
      throw new Error("roll back");
    })
    .then(
      () => "committed",
      () => "rolled back",
    );
  await inside;

  const outsideRead = prisma.auditEvent.count({ where: { operation: "uncommitted" } });
  const outsideWrite = prisma.auditEvent.create(event("outside"));
  // While the transaction is open, the outside statements must wait, not run inside it.
  assert.equal(await settledWithin(outsideRead, 300), "still waiting");
  finish();
  assert.equal(await rolledBack, "rolled back");
  assert.equal(await outsideRead, 0, "the outside read saw an uncommitted row");
  await outsideWrite;
  assert.equal(await prisma.auditEvent.count({ where: { operation: "outside" } }), 1, "the outside write was rolled back with the other transaction");
  assert.equal(await prisma.auditEvent.count({ where: { operation: "uncommitted" } }), 0);
});
