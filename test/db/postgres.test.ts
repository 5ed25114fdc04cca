/**
 * The same migration and seed checks on PostgreSQL, on a private throwaway
 * cluster. Skipped loudly when PostgreSQL is not installed; a failure under CI.
 *
 * The repo's generated client is built for SQLite and is shared with everyone
 * working in this checkout, so it is not regenerated here. Migrations are driven
 * by the Wasm engine, which is provider-independent. The seed runs through a
 * PostgreSQL client generated from the twin schema into a private folder under
 * .data/ (git-ignored; inside the repo so it resolves @prisma/client), so the real
 * seedPersona code is what writes the rows; pg checks them with plain SQL.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { PrismaClient } from "../../lib/generated/prisma/client";
import { readDirectory } from "../../prisma/directory";
import { seedPersona } from "../../prisma/seed-data";
import { ledgerViolations, REPO_ROOT, runTsx, tempPrismaCopy, withPostgres, type Query } from "./support";

const MIGRATE = "scripts/db/migrate.ts";
const TENANT = "60aa9999-b070-45a9-b57a-58ec086ab606";

async function pgQuery(url: string): Promise<{ query: Query; close: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    query: async (sql) => (await client.query(sql)).rows as Record<string, unknown>[],
    close: () => client.end(),
  };
}

/** Generates a PostgreSQL client from the twin schema into a private folder; returns its PrismaClient class. */
async function generatePostgresClient(url: string): Promise<{ PrismaClient: new (options: { adapter: PrismaPg }) => PrismaClient; dispose: () => void }> {
  const dir = path.join(REPO_ROOT, ".data", "test", `pg-client-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const schema = readFileSync(path.join(REPO_ROOT, "prisma/postgres/schema.prisma"), "utf8").replace('"../../lib/generated/prisma"', '"./client"');
  writeFileSync(path.join(dir, "schema.prisma"), schema);
  const generate = await runTsx("node_modules/prisma/build/index.js", ["generate", "--schema", path.join(dir, "schema.prisma")], { DATABASE_URL: url });
  assert.equal(generate.code, 0, generate.stderr);
  const generatedModule = (await import(pathToFileURL(path.join(dir, "client", "client.ts")).href)) as { PrismaClient: new (options: { adapter: PrismaPg }) => PrismaClient };
  return { PrismaClient: generatedModule.PrismaClient, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

test("PostgreSQL: deploy, status, re-deploy, reset, dev without leaking shadow databases, and the seed", async (t) => {
  await withPostgres(t, async (cluster) => {
    const url = await cluster.createDatabase("portal");
    const env = { DATABASE_URL: url };

    assert.equal((await runTsx(MIGRATE, ["status"], env)).code, 1, "an empty database is not up to date");
    const deploy = await runTsx(MIGRATE, ["deploy"], env);
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /Applied \(postgresql\): \d+_init/);
    const status = await runTsx(MIGRATE, ["status"], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /up to date \(postgresql/);
    assert.match((await runTsx(MIGRATE, ["deploy"], env)).stdout, /Applied \(postgresql\): \(none\)/);
    const reset = await runTsx(MIGRATE, ["reset"], env);
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal((await runTsx(MIGRATE, ["status"], env)).code, 0);

    // dev on a temp copy with a schema change: creates a PostgreSQL migration.
    const root = tempPrismaCopy(t);
    const schemaFile = path.join(root, "prisma", "schema.prisma");
    writeFileSync(schemaFile, readFileSync(schemaFile, "utf8").replace(/(\n  image\s+String\?\n)/, "$1  nickname          String?\n"));
    assert.equal((await runTsx("scripts/db/sync-pg-schema.ts", ["--root", root], {})).code, 0);
    const devUrl = await cluster.createDatabase("devcopy");
    const dev = await runTsx(MIGRATE, ["dev", "--name", "add_nickname"], { DATABASE_URL: devUrl }, root);
    assert.equal(dev.code, 0, dev.stderr);
    assert.match(dev.stdout, /Created .*postgres\/migrations\/\d+_add_nickname/);

    const admin = await pgQuery(cluster.adminUrl);
    try {
      const shadows = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow%'`);
      assert.deepEqual(shadows, [], "shadow databases are dropped");
    } finally {
      await admin.close();
    }

    // The seed, through a PostgreSQL client.
    const generated = await generatePostgresClient(url);
    t.after(generated.dispose);
    const prisma = new generated.PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
    const db = await pgQuery(url);
    try {
      const directory = await readDirectory(TENANT);
      for (const person of directory) assert.ok((await seedPersona(prisma, person)).created);
      const counts = async () => (await db.query(`SELECT (SELECT COUNT(*) FROM "LedgerEntry") AS entries, (SELECT COUNT(*) FROM "BankAccount") AS accounts, (SELECT SUM("balanceMinor") FROM "BankAccount") AS total`))[0];
      const first = await counts();
      for (const person of directory) assert.equal((await seedPersona(prisma, person)).created, false);
      assert.deepEqual(await counts(), first, "re-seeding changes nothing");
      assert.equal(Number((await db.query(`SELECT COUNT(*) AS n FROM "User"`))[0]?.n), directory.length);
      assert.deepEqual(await ledgerViolations(db.query), []);
    } finally {
      await prisma.$disconnect();
      await db.close();
    }
  });
});
