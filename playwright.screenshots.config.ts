import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

/**
 * `npm run screenshots`: regenerates docs/screenshots/*.png (used by the README) from the real
 * portal and emulator, with the same servers and fixtures as the end-to-end suite.
 */
export default defineConfig({
  ...base,
  testDir: "./e2e/screenshots",
  testIgnore: [],
  retries: 0,
  workers: 1,
  reporter: [["list"]],
  use: { ...base.use, viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
});
