import { existsSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { defineConfig } from "@playwright/test";
import baseConfig from "./playwright.config";
import { e2eSettings } from "./e2e/support/settings";
import { ROOT, nodeTrustEnv, stackEnv } from "./scripts/lib/stack-env";
import { SCALE_LIMITS } from "./e2e/scale/limits";

/**
 * The multi-instance run (docs/scaling.md): two `next start` instances behind nginx, sharing one
 * PostgreSQL database, AUTH_SECRET and the server-actions encryption key, with the emulator;
 * specs in e2e/scale. `npm test` runs it in its PostgreSQL pass:
 *   E2E_DATABASE_URL=postgresql://… npx playwright test -c playwright.scale.config.ts
 * The shared settings (e2e/support/settings.ts) see the load balancer as "the portal", so the
 * ordinary fixtures (personas, sign-in, the step-up dialog, API tokens) work through it unchanged.
 */
const databaseUrl = process.env.E2E_DATABASE_URL ?? "";
if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
  throw new Error("The multi-instance run needs a shared PostgreSQL database: set E2E_DATABASE_URL=postgresql://… (npm test starts a private cluster).");
}

function freePortSync(): number {
  const script = 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})';
  return Number(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }));
}
// Chosen once, in the runner, and inherited by the workers (as e2e/support/settings.ts does).
// The load balancer takes the port the shared settings chose for "the portal".
process.env.SCALE_INSTANCE_PORTS ??= `${freePortSync()},${freePortSync()}`;
process.env.E2E_AUTH_SECRET ??= randomBytes(33).toString("base64");
process.env.SCALE_ACTIONS_KEY ??= randomBytes(32).toString("base64");

const settings = e2eSettings();
const [portA, portB] = process.env.SCALE_INSTANCE_PORTS.split(",").map(Number) as [number, number];

/** The instances' names, as `x-portal-instance` reports them and `x-lb-pin` selects them. */
export const SCALE_INSTANCES = { a: portA, b: portB } as const;

const instanceEnv = {
  // Every instance believes it is the load balancer's origin (cookies, redirects, Origin checks).
  ...stackEnv({
    portalPort: settings.portalPort,
    emulatorPort: settings.emulatorPort,
    databaseUrl,
    overrides: {
      // Shared by every instance: sessions signed by one are read by the other, and a server
      // action's encrypted closure made by one is opened by the other.
      AUTH_SECRET: process.env.E2E_AUTH_SECRET,
      NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: process.env.SCALE_ACTIONS_KEY,
      NODE_ENV: "production",
      RATE_LIMIT_WINDOW_SECONDS: String(SCALE_LIMITS.windowSeconds),
      RATE_LIMIT_REQUESTS_PER_USER: String(SCALE_LIMITS.requestsPerUser),
      RATE_LIMIT_REQUESTS_PER_IP: String(SCALE_LIMITS.requestsPerAddress),
      RATE_LIMIT_SIGN_INS_PER_IP: String(SCALE_LIMITS.requestsPerAddress),
    },
  }),
  ...nodeTrustEnv(),
  E2E_RUN_DIR: settings.runDir,
};

if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("The portal is not built: run `npm run build` first (npm test does it for you).");

export default defineConfig({
  ...baseConfig,
  testDir: "./e2e/scale",
  testIgnore: [],
  // One worker: a test kills an instance, and the invariants are checked over the whole database.
  fullyParallel: false,
  workers: 1,
  projects: [{ name: "multi-instance" }],
  webServer: [
    {
      name: "emulator",
      command: "node --import tsx emulator/main.ts --test-control --reset",
      cwd: ROOT,
      env: {
        ...stackEnv({ portalPort: settings.portalPort, emulatorPort: settings.emulatorPort }),
        EMULATOR_DATA_DIR: path.join(settings.runDir, "emulator"),
        EMULATOR_CONTROL_SECRET: settings.controlSecret,
        EMULATOR_POLICY_SET: "production",
      },
      url: `https://localhost:${settings.emulatorPort}/${settings.tenantId}/v2.0/.well-known/openid-configuration`,
      ignoreHTTPSErrors: true,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      name: "instance a",
      command: `node --import tsx scripts/scale/instance.ts a ${portA} --migrate`,
      cwd: ROOT,
      env: instanceEnv,
      url: `http://127.0.0.1:${portA}/api/auth/providers`,
      reuseExistingServer: false,
      timeout: 300_000,
      // SIGTERM lets the supervisor stop `next start` and nginx remove its temp folder.
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
    {
      name: "instance b",
      command: `node --import tsx scripts/scale/instance.ts b ${portB}`,
      cwd: ROOT,
      env: instanceEnv,
      url: `http://127.0.0.1:${portB}/api/auth/providers`,
      reuseExistingServer: false,
      timeout: 300_000,
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
    {
      name: "load balancer",
      command: `node --import tsx scripts/scale/load-balancer.ts ${settings.portalPort} a=${portA} b=${portB}`,
      cwd: ROOT,
      url: `${settings.portalOrigin}/api/auth/providers`,
      reuseExistingServer: false,
      timeout: 30_000,
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
  ],
});
