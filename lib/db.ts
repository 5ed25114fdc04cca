import "server-only";
import { env } from "@/lib/env";
import { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { createAdapterFactory } from "@/prisma/adapter";
import { providerOf } from "@/prisma/database-url";

/**
 * Thrown when DATABASE_URL selects a provider the generated client was not built
 * for. The generated client is tied to one provider (the schema's `provider` is a
 * literal): switching databases is configuration plus `npm run db:generate` and a
 * rebuild (docs/database.md).
 */
export class DatabaseProviderMismatchError extends Error {
  constructor(urlProvider: string, options?: { cause?: unknown }) {
    super(
      `DATABASE_URL selects ${urlProvider}, but lib/generated/prisma was generated for another provider. ` +
        "Run `npm run db:generate` with this DATABASE_URL, then rebuild (see docs/database.md).",
      options,
    );
    this.name = "DatabaseProviderMismatchError";
  }
}

function createPrismaClient(url: string): PrismaClient {
  try {
    return new PrismaClient({
      adapter: createAdapterFactory(url),
      log: env.NODE_ENV === "development" ? ["warn", "error"] : ["error"],
    });
  } catch (error) {
    // The client checks its adapter's provider against its own at construction;
    // its message names neither the variable nor the fix, so translate it.
    if (error instanceof Prisma.PrismaClientInitializationError && /not compatible with the provider/.test(error.message)) {
      throw new DatabaseProviderMismatchError(providerOf(url), { cause: error });
    }
    throw error;
  }
}

const cache = globalThis as typeof globalThis & { __woodgrovePrisma?: PrismaClient };

/**
 * The portal's one PrismaClient. Only lib/data and lib/auth use it. In development
 * it is kept on globalThis, because hot reloads re-evaluate this module and would
 * otherwise open a new connection (pool) on every edit.
 */
export const prisma: PrismaClient = cache.__woodgrovePrisma ?? createPrismaClient(env.DATABASE_URL);

if (env.NODE_ENV !== "production") cache.__woodgrovePrisma = prisma;
