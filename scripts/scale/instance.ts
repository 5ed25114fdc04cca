/**
 * One portal instance of the multi-instance run (playwright.scale.config.ts), under a minimal
 * supervisor, as a process manager (systemd, Kubernetes) would run it in production:
 *   node --import tsx scripts/scale/instance.ts <name> <port> [--migrate]
 * `next start` on 127.0.0.1:<port> with PORTAL_INSTANCE_ID=<name>; its process id goes to
 * `<E2E_RUN_DIR>/instance-<name>.pid` so a test can kill it mid-load (SIGKILL, no clean
 * shutdown); when it dies any other way than a clean stop, it is started again. `next start` stays
 * in this process's group, so whoever stops the group (Playwright does) stops it too.
 * `--migrate` applies the migrations to the shared database first (one instance does it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../lib/stack-env";
import { mustRun } from "../lib/processes";

const [name, port] = process.argv.slice(2);
if (!name || !/^[a-z0-9-]+$/.test(name) || !port || !/^\d+$/.test(port)) throw new Error("usage: instance.ts <name> <port> [--migrate]");
const runDir = process.env.E2E_RUN_DIR;
if (!runDir) throw new Error("E2E_RUN_DIR must name the run's folder (playwright.scale.config.ts sets it)");
mkdirSync(runDir, { recursive: true });
const pidFile = path.join(runDir, `instance-${name}.pid`);

if (process.argv.includes("--migrate")) {
  await mustRun(process.execPath, ["--import", "tsx", "scripts/db/migrate.ts", "deploy"], { cwd: ROOT });
}

let current: ChildProcess | undefined;
let stopping = false;

function start(): void {
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "--hostname", "127.0.0.1", "--port", port!], {
    cwd: ROOT,
    env: { ...process.env, PORTAL_INSTANCE_ID: name },
    stdio: "inherit",
  });
  current = child;
  writeFileSync(pidFile, String(child.pid));
  child.on("exit", (code, signal) => {
    // SIGTERM (ours, or the whole group's) ends it cleanly: a stop. Anything else is a crash.
    if (stopping || signal === "SIGTERM" || code === 0) {
      rmSync(pidFile, { force: true });
      process.exit(0);
    }
    console.log(`[supervisor ${name}] next start ended (${signal ?? code}); starting it again`);
    start();
  });
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    stopping = true;
    if (!current || current.exitCode !== null || current.signalCode !== null) process.exit(0);
    current.kill("SIGTERM");
  });
}

start();
