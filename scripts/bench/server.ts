/**
 * `npm run bench [-- --webpack] [-- --reuse-build] [-- --duration 15] [-- --step-up-rounds 30]`:
 * server-side figures against `next start` on PostgreSQL (scripts/bench/lib/stack.ts), with
 * autocannon:
 *   1. the signed-in dashboard beside the same page with its session and strength checks
 *      bypassed, in the benchmark-only build (app/bench-baseline; the ratio is the figure),
 *      interleaved in three rounds;
 *   2. the protected transfer page with an elevated session;
 *   3. proof verification per request with a warm JWKS, and the JWKS fetches it made;
 *   4. what a step-up adds on the portal's side: a transfer that needs one (submit → challenge,
 *      then token → commit) beside a transfer that needs none (submit → commit), as a ratio;
 *   5. transfers per second under contention on one account (the JSON API, a fresh idempotency
 *      key per request), then the ledger invariants;
 *   6. 10,000 concurrent transfer attempts from one account that can afford half of them: every
 *      acknowledgement stored once, the balance exact, zero invariant violations.
 * It prints figures, the machine and its load average; it asserts correctness (the invariants,
 * the exact number of transfers), never speed. docs/performance.md records a run.
 */
import os from "node:os";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { ROOT } from "../lib/stack-env";
import { transferLimitsOf, type PolicySetName } from "../../lib/step-up/policy";
import { combine, formatLoad, load, type LoadFigures } from "./lib/load";
import { startBenchStack } from "./lib/stack";
import { formatStepUpCost, summarizeStepUpCost, type StepUpCostSamples } from "./lib/step-up-cost";

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? Number(argv[i + 1]) : fallback;
};
const duration = option("--duration", 15);
const connections = option("--connections", 20);
/** Transfers of each kind timed for the step-up cost (after a few untimed ones). */
const stepUpRounds = option("--step-up-rounds", 30);
const TARGETS = { dashboardRatio: 0.7, verifyMs: 1 };

const problems: string[] = [];
const lines: string[] = [];
const say = (line = "") => {
  lines.push(line);
  console.log(line);
};

function machine(): string {
  const cpus = os.cpus();
  const next = (JSON.parse(readFileSync(path.join(ROOT, "node_modules", "next", "package.json"), "utf8")) as { version: string }).version;
  const pg = spawnSync("sh", ["-c", "ls /usr/lib/postgresql | sort -n | tail -1"], { encoding: "utf8" }).stdout.trim();
  return `${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, Next ${next}, PostgreSQL ${pg}`;
}
const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");

const stack = await startBenchStack({ build: !flag("--reuse-build"), webpack: flag("--webpack"), baseline: true });
try {
  const db = stack.db;
  const { invariantViolations, totalMoney, createCustomer, ensureClearing } = await import("../../test/transfers/support");
  say(`\nMachine: ${machine()}`);
  say(`Load average at start (1/5/15 min): ${loadAverage()}`);
  say(`Each load run: ${duration} s after a ${Math.min(5, duration)} s warm-up, ${connections} connections.\n`);

  const warmAndLoad = async (label: string, options: Parameters<typeof load>[1]): Promise<LoadFigures> => {
    await load(`${label} (warm-up)`, { ...options, duration: Math.min(5, duration) });
    const figures = await load(label, { ...options, duration });
    say(formatLoad(figures));
    return figures;
  };

  // 1. Dashboard: with the checks, and the baseline without them.
  const persona = await stack.createPersona();
  const session = await stack.createSession(persona);
  const dashboardOk = await fetch(`${stack.portalOrigin}/dashboard`, { headers: { cookie: session.cookie } });
  const dashboardHtml = await dashboardOk.text();
  if (dashboardOk.status !== 200 || !dashboardHtml.includes("Overview")) throw new Error(`the signed-in dashboard answered ${dashboardOk.status}, not the page`);
  const shippedBypass = await fetch(`${stack.portalOrigin}/bench-baseline/dashboard?user=${persona.userId}`, { redirect: "manual" });
  if (shippedBypass.status !== 404) problems.push(`the portal's own build answers /bench-baseline/dashboard with ${shippedBypass.status}, not 404`);
  const baselineUrl = `${stack.baselineOrigin}/bench-baseline/dashboard?user=${persona.userId}`;
  const baselineOk = await fetch(baselineUrl);
  if (baselineOk.status !== 200 || !(await baselineOk.text()).includes("Overview")) throw new Error(`the baseline answered ${baselineOk.status}`);

  // Interleaved (A B, B A, A B), so that a change in the machine's load during the run weighs on
  // both sides alike; each side's figures are its three parts combined.
  const dashboardOptions = { url: `${stack.portalOrigin}/dashboard`, connections, headers: { cookie: session.cookie } };
  const baselineOptions = { url: baselineUrl, connections };
  const warm = Math.min(5, duration);
  await load("dashboard (warm-up)", { ...dashboardOptions, duration: warm });
  await load("baseline (warm-up)", { ...baselineOptions, duration: warm });
  const withChecks: LoadFigures[] = [];
  const withoutChecks: LoadFigures[] = [];
  const roundRatios: number[] = [];
  const slice = Math.max(1, Math.round(duration / 3));
  for (let round = 0; round < 3; round += 1) {
    const runA = async () => withChecks.push(await load("dashboard", { ...dashboardOptions, duration: slice }));
    const runB = async () => withoutChecks.push(await load("baseline", { ...baselineOptions, duration: slice }));
    if (round % 2 === 0) {
      await runA();
      await runB();
    } else {
      await runB();
      await runA();
    }
    roundRatios.push(withChecks.at(-1)!.requestsPerSecond / withoutChecks.at(-1)!.requestsPerSecond);
  }
  const dashboard = combine("dashboard, signed in (session + strength)", withChecks);
  const baseline = combine("dashboard, checks bypassed (bench-only build)", withoutChecks);
  say(formatLoad(dashboard));
  say(formatLoad(baseline));
  say(`  → per round (A B, B A, A B): ${roundRatios.map((r) => `${(r * 100).toFixed(1)}%`).join(", ")}`);
  const ratio = dashboard.requestsPerSecond / baseline.requestsPerSecond;
  say(`  → throughput with checks / without: ${(ratio * 100).toFixed(1)}% (target ≥ ${TARGETS.dashboardRatio * 100}%)`);
  if (ratio < TARGETS.dashboardRatio) problems.push(`dashboard throughput ratio ${(ratio * 100).toFixed(1)}% < ${TARGETS.dashboardRatio * 100}%`);
  for (const f of [dashboard, baseline]) if (Object.keys(f.statuses).some((s) => s !== "200")) problems.push(`${f.label}: non-200 answers ${JSON.stringify(f.statuses)}`);

  // 2. The transfer page, elevated session.
  const elevated = await stack.createSession(persona, { elevated: true });
  const transferPage = await warmAndLoad("transfer page, elevated session", { url: `${stack.portalOrigin}/transfer`, connections, headers: { cookie: elevated.cookie } });
  if (Object.keys(transferPage.statuses).some((s) => s !== "200")) problems.push(`transfer page: non-200 answers ${JSON.stringify(transferPage.statuses)}`);

  // 3. Proof verification, warm.
  const verifyToken = await stack.apiToken(persona.user);
  const verify = spawnSync(process.execPath, ["--import", "tsx", "--conditions=react-server", "scripts/bench/verify-proof.ts", "5000"], {
    cwd: ROOT,
    env: { ...process.env, ...stack.portalEnv, BENCH_TOKEN: verifyToken },
    encoding: "utf8",
  });
  if (verify.status !== 0) throw new Error(`verify-proof bench failed: ${verify.stderr}`);
  const v = JSON.parse(verify.stdout.trim().split("\n").at(-1)!) as { iterations: number; coldMs: number; meanMs: number; p50Ms: number; p95Ms: number; p99Ms: number; fetchesCold: number; fetchesWarm: number; urls: string[] };
  say(
    `proof verification (RS256, warm JWKS, ${v.iterations}×): mean ${v.meanMs.toFixed(3)} ms, p95 ${v.p95Ms.toFixed(3)} ms, p99 ${v.p99Ms.toFixed(3)} ms; cold ${v.coldMs.toFixed(1)} ms`,
  );
  say(`  → HTTP fetches: ${v.fetchesCold} to warm up (${v.urls.join(", ")}), ${v.fetchesWarm} during the ${v.iterations} verifications (JWKS cached 10 min: at most one fetch per 10 minutes in steady state)`);
  if (v.p95Ms >= TARGETS.verifyMs) problems.push(`proof verification p95 ${v.p95Ms.toFixed(3)} ms ≥ ${TARGETS.verifyMs} ms`);
  if (v.fetchesWarm !== 0) problems.push(`${v.fetchesWarm} JWKS/discovery fetch(es) while warm`);

  await ensureClearing(db);
  const transferUser = async (checkingMinor: bigint) => {
    const customer = await createCustomer(db, { checking: checkingMinor });
    const user = await stack.control.createUser({ displayName: "Bench transfers", methods: [] });
    await db.user.update({ where: { id: customer.user.id }, data: { objectId: user.oid } });
    return { customer, user, token: await stack.apiToken(user) };
  };

  // 4. What a step-up adds on the portal's side, through the JSON API (the same enforcement core
  // as the server action). The proof comes from the emulator's control API between the two calls,
  // after the wait the challenge names (`approvableInMs`): the identity provider's part is not
  // timed. Each round is a fresh customer (per-user request and proof limits, open approvals), and
  // alternates which kind goes first, so a change in the machine's load weighs on both alike.
  const policySet = (stack.portalEnv.STEP_UP_POLICY_SET ?? "production") as PolicySetName;
  const stepUpAmountMinor = transferLimitsOf(policySet).stepUpFrom * 100n;
  const postTransfer = async (token: string, idempotencyKey: string, body: Record<string, string>) => {
    const started = performance.now();
    const response = await fetch(`${stack.portalOrigin}/api/v1/transfers`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": idempotencyKey },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { error?: { code?: string; authContext?: string; pendingOperation?: { approvableInMs?: number } } };
    return { ms: performance.now() - started, status: response.status, answer };
  };
  const costSamples: StepUpCostSamples = { none: [], challenge: [], commit: [] };
  const warmUpRounds = 3;
  let stepUpContext = "";
  for (let round = 0; round < warmUpRounds + stepUpRounds; round += 1) {
    const { customer, user, token } = await transferUser(stepUpAmountMinor * 10n);
    const body = (amountMinor: bigint) => ({ fromAccountId: customer.checkingId, toAccountId: customer.savingsId, currency: "USD", amountMinor: String(amountMinor), memo: "bench step-up cost" });
    const plain = async () => {
      const done = await postTransfer(token, randomUUID(), body(1n));
      if (done.status !== 201) throw new Error(`a transfer that needs no step-up answered ${done.status}: ${JSON.stringify(done.answer)}`);
      return done.ms;
    };
    const steppedUp = async () => {
      const key = randomUUID();
      const first = await postTransfer(token, key, body(stepUpAmountMinor));
      const challenge = first.answer.error;
      if (first.status !== 401 || challenge?.code !== "insufficient_claims" || !challenge.authContext || !challenge.pendingOperation) {
        throw new Error(`a transfer that needs a step-up answered ${first.status}: ${JSON.stringify(first.answer)}`);
      }
      stepUpContext = challenge.authContext;
      await new Promise((resolve) => setTimeout(resolve, challenge.pendingOperation?.approvableInMs ?? 0));
      const proof = await stack.control.brokenToken("missing-auth-time", user.oid, [challenge.authContext]);
      const second = await postTransfer(proof, key, body(stepUpAmountMinor));
      if (second.status !== 201) throw new Error(`the retry with a ${challenge.authContext} proof answered ${second.status}: ${JSON.stringify(second.answer)}`);
      return [first.ms, second.ms] as const;
    };
    let none: number;
    let stepped: readonly [number, number];
    if (round % 2 === 0) {
      none = await plain();
      stepped = await steppedUp();
    } else {
      stepped = await steppedUp();
      none = await plain();
    }
    if (round < warmUpRounds) continue;
    costSamples.none.push(none);
    costSamples.challenge.push(stepped[0]);
    costSamples.commit.push(stepped[1]);
  }
  for (const line of formatStepUpCost(summarizeStepUpCost(costSamples), { transfers: stepUpRounds, authContext: stepUpContext })) say(line);

  // 5. Transfers under contention on one account, through the JSON API.
  const transferRequests = (token: string, body: Record<string, string>) => [
    {
      method: "POST",
      path: "/api/v1/transfers",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      setupRequest: (request: { headers?: Record<string, string> }) => ({ ...request, headers: { ...request.headers, "idempotency-key": randomUUID() } }),
    },
  ];
  const moneyBefore = await totalMoney(db);
  const contended = await transferUser(100_000_000n);
  const contentionOptions = {
    url: stack.portalOrigin,
    connections,
    requests: transferRequests(contended.token, { fromAccountId: contended.customer.checkingId, toAccountId: contended.customer.savingsId, currency: "USD", amountMinor: "1", memo: "bench" }),
  };
  const warmUp = await load("transfers (warm-up)", { ...contentionOptions, duration: Math.min(5, duration) });
  const contention = await load("transfers, one account, JSON API", { ...contentionOptions, duration });
  say(formatLoad(contention));
  for (const f of [warmUp, contention]) if (Object.keys(f.statuses).some((status) => status !== "201")) problems.push(`${f.label}: answers other than 201 ${JSON.stringify(f.statuses)}`);
  const contendedCount = await db.transfer.count({ where: { ownerId: contended.customer.user.id } });
  const contendedBalance = (await db.bankAccount.findUniqueOrThrow({ where: { id: contended.customer.checkingId } })).balanceMinor;
  const contendedAcknowledged = (warmUp.statuses[201] ?? 0) + (contention.statuses[201] ?? 0);
  // A timed run stops with up to `connections` requests in flight, which still commit: stored
  // transfers are the acknowledged ones plus at most those (warm-up and run), never fewer.
  const inFlightAtStop = contendedCount - contendedAcknowledged;
  if (inFlightAtStop < 0 || inFlightAtStop > 2 * connections) problems.push(`transfers: ${contendedAcknowledged} acknowledged (warm-up included), ${contendedCount} stored`);
  if (contendedBalance !== 100_000_000n - BigInt(contendedCount)) problems.push(`transfers: balance ${contendedBalance} after ${contendedCount} transfers of 0.01`);
  say(`  → ${contendedCount} transfers committed from one account (warm-up included): ${contendedAcknowledged} acknowledged, ${inFlightAtStop} in flight when the timed runs stopped; balance agrees: ${contendedBalance === 100_000_000n - BigInt(contendedCount)}`);

  // 6. 10,000 concurrent attempts; the account affords exactly 5,000.
  const attempts = 10_000;
  const affordable = 5_000;
  // 0.01 each: the day's transfers from the account stay within what may leave it without a
  // step-up (lib/step-up/policy.ts, 1,000.00 a day in production); at 1.00 each, every attempt past
  // the thousandth would be answered with a challenge instead of running.
  const crowd = await transferUser(BigInt(affordable));
  const burst = await load("10,000 transfer attempts, 200 connections", {
    url: stack.portalOrigin,
    connections: 200,
    amount: attempts,
    // Queued behind one account's row lock, an attempt may wait long; give every one an answer.
    timeout: 120,
    requests: transferRequests(crowd.token, { fromAccountId: crowd.customer.checkingId, toAccountId: crowd.customer.savingsId, currency: "USD", amountMinor: "1", memo: "bench burst" }),
  });
  say(formatLoad(burst));
  const crowdCount = await db.transfer.count({ where: { ownerId: crowd.customer.user.id } });
  const crowdBalance = (await db.bankAccount.findUniqueOrThrow({ where: { id: crowd.customer.checkingId } })).balanceMinor;
  // Correctness, whatever the load: every acknowledgement is a stored transfer, the balance is
  // exactly what they took, and nothing else was answered but "not enough money" (422) or, when
  // the database pool is exhausted past the transaction's maxWait, "busy, nothing was changed"
  // (503; an unrecognised failure is a 500, which changes nothing either).
  const acknowledged = burst.statuses[201] ?? 0;
  const overloaded = (burst.statuses[503] ?? 0) + (burst.statuses[500] ?? 0);
  // An attempt the client gave up on (timeout) may still commit: it is stored, never acknowledged.
  if (burst.responses + burst.errors !== attempts) problems.push(`burst: ${burst.responses} answers and ${burst.errors} errors for ${attempts} attempts`);
  if (crowdCount < acknowledged || crowdCount - acknowledged > burst.errors) problems.push(`burst: ${acknowledged} acknowledged but ${crowdCount} stored (${burst.errors} attempts without an answer)`);
  if (crowdBalance !== BigInt(affordable - crowdCount)) problems.push(`burst: balance ${crowdBalance} after ${crowdCount} transfers of 0.01 from ${affordable / 100}`);
  const unexpected = Object.entries(burst.statuses).filter(([status]) => !["201", "422", "503", "500"].includes(status));
  if (unexpected.length) problems.push(`burst: unexpected answers ${JSON.stringify(Object.fromEntries(unexpected))}`);
  if (crowdCount < affordable && (burst.statuses[422] ?? 0) > 0 && overloaded === 0) problems.push(`burst: only ${crowdCount} of ${affordable} affordable transfers went through`);
  say(`  → acknowledged ${acknowledged}, refused for lack of money ${burst.statuses[422] ?? 0}, refused under overload (503 busy or 500, nothing changed) ${overloaded}, no answer (client timeout) ${burst.errors}`);
  // The ledger checks cover the whole database; "below zero" covers the accounts money left here
  // (a seeded persona may start overdrawn: prisma/seed-data.ts).
  const violations = await invariantViolations(db, { accounts: [contended.customer.checkingId, contended.customer.savingsId, crowd.customer.checkingId, crowd.customer.savingsId] });
  const moneyAfter = await totalMoney(db);
  const created = 100_000_000n + BigInt(affordable);
  // Opening balances are the only money created; transfers only move it.
  say(`  → ${crowdCount} of ${attempts} attempts committed (the account affords ${affordable}), balance left ${crowdBalance}; invariant violations: ${violations.length}${violations.length ? ` (${violations.join("; ")})` : ""}`);
  if (violations.length) problems.push(...violations);
  if (moneyAfter !== moneyBefore + created) problems.push(`money created or destroyed: ${moneyAfter - moneyBefore - created} minor units`);

  say(`\nLoad average at end (1/5/15 min): ${loadAverage()}`);
  say(problems.length ? `\nTargets missed or invariants broken:\n- ${problems.join("\n- ")}` : "\nEvery target met, zero invariant violations.");
  process.exitCode = problems.length ? 1 : 0;
} finally {
  await stack.stop();
}
