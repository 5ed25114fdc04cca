/**
 * `npm run db:check`: passes on this checkout, and fails on a temp copy whose
 * PostgreSQL twin is stale, or whose schema has a change no migration creates.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { REPO_ROOT, runTsx, tempPrismaCopy } from "./support";

const CHECK = "scripts/db/check.ts";

function addColumn(root: string): void {
  const file = path.join(root, "prisma", "schema.prisma");
  const changed = readFileSync(file, "utf8").replace(/(\n  image\s+String\?\n)/, "$1  nickname          String?\n");
  assert.match(changed, /nickname/, "test setup: the schema edit applied");
  writeFileSync(file, changed);
}

test("db:check passes on the checkout", async () => {
  const result = await runTsx(CHECK, [], {});
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /ok\s+PostgreSQL twin is up to date/);
  assert.match(result.stdout, /ok\s+SQLite migrations match/);
  // PostgreSQL is either checked or reported as not run: never silently passed over.
  assert.match(result.stdout, /(ok|NOT RUN)\s+PostgreSQL migrations match/);
});

test("db:check and sync-pg-schema --check fail on a stale twin", async (t) => {
  const root = tempPrismaCopy(t);
  addColumn(root);
  const sync = await runTsx("scripts/db/sync-pg-schema.ts", ["--check", "--root", root], {});
  assert.equal(sync.code, 1);
  assert.match(sync.stderr, /stale/);
  const check = await runTsx(CHECK, ["--root", root], {});
  assert.equal(check.code, 1);
  assert.match(check.stdout, /FAILED\s+PostgreSQL twin is up to date/);
});

test("db:check fails when the schema has a change no migration creates", async (t) => {
  const root = tempPrismaCopy(t);
  addColumn(root);
  const sync = await runTsx("scripts/db/sync-pg-schema.ts", ["--root", root], {});
  assert.equal(sync.code, 0, sync.stderr);
  const check = await runTsx(CHECK, ["--root", root], {});
  assert.equal(check.code, 1);
  assert.match(check.stdout, /ok\s+PostgreSQL twin is up to date/);
  assert.match(check.stdout, /FAILED\s+SQLite migrations match/);
  assert.match(check.stdout, /(FAILED|NOT RUN)\s+PostgreSQL migrations match/);
});

test("the twin differs from the schema only in provider and output", () => {
  const source = readFileSync(path.join(REPO_ROOT, "prisma/schema.prisma"), "utf8");
  const twin = readFileSync(path.join(REPO_ROOT, "prisma/postgres/schema.prisma"), "utf8");
  assert.match(twin, /provider = "postgresql"/);
  assert.match(twin, /output\s+=\s+"\.\.\/\.\.\/lib\/generated\/prisma"/);
  const normalise = (s: string) =>
    s.replace(/^\/\/ GENERATED.*\n\/\/ change.*\n\n/, "").replace('"postgresql"', '"sqlite"').replace("../../lib", "../lib");
  assert.equal(normalise(twin), source);
});
