/**
 * The PostgreSQL twin of the schema: prisma/postgres/schema.prisma, generated from
 * prisma/schema.prisma (the one source of truth for the model).
 *
 * Why a twin: a Prisma schema's provider is a literal (no env()), the generated
 * client is tied to it, and migration SQL is dialect-specific, so PostgreSQL gets
 * its own schema file and migrations folder. Only the lines in REWRITES differ.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PROVIDER_LAYOUT } from "../../../prisma/database-url";

const HEADER =
  "// GENERATED from prisma/schema.prisma by scripts/db/sync-pg-schema.ts. Do not edit:\n" +
  "// change prisma/schema.prisma and run `npm run db:sync-pg`.\n\n";

/** Each rewrite must match exactly once, so a reworded source fails loudly instead of yielding a wrong twin. */
const REWRITES: ReadonlyArray<{ what: string; from: RegExp; to: string }> = [
  { what: "datasource provider", from: /(datasource\s+db\s*\{[^}]*?provider\s*=\s*)"sqlite"/, to: '$1"postgresql"' },
  // The twin sits one folder deeper, but generates the same client location.
  { what: "generator output", from: /(output\s*=\s*)"\.\.\/lib\/generated\/prisma"/, to: '$1"../../lib/generated/prisma"' },
];

/** The PostgreSQL twin's content for a given SQLite schema. */
export function renderPostgresSchema(sqliteSchema: string): string {
  let out = sqliteSchema;
  for (const rewrite of REWRITES) {
    const matches = out.match(new RegExp(rewrite.from.source, "g"))?.length ?? 0;
    if (matches !== 1) {
      throw new Error(`prisma/schema.prisma: expected one ${rewrite.what}, found ${matches}`);
    }
    out = out.replace(rewrite.from, rewrite.to);
  }
  return HEADER + out;
}

/** Result of a sync or check, relative to `root`. */
export interface SyncResult {
  target: string;
  upToDate: boolean;
}

/** Compares (check) or writes (sync) the twin under `root`. */
export function syncPostgresSchema(root: string, mode: "write" | "check"): SyncResult {
  const source = path.join(root, PROVIDER_LAYOUT.sqlite.schema);
  const target = path.join(root, PROVIDER_LAYOUT.postgresql.schema);
  const expected = renderPostgresSchema(readFileSync(source, "utf8"));
  const current = existsSync(target) ? readFileSync(target, "utf8") : null;
  const upToDate = current === expected;
  if (mode === "write" && !upToDate) {
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, expected);
  }
  return { target: path.relative(root, target), upToDate };
}

