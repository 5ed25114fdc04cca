import path from "node:path";
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";
import { e2eSettings } from "./e2e/support/settings";

/**
 * The hostile suite (`npm run test:security`, part of `npm test`): attacks on the running portal
 * as an outsider would make them, each asserting the safe outcome and that the database did not
 * change (e2e/security/). Same browser, emulator and built portal as the end-to-end run, with
 * the portal's output copied to a file that the last project scans for secrets.
 */
const settings = e2eSettings();

/** Everything the portal prints during the suite (scripts/e2e-portal.ts --log). */
export const PORTAL_LOG_FILE = path.join(settings.runDir, "portal-security.log");
process.env.E2E_PORTAL_LOG_FILE = PORTAL_LOG_FILE;

type WebServer = Extract<NonNullable<typeof base.webServer>, unknown[]>[number];
const servers = base.webServer;
if (!Array.isArray(servers) || servers.length < 2) throw new Error("playwright.config.ts must start the emulator and the portal, in that order");
const [emulator, portal] = servers as [WebServer, WebServer];

export default defineConfig({
  ...base,
  testDir: "./e2e/security",
  testIgnore: [],
  outputDir: "./test-results/security",
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report/security" }]],
  projects: [
    { name: "attacks", testIgnore: /log-scan\.spec\.ts/ },
    // Runs once every attack has run: the log then holds everything they made the portal print.
    { name: "log-scan", testMatch: /log-scan\.spec\.ts/, dependencies: ["attacks"] },
  ],
  // No second portal with a dead identity provider: no attack here needs it.
  webServer: [emulator, { ...portal, command: `${portal.command} --log ${JSON.stringify(PORTAL_LOG_FILE)}` }],
});
