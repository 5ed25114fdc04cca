import "server-only";
import { prisma } from "@/lib/db";
import type { DirectoryUser } from "@/lib/data/types";

/**
 * The portal user for an Entra identity, or null. This is the one lib/data read
 * without an acting user: it runs during sign-in, before there is one, so the
 * auth layer can link a first sign-in to a seeded user with the same
 * (tenantId, objectId) instead of creating a duplicate. Users are never looked up
 * by email or UPN (mutable, and spoofable across tenants: the "nOAuth" takeover).
 */
export async function getUserByDirectoryId(tenantId: string, objectId: string): Promise<DirectoryUser | null> {
  return prisma.user.findUnique({
    where: { tenantId_objectId: { tenantId, objectId } },
    select: { id: true, tenantId: true, objectId: true, name: true, userPrincipalName: true },
  });
}
