/**
 * The emulator's user directory (emulator/directory.json; docs/contracts.md) as
 * seed identities, and the tenant they live in. Read by prisma/seed.ts and tests.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { PersonaIdentity } from "./seed-data";

/** The emulator's default tenant (docs/contracts.md). */
const DEFAULT_TENANT_ID = "60aa9999-b070-45a9-b57a-58ec086ab606";

const directorySchema = z.object({
  users: z.array(
    z.object({
      oid: z.uuid(),
      userPrincipalName: z.string().min(1),
      displayName: z.string().min(1),
      persona: z.string().optional(),
    }),
  ),
});

/**
 * The tenant the directory's users live in, from the settings the portal and the
 * emulator read: the GUID in AUTH_MICROSOFT_ENTRA_ID_ISSUER
 * (https://localhost:8443/<tid>/v2.0) when set, else EMULATOR_TENANT_ID, else the
 * emulator's default. Seeded users then match the tokens the portal receives.
 */
export function tenantIdFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const issuer = env.AUTH_MICROSOFT_ENTRA_ID_ISSUER?.trim();
  if (issuer) {
    const tid = /^https?:\/\/[^/]+\/([0-9a-f-]{36})\/v2\.0\/?$/i.exec(issuer)?.[1];
    if (!tid) throw new Error(`AUTH_MICROSOFT_ENTRA_ID_ISSUER must look like https://<host>/<tenant-id>/v2.0`);
    return tid.toLowerCase();
  }
  return (env.EMULATOR_TENANT_ID?.trim() || DEFAULT_TENANT_ID).toLowerCase();
}

/** The directory's users as seed identities. */
export async function readDirectory(tenantId: string, file = path.resolve("emulator/directory.json")): Promise<PersonaIdentity[]> {
  const directory = directorySchema.parse(JSON.parse(await readFile(file, "utf8")));
  return directory.users.map((u) => ({
    tenantId,
    objectId: u.oid.toLowerCase(),
    displayName: u.displayName,
    userPrincipalName: u.userPrincipalName,
    persona: u.persona,
  }));
}
