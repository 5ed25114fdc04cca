import { existsSync } from "node:fs";
import path from "node:path";
import { mustRun } from "./processes";
import { ROOT } from "./stack-env";

/** The generated Prisma client (prisma/schema.prisma `output`): `next build` bundles it, git does not track it. */
export const PRISMA_CLIENT = path.join(ROOT, "lib", "generated", "prisma", "client.ts");

/**
 * Generates the Prisma client when there is none, for the database `env` names (its provider):
 * a fresh clone has none after `npm ci`, which does not run Prisma's install script (package.json
 * `allowScripts`). An existing client is left alone, whichever provider it was generated for.
 */
export async function ensurePrismaClient(env: Record<string, string | undefined>): Promise<void> {
  if (existsSync(PRISMA_CLIENT)) return;
  console.log("=== prisma generate (no generated client yet)");
  await mustRun(path.join(ROOT, "node_modules", ".bin", "prisma"), ["generate"], { cwd: ROOT, env: { ...process.env, ...env }, stdio: "ignore" });
}
