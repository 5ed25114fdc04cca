import "server-only";
import { prisma } from "@/lib/db";
import { env } from "@/lib/env";
import type { Prisma } from "@/lib/generated/prisma/client";
import { providerOf } from "@/prisma/database-url";

/** A Prisma client bound to one open transaction: what handlers and lib/data writes receive. */
export type TransactionClient = Prisma.TransactionClient;

/** Transactions here are short by contract: a handler that needs longer is doing too much in one. */
const TRANSACTION_OPTIONS = { maxWait: 5_000, timeout: 10_000 } as const;

const onSqlite = providerOf(env.DATABASE_URL) === "sqlite";
let sqliteQueue: Promise<unknown> = Promise.resolve();

/**
 * Runs `work` in one interactive transaction: everything it writes commits together or not at
 * all, and a throw rolls it back.
 *
 * On SQLite the transactions of this process run one at a time. Prisma's SQLite engine deadlocks
 * once more interactive transactions are open than it has worker threads (prisma/orm#29870;
 * three on a two-core machine), and SQLite admits one writer anyway, so queueing costs nothing
 * real. PostgreSQL runs them concurrently; correctness there rests on conditional updates and
 * unique keys, not on this queue.
 */
export function runTransaction<T>(work: (tx: TransactionClient) => Promise<T>): Promise<T> {
  const run = () => prisma.$transaction(work, TRANSACTION_OPTIONS);
  if (!onSqlite) return run();
  const result = sqliteQueue.then(run, run);
  sqliteQueue = result.catch(() => undefined);
  return result;
}
