/**
 * Driver adapter factories for the Wasm schema engine (scripts/db/migrate.ts),
 * each with the workarounds Prisma 7.10's adapters need to run migrations. The
 * app never uses these: its adapters come from prisma/adapter.ts.
 */
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { SqliteAdapterFactory } from "../../../prisma/adapter";
import { providerOf } from "../../../prisma/database-url";

/**
 * SQLite. The engine replays migrations on an in-memory shadow database with one
 * `executeRaw` per migration file; better-sqlite3's prepare() rejects a script
 * with several statements ("The supplied SQL string contains more than one
 * statement"). Parameterless statements on the shadow database therefore go
 * through executeScript (exec()), which accepts scripts.
 */
class SqliteMigrationAdapterFactory extends SqliteAdapterFactory {
  override async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const shadow = await super.connectToShadowDb();
    const executeRaw = shadow.executeRaw.bind(shadow);
    shadow.executeRaw = async (query) => {
      if (query.args.length > 0) return executeRaw(query);
      await shadow.executeScript(query.sql);
      return 0;
    };
    return shadow;
  }
}

/** PostgreSQL's internal one-byte type "char" (e.g. pg_class.relkind), and text. */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** Rewrites "char" columns of a pg result to text; pg already decoded them as strings. */
function relabelCharColumns<R>(result: R): R {
  const fields = (result as { fields?: { dataTypeID: number }[] } | undefined)?.fields ?? [];
  for (const field of fields) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
  return result;
}

/**
 * The engine's schema describer selects pg_catalog columns of type "char", which
 * @prisma/adapter-pg 7.10 cannot map ("Column type 'char' could not be
 * deserialized"). Each client of this pool reports them as text instead. Scoped
 * to the migration pools: the app's queries never read such columns.
 */
function createMigrationPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 4 });
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const callback = args.at(-1);
      if (typeof callback === "function") {
        args[args.length - 1] = (error: unknown, result: unknown) =>
          callback(error, error ? result : relabelCharColumns(result));
        return query(...args);
      }
      const result = query(...args);
      return result instanceof Promise ? result.then(relabelCharColumns) : result;
    };
  });
  return pool;
}

/** The same connection string pointing at another database on the same server. */
function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** Runs one statement on its own short-lived connection (CREATE/DROP DATABASE cannot run in a pool transaction). */
async function runAdminStatement(connectionString: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL. PrismaPg.connectToShadowDb() has two bugs in 7.10: it connects with
 * `{ ...config, database }`, but pg lets `connectionString` win over `database`,
 * so the "shadow" replay runs on the real database ("relation already exists");
 * and it DROPs the shadow database before closing its pool, which fails ("being
 * accessed by other users") and leaks one database per run. This factory creates
 * the shadow database itself, connects to it by URL, and drops it WITH (FORCE)
 * after closing its pool.
 */
class PgMigrationAdapterFactory extends PrismaPg {
  readonly #url: string;

  constructor(url: string) {
    super(createMigrationPool(url), { disposeExternalPool: true });
    this.#url = url;
  }

  override async connectToShadowDb(): Promise<Awaited<ReturnType<PrismaPg["connect"]>>> {
    const name = `prisma_migrate_shadow_db_${randomUUID().replaceAll("-", "")}`;
    await runAdminStatement(this.#url, `CREATE DATABASE "${name}"`);
    const shadow = await new PrismaPg(createMigrationPool(withDatabase(this.#url, name)), {
      disposeExternalPool: true,
    }).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await runAdminStatement(this.#url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    };
    return shadow;
  }
}

/** The migration-capable adapter factory for a DATABASE_URL. */
export function createMigrationAdapterFactory(url: string): SqlMigrationAwareDriverAdapterFactory {
  switch (providerOf(url)) {
    case "sqlite":
      return new SqliteMigrationAdapterFactory(url);
    case "postgresql":
      return new PgMigrationAdapterFactory(url);
  }
}
