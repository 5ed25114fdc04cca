/**
 * One portal instance of the multi-instance run (playwright.scale.config.ts), under a minimal
 * supervisor, as a process manager (systemd, Kubernetes) would run it in production:
 *   node --import tsx scripts/scale/instance.ts <name> <port> [--migrate]
 * `next start` on 127.0.0.1:<port> with PORTAL_INSTANCE_ID=<name>; its process id goes to
 * `<E2E_RUN_DIR>/instance-<name>.pid` so a test can kill it mid-load (SIGKILL, no clean
 * shutdown); when it dies without being asked to, it is started again. SIGTERM stops both.
 * `--migrate` applies the migrations to the shared database first (one instance does it).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../lib/stack-env";
import { mustRun, startProcess, type ManagedProcess } from "../lib/processes";

const [name, port] = process.argv.slice(2);
if (!name || !/^[a-z0-9-]+$/.test(name) || !port || !/^\d+$/.test(port)) throw new Error("usage: instance.ts <name> <port> [--migrate]");
const runDir = process.env.E2E_RUN_DIR;
if (!runDir) throw new Error("E2E_RUN_DIR must name the run's folder (playwright.scale.config.ts sets it)");
mkdirSync(runDir, { recursive: true });
const pidFile = path.join(runDir, `instance-${name}.pid`);

if (process.argv.includes("--migrate")) {
  await mustRun(process.execPath, ["--import", "tsx", "scripts/db/migrate.ts", "deploy"], { cwd: ROOT });
}

let current: ManagedProcess | undefined;
let stopping = false;

function start(): void {
  const child = startProcess(`instance ${name}`, path.join(ROOT, "node_modules", ".bin", "next"), ["start", "--hostname", "127.0.0.1", "--port", port!], {
    cwd: ROOT,
    env: { ...process.env, PORTAL_INSTANCE_ID: name },
  });
  current = child;
  writeFileSync(pidFile, String(child.child.pid));
  void child.exited.then((code) => {
    if (stopping) return;
    console.log(`[supervisor ${name}] next start exited (${code}); starting it again`);
    start();
  });
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    stopping = true;
    void (current?.stop() ?? Promise.resolve()).finally(() => {
      rmSync(pidFile, { force: true });
      process.exit(0);
    });
  });
}

start();
