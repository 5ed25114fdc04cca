/**
 * Prisma CLI configuration. The provider follows DATABASE_URL (file: → SQLite,
 * postgres[ql]:// → PostgreSQL); each provider has its own schema file and
 * migrations folder (see prisma/database-url.ts and docs/database.md).
 */
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PROVIDER_LAYOUT, databaseUrlFromEnv, loadDotEnv, providerOf } from "./prisma/database-url";

loadDotEnv();

// The native schema engine cannot be downloaded here (binaries.prisma.sh is
// unreachable), and without a binary `prisma generate` tries and dies. The stub
// exits 1 with a pointer to the Wasm-engine scripts. `??=` keeps a real binary
// configured by whoever has one.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("scripts/db/no-native-schema-engine.sh");

const url = databaseUrlFromEnv();
const layout = PROVIDER_LAYOUT[providerOf(url)];

export default defineConfig({
  schema: layout.schema,
  migrations: {
    path: layout.migrations,
    seed: "tsx prisma/seed.ts",
  },
  datasource: { url },
});
