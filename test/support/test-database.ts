/**
 * The database a unit test runs on. By default a SQLite file in the test's temp folder. When
 * `TEST_POSTGRES_URL` names a PostgreSQL server (npm test sets it to its private cluster for the
 * PostgreSQL pass, with the client generated for PostgreSQL), a fresh database on that server
 * instead, so the same test proves the same guarantee where transactions really run in parallel.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";

/** `file:<dir>/<name>.db`, or a new, empty PostgreSQL database's URL. */
export async function createTestDatabaseUrl(dir: string, name = "t"): Promise<string> {
  const server = process.env.TEST_POSTGRES_URL;
  if (!server) return `file:${path.join(dir, `${name}.db`)}`;
  const database = `unit_${name.replace(/[^a-z0-9]/gi, "").toLowerCase()}_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

/** "SQLite" or "PostgreSQL": for test names and messages. */
export function testDatabaseKind(): "SQLite" | "PostgreSQL" {
  return process.env.TEST_POSTGRES_URL ? "PostgreSQL" : "SQLite";
}
