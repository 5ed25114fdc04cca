import { existsSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { defineConfig } from "@playwright/test";
import { chromiumExecutable } from "./e2e/support/browser";
import { e2eSettings, stackSettings, type StackName } from "./e2e/support/settings";
import { ROOT, nodeTrustEnv, stackEnv } from "./scripts/lib/stack-env";

/**
 * End-to-end tests in a real Chromium against the real portal (`next start`) and the emulator
 * over HTTPS, on free ports. Run through `npm test`, or alone with `npx playwright test`.
 */
const settings = e2eSettings();
process.env.E2E_AUTH_SECRET ??= randomBytes(33).toString("base64");

/** Debian's Chromium packages when present (browsers cannot be downloaded everywhere); else Playwright's own. */
const chromiumPath = chromiumExecutable();

/**
 * Video needs Playwright's own ffmpeg build, which cannot be downloaded on machines without
 * internet; traces are kept on failure either way.
 */
const browsersDir = process.env.PLAYWRIGHT_BROWSERS_PATH ?? path.join(os.homedir(), ".cache", "ms-playwright");
const hasPlaywrightFfmpeg = existsSync(browsersDir) && readdirSync(browsersDir).some((entry) => entry.startsWith("ffmpeg"));

const portalEnv = (portalPort: number, emulatorPort: number, overrides: Record<string, string> = {}) => ({
  ...stackEnv({
    portalPort,
    emulatorPort,
    databaseUrl: settings.databaseUrl,
    overrides: { AUTH_SECRET: process.env.E2E_AUTH_SECRET!, NODE_ENV: "production", ...overrides },
  }),
  ...nodeTrustEnv(),
});

/**
 * `E2E_SLICE=database` (`npm run test:e2e:database`): only the tests tagged @database, whose
 * verdict rests on what the database does (money, races, sessions, approvals), on the production
 * stack alone. `npm test` runs the whole suite on SQLite and this slice again on PostgreSQL;
 * every other test exercises the same code whichever database is underneath.
 */
const databaseSlice = process.env.E2E_SLICE === "database";
const PHONE_SPEC = "phone.spec.ts";
if (process.env.E2E_SLICE && !databaseSlice) throw new Error(`E2E_SLICE=${process.env.E2E_SLICE}: the only slice is "database"`);

const emulatorDataDir = path.join(settings.runDir, "emulator");
const staging = stackSettings(settings, "staging");

/**
 * The emulator of one stack. Two stacks run side by side, each a portal and its emulator with the
 * same policy set (the portal's STEP_UP_POLICY_SET sets transfer thresholds, the emulator's
 * EMULATOR_POLICY_SET what each context requires): switching one shared emulator's set during
 * the run would change it under every test running in parallel.
 */
const emulatorServer = (stack: StackName, portalPort: number, emulatorPort: number) => ({
  name: stack === "production" ? "emulator" : `emulator (${stack})`,
  command: `node --import tsx emulator/main.ts --test-control --reset`,
  cwd: ROOT,
  env: {
    ...stackEnv({ portalPort, emulatorPort }),
    EMULATOR_DATA_DIR: stack === "production" ? emulatorDataDir : `${emulatorDataDir}-${stack}`,
    EMULATOR_CONTROL_SECRET: settings.controlSecret,
    EMULATOR_POLICY_SET: stack,
  },
  url: `https://localhost:${emulatorPort}/${settings.tenantId}/v2.0/.well-known/openid-configuration`,
  // Only the readiness probe skips verification; browsers and Node pin the dev CA.
  ignoreHTTPSErrors: true,
  reuseExistingServer: false,
  timeout: 60_000,
});

/** The portal every run starts (it also migrates the run's database). */
const portalServer = {
  name: "portal",
  command: `node --import tsx scripts/e2e-portal.ts ${settings.portalPort}`,
  cwd: ROOT,
  env: portalEnv(settings.portalPort, settings.emulatorPort),
  url: `${settings.portalOrigin}/api/auth/providers`,
  reuseExistingServer: false,
  timeout: 300_000,
};

/** The portal whose identity provider is down, and the staging stack. */
const otherServers = [
  {
    name: "portal (identity provider down)",
    command: `node --import tsx scripts/e2e-portal.ts ${settings.idpDownPortalPort} --no-migrate`,
    cwd: ROOT,
    env: portalEnv(settings.idpDownPortalPort, settings.deadEmulatorPort),
    url: `http://localhost:${settings.idpDownPortalPort}/api/auth/providers`,
    reuseExistingServer: false,
    timeout: 300_000,
  },
  emulatorServer("staging", staging.portalPort, staging.emulatorPort),
  {
    name: "portal (staging)",
    // The production portal above migrated the shared database already (servers start in order).
    command: `node --import tsx scripts/e2e-portal.ts ${staging.portalPort} --no-migrate`,
    cwd: ROOT,
    env: portalEnv(staging.portalPort, staging.emulatorPort, { STEP_UP_POLICY_SET: "staging" }),
    url: `${staging.portalOrigin}/api/auth/providers`,
    reuseExistingServer: false,
    timeout: 300_000,
  },
];

export default defineConfig<object, { stack: StackName }>({
  testDir: "./e2e",
  // README screenshots are a separate run (playwright.screenshots.config.ts), not tests; the
  // hostile suite is its own run too (playwright.security.config.ts, `npm run test:security`), and the
  // multi-instance specs need their own stack (playwright.scale.config.ts); the real-tenant run
  // is opt-in (playwright.real-tenant.config.ts). The phone spec runs in the phone project only.
  testIgnore: ["screenshots/**", "security/**", "scale/**", "real-tenant/**", PHONE_SPEC],
  outputDir: "./test-results",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: settings.portalOrigin,
    browserName: "chromium",
    headless: true,
    // A failing test keeps its trace: every action with DOM snapshots before and after, the
    // network, the console. Its screenshot filmstrip is off unless E2E_TRACE_FILMSTRIP=1: the
    // browser encoding frames for every test, to throw nearly all of them away, was a third of
    // the suite's browser CPU (the failure screenshot below is kept).
    trace: { mode: "retain-on-failure", screenshots: process.env.E2E_TRACE_FILMSTRIP === "1" },
    video: hasPlaywrightFfmpeg ? "retain-on-failure" : "off",
    screenshot: "only-on-failure",
    launchOptions: {
      ...(chromiumPath ? { executablePath: chromiumPath } : {}),
      args: [
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        // Trust exactly the emulator's leaf key, nothing else (not ignoreHTTPSErrors).
        `--ignore-certificate-errors-spki-list=${settings.spki}`,
      ],
    },
  },
  projects: databaseSlice
    ? [{ name: "production", grep: /@database/, grepInvert: /@staging/ }]
    : [
        // Every flow against the production policy set, except the staging slice.
        { name: "production", grepInvert: /@staging/ },
        // A representative slice (tests tagged @staging, e2e/staging.spec.ts) against the staging stack.
        { name: "staging", grep: /@staging/, use: { stack: "staging", baseURL: staging.portalOrigin } },
        // Every page at a phone's size (e2e/phone.spec.ts, and only it): two tests, to stay cheap.
        {
          name: "phone",
          testMatch: PHONE_SPEC,
          testIgnore: [],
          use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
        },
      ],
  webServer: [
    emulatorServer("production", settings.portalPort, settings.emulatorPort),
    portalServer,
    // The database slice needs neither the portal whose identity provider is down nor staging.
    ...(databaseSlice ? [] : otherServers),
  ],
});
