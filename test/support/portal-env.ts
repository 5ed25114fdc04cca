/**
 * Import this FIRST in a unit test that loads portal modules (lib/**): they parse the
 * configuration when imported, and lib/db opens DATABASE_URL. It sets the .env.example
 * configuration with a fresh secret and a temporary SQLite database, and exports
 * `migrateTestDatabase()` to apply the real migrations to it (call it in `before`).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { after } from "node:test";
import { parseEnv } from "node:util";
import { REPO_ROOT, runTsx } from "../db/support";

const dir = mkdtempSync(path.join(tmpdir(), "woodgrove-unit-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The temporary database's URL. */
export const databaseUrl = `file:${path.join(dir, "portal.db")}`;

const example = parseEnv(readFileSync(path.join(REPO_ROOT, ".env.example"), "utf8")) as Record<string, string>;
Object.assign(process.env, example, {
  NODE_ENV: "test",
  DATABASE_URL: databaseUrl,
  AUTH_SECRET: randomBytes(33).toString("base64"),
});

/** The tenant the example configuration trusts. */
export const TENANT_ID = example.EMULATOR_TENANT_ID!;

/** Applies the repository's migrations to the temporary database. */
export async function migrateTestDatabase(): Promise<void> {
  const result = await runTsx("scripts/db/migrate.ts", ["deploy"], { DATABASE_URL: databaseUrl });
  if (result.code !== 0) throw new Error(`migrations failed: ${result.stderr}`);
}
