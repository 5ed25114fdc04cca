/**
 * Prisma 7 driver adapters for DATABASE_URL. Used by lib/db.ts (the app), the
 * seed and scripts/db, so it must not import "server-only".
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
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
    return adapter;
  }
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
