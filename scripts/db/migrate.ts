/**
 * `npm run db:migrate | db:deploy | db:status | db:reset`: Prisma migrations run
 * by the Wasm schema engine (see scripts/db/internal/wasm-engine.ts for why).
 *
 *   tsx scripts/db/migrate.ts dev --name <name>   create a migration from the schema and apply it
 *   tsx scripts/db/migrate.ts deploy              apply pending migrations
 *   tsx scripts/db/migrate.ts status              exit 1 unless the database is up to date
 *   tsx scripts/db/migrate.ts reset               drop everything, re-apply all migrations
 *
 * DATABASE_URL (env or .env) picks the provider, schema and migrations folder,
 * exactly as prisma.config.ts does.
 */
import { databaseUrlFromEnv, loadDotEnv } from "../../prisma/database-url";
import { deploy, dev, reset, status, providerOfTarget, type MigrateTarget } from "./internal/commands";

function formatList(names: string[]): string {
  return names.length === 0 ? "(none)" : names.join(", ");
}

function optionValue(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}

async function run(command: string | undefined, args: string[], target: MigrateTarget): Promise<number> {
  const provider = providerOfTarget(target);
  switch (command) {
    case "dev": {
      const name = optionValue(args, "--name");
      if (!name || !/^[A-Za-z0-9_]+$/.test(name)) {
        console.error("Usage: npm run db:migrate -- --name <snake_case_name>");
        return 2;
      }
      const result = await dev(target, name);
      console.log(result.created ? `Created ${result.created}` : "No schema change: no migration created.");
      console.log(`Applied (${provider}): ${formatList(result.applied)}`);
      return 0;
    }
    case "deploy": {
      console.log(`Applied (${provider}): ${formatList(await deploy(target))}`);
      return 0;
    }
    case "status": {
      const result = await status(target);
      if (result.upToDate) {
        console.log(`Database schema is up to date (${provider}, ${result.migrationCount} migrations).`);
        return 0;
      }
      console.error(`Database schema is NOT up to date (${provider}):`);
      console.error(JSON.stringify(result.diagnostic, null, 2));
      return 1;
    }
    case "reset": {
      console.log(`Reset (${provider}); applied: ${formatList(await reset(target))}`);
      return 0;
    }
    default:
      console.error("Usage: tsx scripts/db/migrate.ts dev --name <name> | deploy | status | reset");
      return 2;
  }
}

loadDotEnv();
const [command, ...args] = process.argv.slice(2);
run(command, args, { url: databaseUrlFromEnv(), root: process.cwd() }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
