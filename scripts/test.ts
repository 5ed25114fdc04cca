/**
 * `npm test`: every check, in the order that fails fastest, ending with the time each phase took
 * and one `N passed, N failed` line. Steps (`a ∥ b`: run side by side, on the second core):
 *   certificates → Prisma client (SQLite) + schema checks → lint ∥ typecheck →
 *   unit tests ∥ build (SQLite) → the whole end-to-end suite, then the hostile security suite,
 *   on SQLite → (when a PostgreSQL server is installed) on a private PostgreSQL cluster:
 *   the database-bound unit tests again ∥ build (PostgreSQL) → the end-to-end tests tagged
 *   @database (`E2E_SLICE=database`) → the multi-instance run (two instances behind nginx) →
 *   Prisma client back to SQLite.
 *
 * Why the PostgreSQL pass is a slice: every end-to-end test runs the same portal code whichever
 * database is underneath; only some verdicts rest on what the database itself does (money moved
 * exactly once, races, sessions and their expiry, pending approvals, user provisioning, the
 * ledger's queries). Those are tagged @database and run on both; the rest runs once, on SQLite.
 * Two builds remain because the generated Prisma client (compiled into the build) is per provider.
 *
 * In CI (CI=true) a missing PostgreSQL server or nginx is a failure, never a silent skip.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { ROOT, nodeTrustEnv, stackEnv } from "./lib/stack-env";
import { run } from "./lib/processes";
import { findPostgresBin, startTempPostgres, type TempPostgres } from "./lib/pg-cluster";
import { NGINX_BIN } from "./scale/nginx-bin";

interface Tally {
  passed: number;
  failed: number;
}
const tally: Tally = { passed: 0, failed: 0 };
const failures: string[] = [];
const started = Date.now();
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);
const tsx = (script: string, ...args: string[]) => [process.execPath, ["--import", "tsx", script, ...args]] as const;

const elapsed = () => Math.round((Date.now() - started) / 1000);

/** Every step's start and duration, printed at the end (the phase times). */
const phases: { title: string; start: number; seconds: number }[] = [];

function step(title: string) {
  console.log(`\n=== [${String(elapsed()).padStart(4)}s] ${title}`);
}

/** Runs `body` as a step named `title` and records how long it took. */
async function timed<T>(title: string, body: () => Promise<T>, options: { quiet?: boolean } = {}): Promise<T> {
  if (!options.quiet) step(title);
  const start = Date.now();
  try {
    return await body();
  } finally {
    phases.push({ title, start: Math.round((start - started) / 1000), seconds: Math.round((Date.now() - start) / 1000) });
  }
}

/**
 * Runs a command with its output held back and printed in one piece when it ends, so two steps
 * running side by side do not interleave their lines.
 */
function runBuffered(title: string, command: string, args: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const child = spawn(command, [...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
    const finish = (code: number) => {
      console.log(`\n=== [${String(elapsed()).padStart(4)}s] ${title}: ${code === 0 ? "done" : `FAILED (exit ${code})`}`);
      process.stdout.write(Buffer.concat(chunks));
      resolve(code);
    };
    child.on("exit", (code, signal) => finish(code ?? (signal ? 128 : 1)));
    child.on("error", () => finish(127));
  });
}

function count(title: string, ok: boolean) {
  if (ok) tally.passed += 1;
  else {
    tally.failed += 1;
    failures.push(title);
  }
  return ok;
}

/** A step that counts as one check. `buffered`: its output is printed when it ends (see runBuffered). */
async function check(title: string, command: string, args: readonly string[], env: Record<string, string | undefined> = {}, options: { buffered?: boolean } = {}) {
  return timed(
    title,
    async () => {
      if (options.buffered) return count(title, (await runBuffered(title, command, args, env)) === 0);
      return count(title, (await run(command, [...args], { cwd: ROOT, env: { ...process.env, ...env } })) === 0);
    },
    { quiet: options.buffered },
  );
}

/** Every `*.test.ts` under the given folders (Node 20's test runner takes no glob for .ts). */
function unitTestFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".test.ts")) found.push(path.relative(ROOT, full));
    }
  };
  for (const dir of ["test", "emulator", "lib", "scripts", "prisma"]) if (existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
  return found.sort();
}

/**
 * Unit tests that run a second time on PostgreSQL in the PostgreSQL pass (their database comes
 * from test/support/test-database.ts): the enforcement core's exactly-once guarantees, where
 * transactions really run in parallel, and the rate limiter's one-upsert-per-hit counting. The
 * transfer engine's own concurrency test (test/transfers/postgres.test.ts) brings its own cluster
 * and runs in the first pass.
 */
const POSTGRES_UNIT_TESTS = [
  "test/api/api.test.ts",
  "test/security/rate-limit.test.ts",
  "test/step-up/enforce.test.ts",
  "test/transfers/step-up.test.ts",
  // Per-user limits read inside the transfer transaction, the daily total under concurrency.
  "test/settings/settings.test.ts",
];

/** Runs node's test runner and adds its counts to the tally. */
async function unitTests(env: Record<string, string | undefined>, options: { label?: string; files?: string[] } = {}) {
  await timed(`unit tests (node:test${options.label ? `, ${options.label}` : ""})`, () => unitTestRun(env, options));
}

async function unitTestRun(env: Record<string, string | undefined>, options: { label?: string; files?: string[] }) {
  const files = options.files ?? unitTestFiles();
  const reportDir = mkdtempSync(path.join(tmpdir(), "woodgrove-unit-"));
  const tap = path.join(reportDir, "unit.tap");
  const code = await run(
    process.execPath,
    ["--import", "tsx", "--conditions=react-server", "--test", "--test-concurrency=2", "--test-reporter=spec", "--test-reporter-destination=stdout", "--test-reporter=tap", `--test-reporter-destination=${tap}`, ...files],
    { cwd: ROOT, env: { ...process.env, ...env } },
  );
  const text = existsSync(tap) ? readFileSync(tap, "utf8") : "";
  const pass = Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0);
  const count = (key: string) => Number(new RegExp(`^# ${key} (\\d+)`, "m").exec(text)?.[1] ?? 0);
  // A skipped check is a missing check. Locally the only legitimate skip is the PostgreSQL test
  // on a machine without a PostgreSQL server (it says so loudly); in CI nothing may be skipped.
  const skipped = count("skipped") + count("todo");
  const fail = count("fail") + count("cancelled") + (process.env.CI ? skipped : 0);
  if (skipped) console.log(`note: ${skipped} unit test(s) skipped${process.env.CI ? " (counted as failures in CI)" : ""}`);
  rmSync(reportDir, { recursive: true, force: true });
  tally.passed += pass;
  tally.failed += fail;
  if (code !== 0) {
    failures.push(`unit tests${options.label ? ` (${options.label})` : ""}`);
    if (fail === 0) tally.failed += 1;
  }
}

/**
 * Builds the portal for `databaseUrl`'s provider (the Prisma client generated for it is compiled
 * into the build), with its output printed when it ends, so it can run beside another step.
 */
function build(label: string, databaseUrl: string): Promise<boolean> {
  const buildEnv = stackEnv({ portalPort: 3000, emulatorPort: 8443, databaseUrl, overrides: { AUTH_SECRET: "build-time-secret-not-used-at-run-time-0123456789" } });
  step(`next build (${label}), beside the unit tests; its output follows when it ends`);
  return check(`next build (${label})`, bin("next"), ["build"], buildEnv, { buffered: true });
}

/**
 * Runs Playwright on the build that is there: the end-to-end suite (or its @database slice), then,
 * when asked, the hostile security suite against the same build; adds Playwright's counts to the
 * tally.
 */
async function endToEnd(label: string, databaseUrl: string, options: { perRunDatabase: boolean; security?: boolean; slice?: "database" }) {
  // SQLite: the e2e settings give each run its own file; PostgreSQL: the private cluster.
  const databaseEnv: Record<string, string> = options.perRunDatabase ? {} : { E2E_DATABASE_URL: databaseUrl };
  const sliceEnv: Record<string, string> = options.slice ? { E2E_SLICE: options.slice } : {};
  await playwright(options.slice ? `end-to-end tests tagged @${options.slice} (${label})` : `end-to-end tests (${label})`, [], { ...databaseEnv, ...sliceEnv });
  // The security suite on its own database (SQLite's per-run file), so its attacks start clean.
  if (options.security) await playwright(`security suite (${label})`, ["-c", "playwright.security.config.ts"], databaseEnv);
}

/** Runs Playwright with `args` and adds its counts to the tally (a skipped test counts as a failure). */
async function playwright(label: string, args: string[], env: Record<string, string>) {
  await timed(label, () => playwrightRun(label, args, env));
}

async function playwrightRun(label: string, args: string[], env: Record<string, string>) {
  const reportDir = mkdtempSync(path.join(tmpdir(), "woodgrove-e2e-"));
  const jsonFile = path.join(reportDir, "results.json");
  const code = await run(bin("playwright"), ["test", ...args, "--reporter=list,json"], {
    cwd: ROOT,
    env: { ...process.env, ...nodeTrustEnv(), ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: jsonFile },
  });
  let counted = false;
  if (existsSync(jsonFile)) {
    const stats = (JSON.parse(readFileSync(jsonFile, "utf8")) as { stats?: { expected?: number; unexpected?: number; flaky?: number; skipped?: number } }).stats;
    if (stats) {
      tally.passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
      // A skipped check is a missing check: it counts as a failure (no e2e test is ever skipped).
      tally.failed += (stats.unexpected ?? 0) + (stats.skipped ?? 0);
      counted = true;
      if (stats.skipped) failures.push(`${stats.skipped} skipped test(s) (${label})`);
      if (stats.flaky) console.log(`note: ${stats.flaky} flaky test(s) passed only on retry (${label}); see the HTML report`);
    }
  }
  rmSync(reportDir, { recursive: true, force: true });
  if (code !== 0) {
    failures.push(label);
    if (!counted) tally.failed += 1;
  }
}

/**
 * Several instances behind nginx on the PostgreSQL cluster (playwright.scale.config.ts), with the
 * build the PostgreSQL pass just made. In CI a missing nginx is a failure, never a silent skip.
 */
async function multiInstance(pg: TempPostgres) {
  if (!existsSync(NGINX_BIN)) {
    if (process.env.CI) {
      step("multi-instance: nginx missing");
      console.error(`CI must run the multi-instance tests: install Debian's nginx package (.ci/run does); looked for ${NGINX_BIN}.`);
      tally.failed += 1;
      failures.push("nginx missing");
    } else {
      step(`multi-instance: nginx is not installed (${NGINX_BIN}), so the multi-instance run was NOT done (apt-get install nginx to include it)`);
    }
    return;
  }
  const url = await pg.createDatabase("woodgrove_scale");
  await playwright("multi-instance tests (2 instances behind nginx, PostgreSQL)", ["-c", "playwright.scale.config.ts"], { E2E_DATABASE_URL: url });
}

async function main() {
  const trust = nodeTrustEnv();
  if (!(await check("certificates", ...tsx("emulator/certs.ts")))) return;
  const sqliteUrl = `file:${path.join(ROOT, ".data", "test", "portal.db")}`;
  await check("prisma generate (SQLite)", bin("prisma"), ["generate"], { DATABASE_URL: sqliteUrl });
  await check("schema checks (PostgreSQL twin, migrations in step)", "npm", ["run", "-s", "db:check"]);
  // eslint and tsc each keep one core busy: side by side they take the time of the slower one.
  step("lint ∥ typecheck; their output follows as each ends");
  await Promise.all([
    check("lint", bin("eslint"), [".", "--max-warnings=0"], {}, { buffered: true }),
    check("typecheck", "sh", ["-c", `${bin("next")} typegen >/dev/null && ${bin("tsc")} --noEmit`], {}, { buffered: true }),
  ]);
  // Unit tests import lib/ modules, which parse the portal's configuration at import: give
  // them the example configuration with a per-run secret.
  const unitEnv = { ...stackEnv({ portalPort: 3000, emulatorPort: 8443, overrides: { AUTH_SECRET: randomBytes(33).toString("base64") } }), ...trust };
  // Much of the unit run waits (child processes, a private PostgreSQL cluster, lock timeouts):
  // the build uses those gaps. Neither reads what the other writes.
  const [, sqliteBuilt] = await Promise.all([unitTests(unitEnv), build("SQLite", sqliteUrl)]);
  if (sqliteBuilt) await endToEnd("SQLite", sqliteUrl, { perRunDatabase: true, security: true });

  if (!findPostgresBin()) {
    if (process.env.CI) {
      step("PostgreSQL: no server binary found");
      console.error("CI must test PostgreSQL: install Debian's postgresql package (.ci/run does).");
      tally.failed += 1;
      failures.push("PostgreSQL server missing");
    } else {
      step("PostgreSQL: not installed here, so the PostgreSQL run was NOT done (apt-get install postgresql to include it)");
    }
  } else {
    const pg = await timed("start a private PostgreSQL cluster", () => startTempPostgres());
    try {
      const url = await pg.createDatabase("woodgrove_e2e");
      if (await check("prisma generate (PostgreSQL)", bin("prisma"), ["generate"], { DATABASE_URL: url })) {
        const [, postgresBuilt] = await Promise.all([
          unitTests({ ...unitEnv, TEST_POSTGRES_URL: pg.adminUrl }, { label: "PostgreSQL", files: POSTGRES_UNIT_TESTS }),
          build("PostgreSQL", url),
        ]);
        // The multi-instance run uses the PostgreSQL build, so it needs that build to have worked.
        if (postgresBuilt) {
          await endToEnd("PostgreSQL", url, { perRunDatabase: false, slice: "database" });
          await multiInstance(pg);
        }
      }
    } finally {
      await pg.stop();
      await check("prisma generate (back to SQLite)", bin("prisma"), ["generate"], { DATABASE_URL: sqliteUrl });
    }
  }
}

try {
  await main();
} catch (error) {
  tally.failed += 1;
  failures.push(`test runner: ${error instanceof Error ? error.message : String(error)}`);
}
const minutes = ((Date.now() - started) / 60000).toFixed(1);
const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
console.log("\nPhases (start → duration, m:ss; side-by-side steps overlap):");
for (const phase of [...phases].sort((a, b) => a.start - b.start)) console.log(`  ${clock(phase.start).padStart(6)}  ${clock(phase.seconds).padStart(6)}  ${phase.title}`);
console.log(`\n${failures.length ? `Failed: ${failures.join("; ")}\n` : ""}npm test finished in ${minutes} min`);
console.log(`${tally.passed} passed, ${tally.failed} failed`);
process.exit(tally.failed === 0 && failures.length === 0 ? 0 : 1);
