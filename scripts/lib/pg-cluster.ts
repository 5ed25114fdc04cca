/**
 * A throwaway PostgreSQL cluster for checks and tests: Debian's server binaries
 * (/usr/lib/postgresql/<v>/bin), a private data folder in a temp dir, a free
 * loopback port, trust auth. PostgreSQL refuses to run as root, so as root the
 * server runs as the `postgres` user through `runuser` (like CI's ci-run.sh).
 */
import { execFile } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "./processes";

const run = promisify(execFile);

/** The newest installed server's bin folder, or null when PostgreSQL is not installed. */
export function findPostgresBin(): string | null {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], "bin") : null;
}

/** A running cluster. Always call stop(), even when the work failed. */
export interface TempPostgres {
  /** postgresql:// URL of the `postgres` database (use createDatabase for your own). */
  adminUrl: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** uid/gid of the `postgres` system user, who owns the cluster when we run as root. */
function postgresUserIds(): { uid: number; gid: number } {
  const passwd = readFileSync("/etc/passwd", "utf8");
  const line = passwd.split("\n").find((l) => l.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (!uid || !gid) throw new Error("Running as root, but there is no `postgres` user to run the server as.");
  return { uid: Number(uid), gid: Number(gid) };
}

/** Starts a private cluster; throws when PostgreSQL is not installed. */
export async function startTempPostgres(): Promise<TempPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin");
  const work = mkdtempSync(path.join(tmpdir(), "woodgrove-pg-"));
  const data = path.join(work, "data");
  const asRoot = userInfo().uid === 0;
  const prefix = asRoot ? ["runuser", "-u", "postgres", "--"] : [];
  if (asRoot) {
    const { uid, gid } = postgresUserIds();
    chmodSync(work, 0o711);
    chownSync(work, uid, gid);
  }
  const exec = (file: string, args: string[]) => {
    const [cmd, ...rest] = [...prefix, path.join(bin, file), ...args];
    return run(cmd as string, rest);
  };
  const port = await freePort();
  await exec("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  await exec("pg_ctl", [
    "-D", data, "-l", path.join(work, "server.log"), "-w",
    "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${work} -c fsync=off -c full_page_writes=off -c synchronous_commit=off`,
    "start",
  ]);
  const urlFor = (db: string) => `postgresql://postgres@127.0.0.1:${port}/${db}`;
  const adminUrl = urlFor("postgres");
  return {
    adminUrl,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return urlFor(name);
    },
    async stop() {
      try {
        await exec("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
}
