/**
 * `npm run db:check` (CI runs it): fails when
 *  1. prisma/postgres/schema.prisma is stale against prisma/schema.prisma, or
 *  2. a provider's migrations folder does not produce its schema, i.e. someone
 *     changed the schema without `npm run db:migrate` (asked of the Wasm engine as
 *     a diff from the migrations, replayed on a shadow database, to the schema).
 *
 * SQLite is checked in memory. PostgreSQL needs a server for its shadow database:
 * DB_CHECK_POSTGRES_URL if set (a role that may CREATE DATABASE), else a private
 * throwaway cluster when PostgreSQL is installed. Without either the PostgreSQL
 * check is reported as NOT run, and fails when CI is set: never a silent pass.
 *
 * `--root <dir>` checks another checkout (the tests use a modified temp copy).
 */
import path from "node:path";
import { loadDotEnv } from "../../prisma/database-url";
import { pendingSchemaChanges } from "./internal/commands";
import { findPostgresBin, startTempPostgres } from "../lib/pg-cluster";
import { syncPostgresSchema } from "./internal/pg-twin";

type Outcome = "ok" | "failed" | "not-run";

function report(name: string, outcome: Outcome, detail = ""): Outcome {
  const label = { ok: "ok     ", failed: "FAILED ", "not-run": "NOT RUN" }[outcome];
  console.log(`${label} ${name}${detail ? `: ${detail}` : ""}`);
  return outcome;
}

async function checkMigrations(name: string, url: string, root: string): Promise<Outcome> {
  const sql = await pendingSchemaChanges({ url, root });
  if (sql === "") return report(name, "ok");
  console.error(sql);
  return report(name, "failed", "the schema has changes no migration creates; run `npm run db:migrate -- --name <name>`");
}

async function checkPostgresMigrations(root: string): Promise<Outcome> {
  const name = "PostgreSQL migrations match prisma/postgres/schema.prisma";
  const url = process.env.DB_CHECK_POSTGRES_URL;
  if (url) return checkMigrations(name, url, root);
  if (!findPostgresBin()) {
    return report(name, process.env.CI ? "failed" : "not-run",
      "no PostgreSQL server (set DB_CHECK_POSTGRES_URL or install postgresql)");
  }
  const cluster = await startTempPostgres();
  try {
    return await checkMigrations(name, cluster.adminUrl, root);
  } finally {
    await cluster.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  const rootIndex = argv.indexOf("--root");
  const root = path.resolve(rootIndex >= 0 ? (argv[rootIndex + 1] ?? ".") : ".");
  const twin = syncPostgresSchema(root, "check");
  const outcomes: Outcome[] = [
    report("PostgreSQL twin is up to date", twin.upToDate ? "ok" : "failed",
      twin.upToDate ? "" : `${twin.target} is stale; run \`npm run db:sync-pg\``),
    await checkMigrations("SQLite migrations match prisma/schema.prisma", "file::memory:", root),
  ];
  // A stale twin makes the PostgreSQL diff meaningless; it is already a failure.
  if (twin.upToDate) outcomes.push(await checkPostgresMigrations(root));
  return outcomes.includes("failed") ? 1 : 0;
}

loadDotEnv();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
