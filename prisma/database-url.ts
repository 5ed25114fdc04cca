/**
 * Which database a DATABASE_URL points at, and where that provider's schema and
 * migrations live. Shared by prisma.config.ts, lib/db.ts, the seed and the
 * scripts in scripts/db, so it must not import "server-only" or any driver.
 */
import { existsSync } from "node:fs";
import path from "node:path";

/** The embedded default: a SQLite file under the git-ignored `.data/`. */
export const DEFAULT_DATABASE_URL = "file:./.data/portal.db";

/** The two supported providers, spelled as in a Prisma `datasource` block. */
export type DatabaseProvider = "sqlite" | "postgresql";

/** Schema file and migrations folder for one provider, relative to the repo root. */
export interface ProviderLayout {
  schema: string;
  migrations: string;
}

/**
 * prisma/schema.prisma (SQLite) is the source; the PostgreSQL twin is generated
 * from it and has its own migrations, because migration SQL is dialect-specific.
 */
export const PROVIDER_LAYOUT: Readonly<Record<DatabaseProvider, ProviderLayout>> = {
  sqlite: { schema: "prisma/schema.prisma", migrations: "prisma/migrations" },
  postgresql: { schema: "prisma/postgres/schema.prisma", migrations: "prisma/postgres/migrations" },
};

/** Thrown for a DATABASE_URL this project cannot use. */
export class UnsupportedDatabaseUrlError extends Error {
  constructor(url: string) {
    // Only the scheme: the rest may hold a password.
    super(`Unsupported DATABASE_URL scheme "${url.split(":")[0]}:" (use file:, postgres:// or postgresql://)`);
    this.name = "UnsupportedDatabaseUrlError";
  }
}

/** `file:` selects SQLite; `postgres://` and `postgresql://` select PostgreSQL. */
export function providerOf(url: string): DatabaseProvider {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new UnsupportedDatabaseUrlError(url);
}

/**
 * Absolute path of the SQLite file named by a `file:` URL. Relative paths are
 * resolved against the working directory (the repo root for npm scripts and Next),
 * which is what better-sqlite3 would do, made explicit so callers can mkdir it.
 */
export function sqliteFilePath(url: string, cwd: string = process.cwd()): string {
  const file = url.slice("file:".length).replace(/^\/\/(?=\/)/, "").split("?")[0] ?? "";
  if (file === "" || file === ":memory:") return ":memory:";
  return path.resolve(cwd, file);
}

/**
 * Loads `<cwd>/.env` into process.env if the file exists, without overriding
 * variables that are already set. Prisma 7 no longer does this, and Next.js does
 * it only for the app, so the CLI config and the scripts call this themselves.
 */
export function loadDotEnv(cwd: string = process.cwd()): void {
  const file = path.join(cwd, ".env");
  if (existsSync(file)) process.loadEnvFile(file);
}

/** DATABASE_URL from the environment, or the embedded default. */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim();
  return url ? url : DEFAULT_DATABASE_URL;
}
