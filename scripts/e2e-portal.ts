/**
 * Starts the built portal for an end-to-end run: prepares a fresh e2e database (unless
 * --no-migrate), then `next start` on the given port. Playwright's webServer runs this with
 * the run's environment (ports, DATABASE_URL, NODE_EXTRA_CA_CERTS).
 */
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./lib/stack-env";
import { mustRun } from "./lib/processes";

const port = process.argv[2];
const migrate = !process.argv.includes("--no-migrate");
if (!port) throw new Error("usage: e2e-portal.ts <port> [--no-migrate]");

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

await mustRun(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "--hostname", "localhost", "--port", port], { cwd: ROOT });
