/**
 * Helpers shared by the database tests: run the db scripts as a user would (as
 * child processes with their own DATABASE_URL), temp folders, the ledger
 * invariants as SQL that SQLite and PostgreSQL both accept, and the PostgreSQL
 * gate (skip loudly locally, fail in CI).
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";
import { findPostgresBin, startTempPostgres, type TempPostgres } from "../../scripts/lib/pg-cluster";

/** The checkout under test. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Output of a finished child process. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tsx <script> ...args` from `cwd` with `env` added to a clean-ish environment. */
export function runTsx(script: string, args: string[], env: Record<string, string>, cwd = REPO_ROOT): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // tsx by absolute URL: `--import tsx` would resolve from cwd, which may be a temp copy.
    const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), path.join(REPO_ROOT, script), ...args], {
      cwd,
      // CI is dropped so a script's own "fail when CI" rules do not leak into checks of other behaviour.
      env: { ...withoutKeys(process.env, ["DATABASE_URL", "CI", "NODE_OPTIONS"]), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function withoutKeys(env: NodeJS.ProcessEnv, keys: string[]): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const key of keys) delete out[key];
  return out;
}

/** A temp folder removed when the test ends. */
export function tempDir(t: TestContext, prefix = "woodgrove-db-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A temp copy of the repo's prisma/ folder (schema, twin, migrations) to break on purpose. */
export function tempPrismaCopy(t: TestContext): string {
  const root = tempDir(t, "woodgrove-prisma-copy-");
  cpSync(path.join(REPO_ROOT, "prisma"), path.join(root, "prisma"), {
    recursive: true,
    filter: (source) => !source.endsWith(".db"),
  });
  return root;
}

/** Runs a query and returns its rows; the tests adapt better-sqlite3 and pg to this. */
export type Query = (sql: string) => Promise<Record<string, unknown>[]>;

/** SQL returning rows that break an invariant (empty = holds). Quoted identifiers work in both dialects. */
export const INVARIANT_VIOLATIONS: Record<string, string> = {
  "balance = sum of entries": `
    SELECT a."id", a."balanceMinor", e.total FROM "BankAccount" a
    LEFT JOIN (SELECT "accountId", SUM("amountMinor") AS total FROM "LedgerEntry" GROUP BY "accountId") e
      ON e."accountId" = a."id"
    WHERE a."balanceMinor" <> COALESCE(e.total, 0)`,
  "a transfer's entries are two and sum to zero": `
    SELECT "transferId", SUM("amountMinor") AS total, COUNT(*) AS n FROM "LedgerEntry"
    WHERE "transferId" IS NOT NULL GROUP BY "transferId"
    HAVING SUM("amountMinor") <> 0 OR COUNT(*) <> 2`,
  "every transfer has entries": `
    SELECT t."id" FROM "Transfer" t
    WHERE NOT EXISTS (SELECT 1 FROM "LedgerEntry" e WHERE e."transferId" = t."id")`,
  "entry currency = account currency": `
    SELECT e."id" FROM "LedgerEntry" e JOIN "BankAccount" a ON a."id" = e."accountId"
    WHERE e."currency" <> a."currency"`,
  "only clearing accounts lack an owner": `
    SELECT "id" FROM "BankAccount" WHERE ("ownerId" IS NULL) <> ("kind" = 'clearing')`,
  "no deposit account ever below zero": `
    SELECT e."accountId", e."bookedAt", e."balanceAfterMinor" FROM "LedgerEntry" e
    JOIN "BankAccount" a ON a."id" = e."accountId"
    WHERE a."kind" IN ('checking', 'savings', 'brokerage') AND e."balanceAfterMinor" < 0`,
};

/** Customer entries in booking order, to check balanceAfterMinor is the running sum. */
export const CUSTOMER_ENTRIES_IN_ORDER = `
  SELECT e."accountId", e."amountMinor", e."balanceAfterMinor" FROM "LedgerEntry" e
  JOIN "BankAccount" a ON a."id" = e."accountId"
  WHERE a."ownerId" IS NOT NULL
  ORDER BY e."accountId", e."bookedAt"`;

/** Returns a description of every broken invariant (empty when all hold). */
export async function ledgerViolations(query: Query): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, sql] of Object.entries(INVARIANT_VIOLATIONS)) {
    const rows = await query(sql);
    if (rows.length > 0) problems.push(`${name}: ${rows.length} violation(s), e.g. ${JSON.stringify(rows[0], bigintJson)}`);
  }
  const running = new Map<string, bigint>();
  for (const row of await query(CUSTOMER_ENTRIES_IN_ORDER)) {
    const account = String(row.accountId);
    const balance = (running.get(account) ?? 0n) + BigInt(row.amountMinor as bigint | string);
    running.set(account, balance);
    if (balance !== BigInt(row.balanceAfterMinor as bigint | string)) {
      problems.push(`running balance of ${account} breaks at ${balance}`);
      break;
    }
  }
  return problems;
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/**
 * Runs `work` against a private PostgreSQL cluster. Without PostgreSQL the test is
 * skipped with a loud message, or fails when CI is set: never a silent pass.
 */
export async function withPostgres(t: TestContext, work: (cluster: TempPostgres) => Promise<void>): Promise<void> {
  if (!findPostgresBin()) {
    const message = "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb): PostgreSQL was NOT tested";
    if (process.env.CI) throw new Error(`${message}, and CI must test it (apt-get install postgresql).`);
    console.warn(`\n*** ${message}. ***\n`);
    t.skip(message);
    return;
  }
  const cluster = await startTempPostgres();
  try {
    await work(cluster);
  } finally {
    await cluster.stop();
  }
}
