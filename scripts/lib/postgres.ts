import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./processes";

/** A throwaway PostgreSQL cluster on a loopback port. */
export interface PrivateCluster {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The newest Debian PostgreSQL server bin directory, or null when no server is installed. */
export function findPostgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], "bin") : null;
}

/**
 * initdb + pg_ctl start on a free loopback port in a temporary folder, trust auth, durability
 * off (test data only). PostgreSQL refuses to run as root, so as root it runs as `postgres`.
 */
export async function startPostgres(binDir: string, database: string): Promise<PrivateCluster> {
  const port = await freePort();
  const work = mkdtempSync(path.join(tmpdir(), "woodgrove-pg-"));
  const dataDir = path.join(work, "data");
  const asRoot = process.getuid?.() === 0;
  const runAs = (cmd: string, args: string[]) =>
    asRoot ? execFileSync("runuser", ["-u", "postgres", "--", cmd, ...args], { stdio: "pipe" }) : execFileSync(cmd, args, { stdio: "pipe" });
  if (asRoot) {
    chmodSync(work, 0o711);
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(work, uid, gid);
  }
  runAs(path.join(binDir, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  runAs(path.join(binDir, "pg_ctl"), [
    "-D", dataDir, "-l", path.join(work, "log"), "-w", "-o",
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${work} -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200`,
    "start",
  ]);
  execFileSync("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-qc", `CREATE DATABASE ${database}`], { stdio: "pipe" });
  return {
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async stop() {
      try {
        runAs(path.join(binDir, "pg_ctl"), ["-D", dataDir, "-m", "fast", "stop"]);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
}
