/**
 * `npm run db:sync-pg`: writes prisma/postgres/schema.prisma from
 * prisma/schema.prisma (see scripts/db/internal/pg-twin.ts).
 * `--check` writes nothing and exits 1 when the committed twin is stale (CI, and
 * part of `npm run db:check`). `--root <dir>` runs against another checkout.
 */
import path from "node:path";
import { syncPostgresSchema } from "./internal/pg-twin";

function main(argv: string[]): number {
  const rootIndex = argv.indexOf("--root");
  const root = path.resolve(rootIndex >= 0 ? (argv[rootIndex + 1] ?? ".") : ".");
  const check = argv.includes("--check");
  const result = syncPostgresSchema(root, check ? "check" : "write");
  if (check && !result.upToDate) {
    console.error(`${result.target} is stale: run \`npm run db:sync-pg\` (then \`npm run db:migrate\` against PostgreSQL).`);
    return 1;
  }
  console.log(check ? `${result.target} is up to date.` : `${result.target} ${result.upToDate ? "was already up to date" : "written"}.`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
