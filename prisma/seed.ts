/**
 * `npm run db:seed` (also `prisma db seed`, via prisma.config.ts): seeds every user
 * of the emulator's directory with demo accounts and a year of history
 * (prisma/seed-data.ts). Idempotent: users who already have accounts are left as
 * they are, so running it twice changes nothing.
 */
import { PrismaClient } from "../lib/generated/prisma/client";
import { createAdapterFactory } from "./adapter";
import { databaseUrlFromEnv, loadDotEnv } from "./database-url";
import { readDirectory, tenantIdFromEnv } from "./directory";
import { seedPersona } from "./seed-data";

async function main(): Promise<void> {
  loadDotEnv();
  const tenantId = tenantIdFromEnv();
  const prisma = new PrismaClient({ adapter: createAdapterFactory(databaseUrlFromEnv()) });
  try {
    for (const identity of await readDirectory(tenantId)) {
      const started = performance.now();
      const result = await seedPersona(prisma, identity);
      const ms = Math.round(performance.now() - started);
      console.log(
        `${result.created ? "seeded " : "exists "} ${identity.userPrincipalName.padEnd(26)} ${identity.persona ?? ""}`.padEnd(60) +
          `${result.accountIds.length} accounts (${ms} ms)`,
      );
    }
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
