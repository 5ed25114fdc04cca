/**
 * The migration commands (what `prisma migrate dev|deploy|status|reset` and
 * `prisma migrate diff` do), run by the Wasm schema engine. Each takes the
 * database URL and the repo root explicitly so tests can point them at temp copies.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import type { DiagnoseMigrationHistoryOutput, SchemaFilter } from "@prisma/schema-engine-wasm";
import { PROVIDER_LAYOUT, providerOf, sqliteFilePath, type DatabaseProvider } from "../../../prisma/database-url";
import { createMigrationAdapterFactory } from "./migration-adapters";
import { readMigrationList, writeMigration } from "./migrations-dir";
import { readSchemaFile, withSchemaEngine, type SchemaEngine } from "./wasm-engine";

/** Where to run: the database and the checkout whose prisma/ folder to use. */
export interface MigrateTarget {
  url: string;
  /** Repo root; schema and migrations paths are resolved against it. */
  root: string;
}

/** No externally managed tables or enums (prisma.config.ts declares none). */
const NO_FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };

function layoutFor(target: MigrateTarget) {
  const provider = providerOf(target.url);
  const layout = PROVIDER_LAYOUT[provider];
  return {
    provider,
    schemaPath: path.join(target.root, layout.schema),
    migrationsDir: path.join(target.root, layout.migrations),
  };
}

async function withTargetEngine<T>(target: MigrateTarget, work: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const { schemaPath } = layoutFor(target);
  return withSchemaEngine(createMigrationAdapterFactory(target.url), [await readSchemaFile(schemaPath)], work);
}

/** Applies pending migrations; returns their names (empty when up to date). */
export async function deploy(target: MigrateTarget): Promise<string[]> {
  const { migrationsDir } = layoutFor(target);
  return withTargetEngine(target, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList: await readMigrationList(migrationsDir), filters: NO_FILTERS });
    return out.appliedMigrationNames;
  });
}

/** Migration status of the database; `upToDate` only when nothing is pending, failed, edited or unknown. */
export interface MigrationStatus {
  upToDate: boolean;
  migrationCount: number;
  diagnostic: DiagnoseMigrationHistoryOutput;
}

/** Compares the database's `_prisma_migrations` table with the migrations folder. */
export async function status(target: MigrateTarget): Promise<MigrationStatus> {
  const { migrationsDir } = layoutFor(target);
  const migrationsList = await readMigrationList(migrationsDir);
  const diagnostic = await withTargetEngine(target, (engine) =>
    engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTERS }),
  );
  return {
    upToDate:
      diagnostic.hasMigrationsTable &&
      diagnostic.history === null &&
      diagnostic.failedMigrationNames.length === 0 &&
      diagnostic.editedMigrationNames.length === 0,
    migrationCount: migrationsList.migrationDirectories.length,
    diagnostic,
  };
}

/** Result of `dev`: the folder of the new migration (if any) and what was applied. */
export interface DevResult {
  created: string | null;
  applied: string[];
}

/**
 * Creates a migration from the schema's difference to the migration history,
 * then applies it (`prisma migrate dev --name <name>`).
 */
export async function dev(target: MigrateTarget, name: string): Promise<DevResult> {
  const { migrationsDir, schemaPath } = layoutFor(target);
  const schema = { files: [await readSchemaFile(schemaPath)] };
  return withTargetEngine(target, async (engine) => {
    const migrationsList = await readMigrationList(migrationsDir);
    // Order matters with the Wasm engine. applyMigrations first: on an empty
    // database it creates `_prisma_migrations`, without which devDiagnostic fails
    // with P1014. devDiagnostic then replays the history on the shadow database
    // and fills the engine's schema cache, which createMigration relies on (in
    // Wasm it has no shadow database of its own).
    await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
    const diagnostic = await engine.devDiagnostic({ migrationsList, filters: NO_FILTERS });
    if (diagnostic.action.tag === "reset") {
      throw new Error(`The database must be reset: ${diagnostic.action.reason} (npm run db:reset).`);
    }
    const out = await engine.createMigration({
      draft: false,
      migrationName: name,
      migrationsList,
      schema,
      filters: NO_FILTERS,
    });
    let created: string | null = null;
    if (out.migrationScript !== null) {
      created = await writeMigration(migrationsDir, {
        name: out.generatedMigrationName,
        script: out.migrationScript,
        extension: out.extension,
        provider: out.connectorType,
      });
    }
    const applied = await engine.applyMigrations({
      migrationsList: await readMigrationList(migrationsDir),
      filters: NO_FILTERS,
    });
    return { created, applied: applied.appliedMigrationNames };
  });
}

/**
 * Drops everything and re-applies all migrations. On SQLite the file is deleted:
 * the Wasm engine's reset() there only empties tables and leaves the schema, so
 * re-applying would fail.
 */
export async function reset(target: MigrateTarget): Promise<string[]> {
  if (providerOf(target.url) === "sqlite") {
    const file = sqliteFilePath(target.url, target.root);
    if (file !== ":memory:") {
      for (const suffix of ["", "-journal", "-wal", "-shm"]) await rm(`${file}${suffix}`, { force: true });
    }
  } else {
    await withTargetEngine(target, (engine) => engine.reset({ filter: NO_FILTERS }));
  }
  return deploy(target);
}

/**
 * The SQL that would bring a database built from the migrations folder to the
 * schema; empty when the migrations are complete (`prisma migrate diff
 * --from-migrations --to-schema`). Uses a shadow database: in memory for SQLite,
 * a temporary database on the server for PostgreSQL.
 */
export async function pendingSchemaChanges(target: MigrateTarget): Promise<string> {
  const { migrationsDir, schemaPath } = layoutFor(target);
  const migrationsList = await readMigrationList(migrationsDir);
  const schemaFile = await readSchemaFile(schemaPath);
  const result = await withTargetEngine(target, (engine) =>
    engine.diff({
      from: { tag: "migrations", ...migrationsList },
      to: { tag: "schemaDatamodel", files: [schemaFile] },
      script: true,
      exitCode: true,
      filters: NO_FILTERS,
    }),
  );
  return result.exitCode === 0 ? "" : (result.stdout ?? "").trim();
}

/** The provider a target uses (re-exported for the CLIs' messages). */
export function providerOfTarget(target: MigrateTarget): DatabaseProvider {
  return providerOf(target.url);
}
