/**
 * Fixed-window rate limiting over a swappable counter store. Pure (no env, no database): the
 * portal's store is the database (lib/rate-limit/prisma-store.ts), tests use the memory store.
 *
 * A rule allows `limit` hits per subject in each window of `windowSeconds`, windows aligned to
 * the epoch so every instance agrees where one ends. A fixed window lets a client spend up to
 * twice the limit across a window boundary; for abuse limits that is fine, and it buys a single
 * atomic write per hit, which is what makes the limit hold across instances.
 */

/** Counts hits of a key; the count must be atomic across every instance sharing the store. */
export interface CounterStore {
  /** Adds one to `key` (creating it at 1) and returns the new count. `expiresAt`: when the key may be forgotten. */
  increment(key: string, expiresAt: Date): Promise<number>;
  /** Forgets keys that expired before `now`. */
  purge(now: Date): Promise<void>;
}

/** One limit: a name (part of the key, and of logs) and how many hits per window. */
export interface RateLimitRule {
  name: string;
  limit: number;
  windowSeconds: number;
}

/** The decision for one hit. */
export type RateLimitDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

/** Checks hits against rules; one instance per process, over a shared store. */
export class RateLimiter {
  constructor(
    private readonly store: CounterStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Counts one hit of `subject` (a user id, a client address) against `rule`. A hit that is
   * refused still counts: a client that keeps knocking stays refused until it stops.
   */
  async hit(rule: RateLimitRule, subject: string): Promise<RateLimitDecision> {
    const now = this.clock();
    const windowMs = rule.windowSeconds * 1000;
    const index = Math.floor(now.getTime() / windowMs);
    const windowEnd = new Date((index + 1) * windowMs);
    const count = await this.store.increment(`${rule.name}:${subject}:${index}`, windowEnd);
    // The first hit of a window is a cheap moment to clear old windows away.
    if (count === 1) await this.store.purge(now).catch(() => undefined);
    if (count <= rule.limit) return { allowed: true, remaining: rule.limit - count };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((windowEnd.getTime() - now.getTime()) / 1000)) };
  }

  /** Counts one hit against each rule (all of them, so every counter sees it); refused if any refuses. */
  async hitAll(hits: Array<[RateLimitRule, string]>): Promise<RateLimitDecision> {
    const decisions = await Promise.all(hits.map(([rule, subject]) => this.hit(rule, subject)));
    const refused = decisions.filter((d): d is Extract<RateLimitDecision, { allowed: false }> => !d.allowed);
    if (refused.length > 0) return { allowed: false, retryAfterSeconds: Math.max(...refused.map((d) => d.retryAfterSeconds)) };
    return { allowed: true, remaining: Math.min(...decisions.map((d) => (d.allowed ? d.remaining : 0))) };
  }
}

/** A store in this process's memory: for tests, and for nothing that runs as several instances. */
export class MemoryCounterStore implements CounterStore {
  private readonly counters = new Map<string, { count: number; expiresAt: Date }>();

  async increment(key: string, expiresAt: Date): Promise<number> {
    const entry = this.counters.get(key) ?? { count: 0, expiresAt };
    entry.count += 1;
    this.counters.set(key, entry);
    return entry.count;
  }

  async purge(now: Date): Promise<void> {
    for (const [key, entry] of this.counters) if (entry.expiresAt.getTime() <= now.getTime()) this.counters.delete(key);
  }

  /** How many keys are stored (tests). */
  get size(): number {
    return this.counters.size;
  }
}
