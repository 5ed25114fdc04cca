import { existsSync } from "node:fs";

/**
 * Which Chromium the Playwright configs launch. Playwright's own headless runs use its
 * "headless shell", a build without the desktop browser's UI, and only a headed run uses the full
 * browser. Where Playwright cannot download its browsers (a machine without internet), Debian
 * packages the same two builds: `chromium-headless-shell` and `chromium`. The full browser in
 * headless mode still starts its UI's renderers for every context; on a 2-core machine the shell
 * runs the suite in about two thirds of the time.
 *
 * `CHROMIUM_PATH` overrides the choice; with neither Debian package present, Playwright's own
 * browsers are used (`npx playwright install chromium`).
 */
export function chromiumExecutable(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const headed = process.argv.includes("--headed") || process.argv.includes("--ui") || !!process.env.PWDEBUG;
  const candidates = headed ? ["/usr/bin/chromium"] : ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"];
  return candidates.find((candidate) => existsSync(candidate));
}
