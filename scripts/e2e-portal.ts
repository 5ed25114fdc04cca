/**
 * Starts the built portal for an end-to-end run: prepares a fresh e2e database (unless
 * --no-migrate), then `next start` on the given port. Playwright's webServer runs this with
 * the run's environment (ports, DATABASE_URL, NODE_EXTRA_CA_CERTS).
 *
 * `--log <file>`: also copies everything the portal prints (stdout and stderr) to `file`, for the
 * security suite's scan of the server's output for secrets (e2e/security/log-scan.spec.ts).
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./lib/stack-env";
import { mustRun } from "./lib/processes";

const port = process.argv[2];
const migrate = !process.argv.includes("--no-migrate");
const logIndex = process.argv.indexOf("--log");
const logFile = logIndex >= 0 ? process.argv[logIndex + 1] : undefined;
if (!port || (logIndex >= 0 && !logFile)) throw new Error("usage: e2e-portal.ts <port> [--no-migrate] [--log <file>]");

if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
  console.error("The portal is not built: run `npm run build` first (npm test does it for you).");
  process.exit(1);
}

if (migrate) {
  const url = process.env.DATABASE_URL ?? "";
  if (url.startsWith("file:")) {
    const file = path.resolve(ROOT, url.slice("file:".length));
    for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(file + suffix, { force: true });
  }
  await mustRun(process.execPath, ["--import", "tsx", "scripts/db/migrate.ts", "deploy"], { cwd: ROOT });
}

const next = path.join(ROOT, "node_modules", ".bin", "next");
const nextArgs = ["start", "--hostname", "localhost", "--port", port];
if (!logFile) {
  await mustRun(next, nextArgs, { cwd: ROOT });
} else {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: "w" });
  const child = spawn(next, nextArgs, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (chunk: Buffer) => (process.stdout.write(chunk), log.write(chunk)));
  child.stderr.on("data", (chunk: Buffer) => (process.stderr.write(chunk), log.write(chunk)));
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  const code = await new Promise<number>((resolve) => child.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 0 : 1))));
  log.end();
  process.exit(code);
}
