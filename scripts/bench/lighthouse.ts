/**
 * `npm run bench:lighthouse [-- --webpack] [-- --reuse-build]`: Lighthouse's performance score for
 * the signed-in dashboard and the transfer page, against `next start` on PostgreSQL with the
 * emulator (scripts/bench/lib/stack.ts), in Debian's Chromium with the flags the end-to-end
 * tests use. The session is a database session made for the run, sent as its cookie through
 * Lighthouse's `extraHeaders`. Lighthouse's defaults: mobile, simulated throttling. Prints the
 * score and the metrics behind it per page; exits non-zero below the target (95).
 */
import { existsSync } from "node:fs";
import os from "node:os";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { startBenchStack } from "./lib/stack";

const argv = process.argv.slice(2);
const TARGET = 95;
const chromePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromePath)) throw new Error(`Chromium not found at ${chromePath} (apt-get install chromium, or set CHROMIUM_PATH)`);

const stack = await startBenchStack({ build: !argv.includes("--reuse-build"), webpack: argv.includes("--webpack"), baseline: false });
let chrome: chromeLauncher.LaunchedChrome | undefined;
try {
  const persona = await stack.createPersona();
  const session = await stack.createSession(persona);
  chrome = await chromeLauncher.launch({
    chromePath,
    chromeFlags: [
      "--headless=new",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      ...(os.userInfo().uid === 0 ? ["--no-sandbox"] : []),
    ],
  });
  console.log(`\nLighthouse ${(await import("lighthouse/package.json", { with: { type: "json" } })).default.version}, ${chromePath}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const problems: string[] = [];
  for (const [name, pathname] of [
    ["dashboard", "/dashboard"],
    ["transfer", "/transfer"],
  ] as const) {
    const result = await lighthouse(`${stack.portalOrigin}${pathname}`, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance"],
      extraHeaders: { Cookie: session.cookie },
    });
    const lhr = result?.lhr;
    if (!lhr) throw new Error(`Lighthouse returned nothing for ${pathname}`);
    if (lhr.finalDisplayedUrl !== `${stack.portalOrigin}${pathname}`) throw new Error(`${pathname} ended at ${lhr.finalDisplayedUrl}: the session was not accepted`);
    const score = Math.round((lhr.categories.performance?.score ?? 0) * 100);
    const metric = (id: string) => lhr.audits[id]?.displayValue ?? "n/a";
    console.log(
      `${name.padEnd(10)} performance ${String(score).padStart(3)}   FCP ${metric("first-contentful-paint")}   LCP ${metric("largest-contentful-paint")}   TBT ${metric("total-blocking-time")}   CLS ${metric("cumulative-layout-shift")}   SI ${metric("speed-index")}`,
    );
    if (score < TARGET) problems.push(`${name}: performance ${score} < ${TARGET}`);
  }
  console.log(problems.length ? `\nTargets missed:\n- ${problems.join("\n- ")}` : `\nBoth pages score ${TARGET} or more.`);
  process.exitCode = problems.length ? 1 : 0;
} finally {
  chrome?.kill();
  await stack.stop();
}
