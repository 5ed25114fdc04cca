/**
 * Measurements of the end-to-end suite, printed, never asserted (the suite's time budgets):
 *
 *   npm run e2e:flake-check [-- --runs 5] [-- --grep @step-up]
 *       runs the suite N times without retries and prints, per run, its duration and failures;
 *       then every test that failed in some runs and passed in others (a flake) and the flake
 *       rate. Budget: zero flakes in 5 consecutive full runs.
 *   npm run e2e:budgets
 *       runs the smoke set (@smoke) and the full suite once each and prints their durations
 *       beside the budgets (smoke ≤ 2 min, full ≤ 12 min on 2 cores).
 *
 * Both build the portal first (skip with --no-build when .next is current) and use the normal
 * Playwright configuration (its own emulator and portal on free ports, a database per run).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { ROOT, nodeTrustEnv, stackEnv } from "./lib/stack-env";
import { run } from "./lib/processes";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: "string", default: "5" },
    grep: { type: "string" },
    workers: { type: "string", default: "2" },
    "no-build": { type: "boolean", default: false },
  },
});
const mode = positionals[0];
if (mode !== "flake-check" && mode !== "budgets") {
  console.error("usage: tsx scripts/e2e-measure.ts flake-check|budgets [--runs N] [--grep TAG] [--workers N] [--no-build]");
  process.exit(2);
}
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

interface TestOutcome {
  title: string;
  ok: boolean;
}
interface RunResult {
  seconds: number;
  outcomes: TestOutcome[];
}

interface JsonSpec {
  title: string;
  file: string;
  tests: { status: "expected" | "unexpected" | "flaky" | "skipped" }[];
}
interface JsonSuite {
  title: string;
  specs?: JsonSpec[];
  suites?: JsonSuite[];
}

function collect(suite: JsonSuite, prefix: string[], into: TestOutcome[]) {
  const trail = suite.title ? [...prefix, suite.title] : prefix;
  for (const spec of suite.specs ?? []) {
    // Without retries a test is "expected" or "unexpected"; a skipped one counts as not passing.
    for (const test of spec.tests) into.push({ title: [...trail, spec.title].join(" › "), ok: test.status === "expected" });
  }
  for (const child of suite.suites ?? []) collect(child, trail, into);
}

/** One Playwright run without retries; its duration and each test's outcome. */
async function playwright(extra: string[]): Promise<RunResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "woodgrove-measure-"));
  const json = path.join(dir, "results.json");
  const started = Date.now();
  await run(bin("playwright"), ["test", "--retries=0", `--workers=${values.workers}`, "--reporter=dot,json", ...extra], {
    cwd: ROOT,
    env: { ...process.env, ...nodeTrustEnv(), PLAYWRIGHT_JSON_OUTPUT_NAME: json, CI: "" },
  });
  const seconds = (Date.now() - started) / 1000;
  const outcomes: TestOutcome[] = [];
  try {
    const report = JSON.parse(readFileSync(json, "utf8")) as { suites: JsonSuite[] };
    for (const suite of report.suites) collect(suite, [], outcomes);
  } catch {
    console.error("no JSON report: the run did not start (see the output above)");
  }
  rmSync(dir, { recursive: true, force: true });
  return { seconds, outcomes };
}

const minutes = (seconds: number) => `${Math.floor(seconds / 60)}m ${String(Math.round(seconds % 60)).padStart(2, "0")}s`;

console.log(`machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
if (!values["no-build"]) {
  const env = { ...process.env, ...stackEnv({ portalPort: 3000, emulatorPort: 8443, overrides: { AUTH_SECRET: "build-time-secret-not-used-at-run-time-0123456789" } }) };
  if ((await run(bin("next"), ["build"], { cwd: ROOT, env })) !== 0) process.exit(1);
}

if (mode === "budgets") {
  const smoke = await playwright(["--grep", "@smoke"]);
  const full = await playwright([]);
  const line = (label: string, result: RunResult, budget: number) => {
    const failed = result.outcomes.filter((o) => !o.ok).length;
    console.log(`${label.padEnd(6)} ${minutes(result.seconds).padStart(8)}  budget ${minutes(budget)}  ${result.seconds <= budget ? "within" : "OVER"}  (${result.outcomes.length} tests, ${failed} failed)`);
  };
  console.log("\nsuite   duration  budget");
  line("smoke", smoke, 120);
  line("full", full, 720);
} else {
  const runs = Number(values.runs);
  const results: RunResult[] = [];
  for (let i = 1; i <= runs; i++) {
    const result = await playwright(values.grep ? ["--grep", values.grep] : []);
    results.push(result);
    console.log(`run ${i}/${runs}: ${minutes(result.seconds)}, ${result.outcomes.length} tests, ${result.outcomes.filter((o) => !o.ok).length} failed`);
  }
  const byTitle = new Map<string, boolean[]>();
  for (const result of results) for (const outcome of result.outcomes) byTitle.set(outcome.title, [...(byTitle.get(outcome.title) ?? []), outcome.ok]);
  const flaky = [...byTitle].filter(([, oks]) => oks.includes(true) && oks.includes(false));
  const broken = [...byTitle].filter(([, oks]) => !oks.includes(true));
  console.log(`\n${byTitle.size} tests × ${runs} runs`);
  for (const [title, oks] of flaky) console.log(`FLAKY  ${oks.filter((ok) => !ok).length}/${oks.length} failed  ${title}`);
  for (const [title] of broken) console.log(`FAILS  every run  ${title}`);
  const failedRuns = results.filter((r) => r.outcomes.some((o) => !o.ok)).length;
  console.log(`flake rate: ${flaky.length} of ${byTitle.size} tests (${((100 * flaky.length) / Math.max(byTitle.size, 1)).toFixed(1)}%); runs with any failure: ${failedRuns} of ${runs}`);
  console.log(`durations: ${results.map((r) => minutes(r.seconds)).join(", ")}`);
}
