import "server-only";
import { prisma } from "@/lib/db";
import { env } from "@/lib/env";
import type { Prisma } from "@/lib/generated/prisma/client";
import { providerOf } from "@/prisma/database-url";

/** A Prisma client bound to one open transaction: what handlers and lib/data writes receive. */
export type TransactionClient = Prisma.TransactionClient;

/**
 * Transactions here are short by contract: a handler that needs longer is doing too much in one.
 * `maxWait` bounds the wait for a connection, `timeout` the transaction itself (milliseconds,
 * Prisma's interactive-transaction options). Mutable so that a test of the timeout can shorten it
 * instead of sitting through it.
 */
export const transactionLimits = { maxWait: 5_000, timeout: 10_000 };

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
  const run = () => prisma.$transaction(work, { ...transactionLimits });
  if (!onSqlite) return run();
  const result = sqliteQueue.then(run, run);
  sqliteQueue = result.catch(() => undefined);
  return result;
}

/** Prisma's codes for "the database did not finish in time" (pool, transaction or operation timeouts, write conflicts). */
const TRANSIENT_PRISMA_CODES = new Set(["P1008", "P2024", "P2028", "P2034"]);
/** PostgreSQL SQLSTATEs a retry can resolve: serialization failure, deadlock, lock not available. */
const TRANSIENT_POSTGRES_STATES = new Set(["40001", "40P01", "55P03"]);

/**
 * True when `error` says the database was too busy rather than that something is wrong: a
 * transaction that waited too long for its turn or ran past its timeout, SQLite's busy lock, a
 * PostgreSQL serialization failure or deadlock. The transaction rolled back, so the request may
 * be tried again as it was; callers answer "busy, nothing changed" instead of a generic failure.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth += 1) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === "string" && (TRANSIENT_PRISMA_CODES.has(code) || TRANSIENT_POSTGRES_STATES.has(code) || code.startsWith("SQLITE_BUSY"))) return true;
    if (typeof message === "string" && /SQLITE_BUSY|database is locked|Transaction already closed|expired transaction|Unable to start a transaction in the given time/i.test(message)) return true;
    current = cause;
  }
  return false;
}
