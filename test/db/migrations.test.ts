/**
 * The Wasm-engine migration commands against SQLite, run as `npm run db:*` runs
 * them: deploy onto an empty database, status, a no-op re-deploy, reset, and dev
 * creating a migration in a temp copy of prisma/.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { runTsx, tempDir, tempPrismaCopy } from "./support";

const MIGRATE = "scripts/db/migrate.ts";

function repoMigrationNames(): string[] {
  return readdirSync("prisma/migrations", { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

test("deploy, status, re-deploy and reset on an empty SQLite database", async (t) => {
  const dir = tempDir(t);
  const env = { DATABASE_URL: `file:${path.join(dir, "nested", "portal.db")}` };

  const before = await runTsx(MIGRATE, ["status"], env);
  assert.equal(before.code, 1, "an empty database is not up to date");

  const first = await runTsx(MIGRATE, ["deploy"], env);
  assert.equal(first.code, 0, first.stderr);
  for (const name of repoMigrationNames()) assert.match(first.stdout, new RegExp(name));

  const status = await runTsx(MIGRATE, ["status"], env);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /up to date/);

  const again = await runTsx(MIGRATE, ["deploy"], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Applied \(sqlite\): \(none\)/);

  const db = new Database(path.join(dir, "nested", "portal.db"));
  try {
    const applied = db.prepare(`SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`).all() as { migration_name: string; finished_at: string | null }[];
    assert.deepEqual(applied.map((r) => r.migration_name), repoMigrationNames(), "the standard _prisma_migrations table records each migration once");
    assert.ok(applied.every((r) => r.finished_at !== null));
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal", "the database runs in WAL mode");
    db.prepare(`INSERT INTO "AuditEvent" ("id", "operation", "outcome", "correlationId") VALUES ('a1', 'test', 'success', 'c1')`).run();
  } finally {
    db.close();
  }

  const reset = await runTsx(MIGRATE, ["reset"], env);
  assert.equal(reset.code, 0, reset.stderr);
  const after = new Database(path.join(dir, "nested", "portal.db"));
  try {
    assert.equal((after.prepare(`SELECT COUNT(*) AS n FROM "AuditEvent"`).get() as { n: number }).n, 0, "reset drops the data");
  } finally {
    after.close();
  }
  assert.equal((await runTsx(MIGRATE, ["status"], env)).code, 0, "reset re-applies every migration");
});

test("dev creates a migration for a schema change, applies it, then finds nothing to do", async (t) => {
  const root = tempPrismaCopy(t);
  const schemaFile = path.join(root, "prisma", "schema.prisma");
  const schema = readFileSync(schemaFile, "utf8").replace(/(\n  image\s+String\?\n)/, "$1  nickname          String?\n");
  assert.match(schema, /nickname/);
  writeFileSync(schemaFile, schema);
  const env = { DATABASE_URL: `file:${path.join(root, "dev.db")}` };

  const created = await runTsx(MIGRATE, ["dev", "--name", "add_nickname"], env, root);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /Created .*_add_nickname/);
  const folder = readdirSync(path.join(root, "prisma", "migrations")).find((n) => n.endsWith("_add_nickname"));
  assert.ok(folder);
  assert.match(readFileSync(path.join(root, "prisma", "migrations", folder, "migration.sql"), "utf8"), /ADD COLUMN "nickname"/);
  assert.match(readFileSync(path.join(root, "prisma", "migrations", "migration_lock.toml"), "utf8"), /provider = "sqlite"/);

  const noop = await runTsx(MIGRATE, ["dev", "--name", "nothing"], env, root);
  assert.equal(noop.code, 0, noop.stderr);
  assert.match(noop.stdout, /No schema change/);
});
