/**
 * Prisma 7 driver adapters for DATABASE_URL. Used by lib/db.ts (the app), the
 * seed and scripts/db, so it must not import "server-only".
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";
import { providerOf, sqliteFilePath } from "./database-url";

/**
 * How long a SQLite connection waits for another writer before SQLITE_BUSY.
 * Several Next instances, the seed and test workers share one file.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * Run on every new SQLite connection. WAL lets readers proceed while one writer
 * writes (it is persistent, but setting it here also covers files created by
 * other tools); busy_timeout makes writers queue instead of failing; foreign keys
 * are per connection in SQLite and the schema's onDelete rules rely on them.
 */
const SQLITE_CONNECTION_PRAGMAS = `
PRAGMA journal_mode = WAL;
PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS};
PRAGMA foreign_keys = ON;
`;

/**
 * better-sqlite3 adapter factory that creates the database's folder and applies
 * the connection pragmas above. Accepts `file:<path>` URLs, relative to the cwd.
 */
export class SqliteAdapterFactory extends PrismaBetterSqlite3 {
  constructor(url: string) {
    const file = sqliteFilePath(url);
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    super({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS });
  }

  override async connect(): Promise<SqlDriverAdapter> {
    const adapter = await super.connect();
    await adapter.executeScript(SQLITE_CONNECTION_PRAGMAS);
    return serializeOutsideTransactions(adapter);
  }
}

/**
 * The better-sqlite3 adapter shares ONE connection between everything: it serialises
 * transactions with a mutex, but a plain query issued while another request's transaction is
 * open runs *inside* that transaction (it reads its uncommitted rows, and its writes are rolled
 * back with it; a sign-out or a session rotation could silently be undone). This wrapper makes
 * every statement outside a transaction wait until no transaction is open, and holds the same
 * lock from BEGIN to COMMIT/ROLLBACK.
 *
 * Contract: code inside a transaction uses the transaction client (`tx`) only. A plain query
 * issued from inside one waits for it and the transaction times out (Prisma's `timeout`).
 */
export function serializeOutsideTransactions(inner: SqlDriverAdapter): SqlDriverAdapter {
  let tail: Promise<void> = Promise.resolve();
  /** FIFO lock: resolves with a release function once every earlier holder has released. */
  const acquire = (): Promise<() => void> => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = tail;
    tail = previous.then(() => held);
    return previous.then(() => release);
  };
  const exclusive = async <T>(work: () => Promise<T>): Promise<T> => {
    const release = await acquire();
    try {
      return await work();
    } finally {
      release();
    }
  };
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    queryRaw: (query) => exclusive(() => inner.queryRaw(query)),
    executeRaw: (query) => exclusive(() => inner.executeRaw(query)),
    executeScript: (script) => exclusive(() => inner.executeScript(script)),
    async startTransaction(isolationLevel) {
      const release = await acquire();
      try {
        return holdUntilFinished(await inner.startTransaction(isolationLevel), release);
      } catch (error) {
        release();
        throw error;
      }
    },
    ...(inner.getConnectionInfo ? { getConnectionInfo: () => inner.getConnectionInfo!() } : {}),
    dispose: () => inner.dispose(),
  };
}

function holdUntilFinished(tx: Transaction, release: () => void): Transaction {
  let released = false;
  const finish = async (end: () => Promise<void>) => {
    try {
      await end();
    } finally {
      if (!released) {
        released = true;
        release();
      }
    }
  };
  return {
    provider: tx.provider,
    adapterName: tx.adapterName,
    get options() {
      return tx.options;
    },
    queryRaw: (query) => tx.queryRaw(query),
    executeRaw: (query) => tx.executeRaw(query),
    commit: () => finish(() => tx.commit()),
    rollback: () => finish(() => tx.rollback()),
    ...(tx.createSavepoint ? { createSavepoint: (name: string) => tx.createSavepoint!(name) } : {}),
    ...(tx.rollbackToSavepoint ? { rollbackToSavepoint: (name: string) => tx.rollbackToSavepoint!(name) } : {}),
    ...(tx.releaseSavepoint ? { releaseSavepoint: (name: string) => tx.releaseSavepoint!(name) } : {}),
  };
}

/** The driver adapter factory for a DATABASE_URL (file: → SQLite, postgres[ql]:// → pg). */
export function createAdapterFactory(url: string): SqlMigrationAwareDriverAdapterFactory {
  switch (providerOf(url)) {
    case "sqlite":
      return new SqliteAdapterFactory(url);
    case "postgresql":
      return new PrismaPg({ connectionString: url });
  }
}
