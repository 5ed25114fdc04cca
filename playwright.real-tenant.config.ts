import { defineConfig } from "@playwright/test";
import { chromiumExecutable } from "./e2e/support/browser";
import { realTenantSettings } from "./e2e/real-tenant/settings";
import { ROOT } from "./scripts/lib/stack-env";

/**
 * The opt-in run against a real Microsoft Entra tenant: `npm run test:real-tenant`, after
 * `npm run build`, with `.env.real-tenant` filled in (docs/real-tenant.md, "Running the
 * end-to-end flows against your tenant"). Not part of `npm test` or CI: it needs the internet, a
 * tenant and a test user. A separate configuration, so a missing setting stops the run with the
 * list of what is missing instead of skipping tests.
 *
 * It starts the built portal on AUTH_URL's port with the tenant's configuration and a database of
 * its own (fresh every run); the browser talks to Entra over the public internet with its normal
 * certificate checks. No emulator, no control API: what the tenant does is the tenant's.
 */
const settings = realTenantSettings();
const chromiumPath = chromiumExecutable();

export default defineConfig({
  testDir: "./e2e/real-tenant",
  testMatch: "*.real.spec.ts",
  outputDir: "./test-results/real-tenant",
  // Entra's pages and a person's-speed MFA prompt over the internet are slower than the emulator.
  timeout: 120_000,
  expect: { timeout: 20_000 },
  workers: 1,
  retries: 0,
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report/real-tenant" }]],
  use: {
    baseURL: settings.portalOrigin,
    browserName: "chromium",
    headless: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      ...(chromiumPath ? { executablePath: chromiumPath } : {}),
      args: ["--disable-gpu", "--no-first-run", "--disable-sync"],
    },
  },
  projects: [{ name: "real-tenant" }],
  webServer: {
    name: "portal (real tenant)",
    command: `node --import tsx scripts/e2e-portal.ts ${settings.portalPort}`,
    cwd: ROOT,
    env: settings.portalEnv,
    url: `${settings.portalOrigin}/api/auth/providers`,
    reuseExistingServer: false,
    timeout: 120_000,
  },
});
