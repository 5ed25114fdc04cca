/**
 * The stack the benchmarks run against: a private PostgreSQL cluster, the emulator (with its
 * test control API, to create users and mint API tokens), and `next start` for the portal's
 * build (and, for `npm run bench`, the benchmark-only baseline build in .next-bench), each on a
 * free loopback port. PostgreSQL because that is what several instances share (docs/scaling.md),
 * and because transfers under contention run in parallel there (SQLite queues them).
 *
 * The Prisma client is generated for PostgreSQL while the stack runs (the build bundles it);
 * `stop()` generates it back for SQLite, as `npm test` does.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { PrismaClient } from "../../../lib/generated/prisma/client";
import { EmulatorControl, type EmulatorUser } from "../../../e2e/support/emulator-control";
import type { E2eSettings } from "../../../e2e/support/settings";
import { CERT_DIR, ROOT, nodeTrustEnv, readEnvFile, stackEnv } from "../../lib/stack-env";
import { freePort, mustRun, run, startProcess, waitForUrl, type ManagedProcess } from "../../lib/processes";
import { findPostgresBin, startTempPostgres, type TempPostgres } from "../../lib/pg-cluster";
import { sessionCookieFor } from "../../../lib/auth/session-cookie";

const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

/**
 * The abuse limits (lib/rate-limit; .env.example allows 120 requests a minute per user and 600 per
 * address) would answer the load runs 429 after the first few seconds, all from one address and
 * mostly one user: raised for the benchmark so that the figures are the portal's work. The limiter
 * still counts every request (its database write is part of what is measured); the limits
 * themselves are tested in test/security/rate-limit.test.ts.
 */
const BENCH_REQUEST_LIMITS = {
  RATE_LIMIT_REQUESTS_PER_USER: "1000000000",
  RATE_LIMIT_REQUESTS_PER_IP: "1000000000",
  RATE_LIMIT_STEP_UP_PROOFS_PER_USER: "1000000000",
};

export interface BenchStackOptions {
  /** Build before starting (else the existing .next / .next-bench are used). */
  build: boolean;
  /** Pass --webpack to `next build` (a git worktree, whose node_modules is a symlink, needs it). */
  webpack: boolean;
  /** Also build and start the benchmark-only baseline (BENCH_BASELINE=1, .next-bench). */
  baseline: boolean;
}

/** A signed-in browser session made for the benchmark: its cookie, and the user behind it. */
export interface BenchSession {
  cookie: string;
  userId: string;
  user: EmulatorUser;
}

export interface BenchStack {
  portalOrigin: string;
  baselineOrigin: string | null;
  databaseUrl: string;
  /** The portal's configuration (what `next start` runs with). */
  portalEnv: Record<string, string>;
  control: EmulatorControl;
  db: PrismaClient;
  /** A user in the emulator and the portal's database, with seeded accounts and history. */
  createPersona(): Promise<{ user: EmulatorUser; userId: string }>;
  /** A database session for `userId` (as Auth.js writes it at sign-in), optionally elevated to `c3`. */
  createSession(persona: { user: EmulatorUser; userId: string }, options?: { elevated?: boolean }): Promise<BenchSession>;
  /** An access token for the portal's API for `user` (the emulator's control API mints it). */
  apiToken(user: EmulatorUser): Promise<string>;
  stop(): Promise<void>;
}

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  if (!findPostgresBin()) throw new Error("The benchmarks need a PostgreSQL server (apt-get install postgresql): several instances share one, and transfers only run in parallel there.");
  const processes: ManagedProcess[] = [];
  let pg: TempPostgres | undefined;
  const work = mkdtempSync(path.join(tmpdir(), "woodgrove-bench-"));
  const sqliteUrl = `file:${path.join(ROOT, ".data", "test", "portal.db")}`;
  let db: PrismaClient | undefined;
  const stop = async () => {
    await db?.$disconnect().catch(() => undefined);
    for (const p of processes.reverse()) await p.stop();
    await pg?.stop();
    rmSync(work, { recursive: true, force: true });
    await run(bin("prisma"), ["generate"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: sqliteUrl }, stdio: "ignore" });
  };
  // Ctrl-C (or a CI timeout) must not leave servers and a database cluster behind.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void stop().finally(() => process.exit(130)));
  }
  try {
    await mustRun(process.execPath, ["--import", "tsx", "emulator/certs.ts"], { cwd: ROOT });
    pg = await startTempPostgres();
    const databaseUrl = await pg.createDatabase("woodgrove_bench");
    console.log("=== prisma generate (PostgreSQL)");
    await mustRun(bin("prisma"), ["generate"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: "ignore" });

    const [portalPort, baselinePort, emulatorPort] = [await freePort(), await freePort(), await freePort()];
    const secret = randomBytes(33).toString("base64");
    const controlSecret = randomBytes(32).toString("base64url");
    const envFor = (port: number) => ({
      ...stackEnv({ portalPort: port, emulatorPort, databaseUrl, overrides: { AUTH_SECRET: secret, NODE_ENV: "production", ...BENCH_REQUEST_LIMITS } }),
      ...nodeTrustEnv(),
    });
    if (options.build) {
      const buildEnv = stackEnv({ portalPort, emulatorPort, databaseUrl, overrides: { AUTH_SECRET: "build-time-secret-not-used-at-run-time-0123456789" } });
      const flags = ["build", ...(options.webpack ? ["--webpack"] : [])];
      console.log("=== next build (portal)");
      await mustRun(bin("next"), flags, { cwd: ROOT, env: { ...process.env, ...buildEnv } });
      if (options.baseline) {
        console.log("=== next build (benchmark-only baseline, BENCH_BASELINE=1 → .next-bench)");
        await mustRun(bin("next"), flags, { cwd: ROOT, env: { ...process.env, ...buildEnv, BENCH_BASELINE: "1" } });
      }
    }
    for (const dir of [".next", ...(options.baseline ? [".next-bench"] : [])]) {
      if (!existsSync(path.join(ROOT, dir, "BUILD_ID"))) throw new Error(`${dir} has no build: run without --reuse-build`);
    }
    await mustRun(process.execPath, ["--import", "tsx", "scripts/db/migrate.ts", "deploy"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: "ignore" });

    const tenant = readEnvFile(path.join(ROOT, ".env.example")).EMULATOR_TENANT_ID ?? "";
    const emulatorOrigin = `https://localhost:${emulatorPort}`;
    const emulator = startProcess("emulator", process.execPath, ["--import", "tsx", "emulator/main.ts", "--test-control", "--reset"], {
      cwd: ROOT,
      env: { ...process.env, ...stackEnv({ portalPort, emulatorPort }), EMULATOR_DATA_DIR: path.join(work, "emulator"), EMULATOR_CONTROL_SECRET: controlSecret },
    });
    processes.push(emulator);
    const portalEnv = envFor(portalPort);
    const portal = startProcess("portal", bin("next"), ["start", "--hostname", "127.0.0.1", "--port", String(portalPort)], { cwd: ROOT, env: { ...process.env, ...portalEnv } });
    processes.push(portal);
    let baseline: ManagedProcess | undefined;
    if (options.baseline) {
      baseline = startProcess("baseline", bin("next"), ["start", "--hostname", "127.0.0.1", "--port", String(baselinePort)], {
        cwd: ROOT,
        env: { ...process.env, ...envFor(baselinePort), BENCH_BASELINE: "1" },
      });
      processes.push(baseline);
    }
    const alive = (p: ManagedProcess) => () => p.child.exitCode === null;
    await waitForUrl(`${emulatorOrigin}/${tenant}/v2.0/.well-known/openid-configuration`, 60_000, { isAlive: alive(emulator), ca: readFileSync(path.join(CERT_DIR, "ca.pem")) });
    await waitForUrl(`http://127.0.0.1:${portalPort}/api/auth/providers`, 120_000, { isAlive: alive(portal) });
    if (baseline) await waitForUrl(`http://127.0.0.1:${baselinePort}/api/auth/providers`, 120_000, { isAlive: alive(baseline) });

    // Imported only now: the client was generated for PostgreSQL above, after this module loaded.
    const { PrismaClient: Client } = (await import(pathToFileURL(path.join(ROOT, "lib", "generated", "prisma", "client.ts")).href)) as { PrismaClient: new (o: unknown) => PrismaClient };
    const { createAdapterFactory } = await import("../../../prisma/adapter");
    const { seedPersona } = await import("../../../prisma/seed-data");
    db = new Client({ adapter: createAdapterFactory(databaseUrl) });
    // The control client reads only these three settings; the rest describe Playwright's stacks.
    const control = new EmulatorControl({ emulatorOrigin, controlSecret, caFile: path.join(CERT_DIR, "ca.pem") } as E2eSettings);
    const cookieName = sessionCookieFor(`http://localhost:${portalPort}`).name;
    const database = db;

    return {
      portalOrigin: `http://127.0.0.1:${portalPort}`,
      baselineOrigin: options.baseline ? `http://127.0.0.1:${baselinePort}` : null,
      databaseUrl,
      portalEnv,
      control,
      db: database,
      async createPersona() {
        const user = await control.createUser({ displayName: "Bench persona", methods: ["totp"] });
        const seeded = await seedPersona(database, { tenantId: tenant, objectId: user.oid, displayName: user.displayName, userPrincipalName: user.userPrincipalName, persona: "totp" });
        return { user, userId: seeded.userId };
      },
      async createSession(persona, sessionOptions = {}) {
        const token = randomUUID() + randomUUID();
        const now = Date.now();
        const session = await database.session.create({
          data: { sessionToken: token, userId: persona.userId, expires: new Date(now + 30 * 60_000), acrs: "[]", authTime: new Date(now) },
          select: { id: true },
        });
        if (sessionOptions.elevated) {
          await database.sessionElevation.create({ data: { sessionId: session.id, context: "c3", proofUti: `bench-${randomUUID()}`, expiresAt: new Date(now + 15 * 60_000) } });
        }
        return { cookie: `${cookieName}=${token}`, userId: persona.userId, user: persona.user };
      },
      async apiToken(user) {
        // A well-formed API token for the user without `auth_time` (an optional claim the
        // verifier does not require): the control API's way to skip the person at the keyboard.
        return control.brokenToken("missing-auth-time", user.oid);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
