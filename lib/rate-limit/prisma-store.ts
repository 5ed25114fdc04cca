import "server-only";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { Prisma } from "@/lib/generated/prisma/client";
import type { CounterStore } from "@/lib/rate-limit/limiter";

/**
 * Counters in the RateLimitCounter table, shared by every instance on the same database (SQLite
 * or PostgreSQL). One hit is one upsert on the primary key, which Prisma runs as the database's
 * native `INSERT ... ON CONFLICT DO UPDATE SET count = count + 1` (its where names only the
 * unique key, with the same value as the create): atomic on both providers, so concurrent hits
 * each see their own count.
 */
export class PrismaCounterStore implements CounterStore {
  constructor(private readonly db: Pick<PrismaClient, "rateLimitCounter">) {}

  async increment(key: string, expiresAt: Date): Promise<number> {
    try {
      return await this.upsert(key, expiresAt);
    } catch (error) {
      // Should Prisma ever emulate the upsert (select, then insert), two first hits could race to
      // insert; the loser's key now exists, so counting again is an update.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return this.upsert(key, expiresAt);
      throw error;
    }
  }

  async purge(now: Date): Promise<void> {
    await this.db.rateLimitCounter.deleteMany({ where: { expiresAt: { lt: now } } });
  }

  private async upsert(key: string, expiresAt: Date): Promise<number> {
    const row = await this.db.rateLimitCounter.upsert({
      where: { key },
      create: { key, count: 1, expiresAt },
      update: { count: { increment: 1 } },
      select: { count: true },
    });
    return row.count;
  }
}
