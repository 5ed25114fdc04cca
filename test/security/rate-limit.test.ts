import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { MemoryCounterStore, RateLimiter } from "@/lib/rate-limit/limiter";
import { clientIpOf } from "@/lib/security/client-ip";
import { testDatabaseKind } from "../support/test-database";
import { prepareEnvironment, type TestEnvironment } from "../step-up/support";

const rule = { name: "test", limit: 3, windowSeconds: 60 };

describe("the fixed-window limiter", () => {
  test("allows the limit per subject and window, then refuses with the time left in the window", async () => {
    let now = new Date("2026-11-29T12:00:10Z");
    const limiter = new RateLimiter(new MemoryCounterStore(), () => now);
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.hit(rule, "user-a"));
    assert.deepEqual(decisions.map((d) => d.allowed), [true, true, true, false]);
    assert.deepEqual(decisions[3], { allowed: false, retryAfterSeconds: 50 });
    // Another subject has its own count; the next window starts again.
    assert.equal((await limiter.hit(rule, "user-b")).allowed, true);
    now = new Date("2026-11-29T12:01:00Z");
    assert.equal((await limiter.hit(rule, "user-a")).allowed, true);
  });

  test("refused hits still count, so a client that keeps knocking stays refused for the window", async () => {
    const now = new Date("2026-11-29T12:00:00Z");
    const store = new MemoryCounterStore();
    const limiter = new RateLimiter(store, () => now);
    for (let i = 0; i < 10; i++) await limiter.hit(rule, "x");
    // The key is rule:subject:window; the window's counter saw all ten.
    assert.equal(await store.increment(`test:x:${Math.floor(now.getTime() / 60_000)}`, new Date(0)), 11);
  });

  test("hitAll counts every rule and refuses when any refuses", async () => {
    const limiter = new RateLimiter(new MemoryCounterStore(), () => new Date("2026-11-29T12:00:00Z"));
    const strict = { name: "strict", limit: 1, windowSeconds: 60 };
    assert.equal((await limiter.hitAll([[rule, "u"], [strict, "ip"]])).allowed, true);
    assert.equal((await limiter.hitAll([[rule, "u"], [strict, "ip"]])).allowed, false);
    // The generous rule saw both hits.
    assert.equal((await limiter.hit(rule, "u")).allowed, true);
    assert.equal((await limiter.hit(rule, "u")).allowed, false);
  });

  test("expired windows are purged when a new window starts", async () => {
    let now = new Date("2026-11-29T12:00:00Z");
    const store = new MemoryCounterStore();
    const limiter = new RateLimiter(store, () => now);
    await limiter.hit(rule, "a");
    await limiter.hit(rule, "b");
    now = new Date("2026-11-29T12:05:00Z");
    await limiter.hit(rule, "a");
    assert.equal(store.size, 1);
  });
});

describe("the client address", () => {
  const headers = (xff?: string) => new Headers(xff === undefined ? {} : { "x-forwarded-for": xff });
  test("behind N appending proxies, the Nth entry from the right; the client's own claims to the left are ignored", () => {
    assert.equal(clientIpOf(headers("6.6.6.6, 203.0.113.7"), 1), "203.0.113.7");
    assert.equal(clientIpOf(headers("6.6.6.6, 203.0.113.7, 10.0.0.2"), 2), "203.0.113.7");
  });
  test("fewer entries than proxies: the leftmost; none: 'unknown'; odd characters are neutralised", () => {
    assert.equal(clientIpOf(headers("203.0.113.7"), 3), "203.0.113.7");
    assert.equal(clientIpOf(headers(), 1), "unknown");
    assert.equal(clientIpOf(headers(" , "), 1), "unknown");
    assert.equal(clientIpOf(headers("::1"), 1), "::1");
    assert.equal(clientIpOf(headers("a b:c/d"), 1), "a_b:c_d");
  });
});

describe(`the database counter store (${testDatabaseKind()})`, async () => {
  const environment: TestEnvironment = await prepareEnvironment();
  const { prisma } = await import("../../lib/db");
  const { PrismaCounterStore } = await import("../../lib/rate-limit/prisma-store");
  after(async () => {
    await prisma.$disconnect();
    environment.cleanup();
  });

  test("concurrent hits on one key each get their own count (one atomic upsert per hit)", async () => {
    const store = new PrismaCounterStore(prisma);
    const expiresAt = new Date(Date.now() + 60_000);
    const counts = await Promise.all(Array.from({ length: 25 }, () => store.increment("race:key", expiresAt)));
    assert.deepEqual([...counts].sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i + 1));
    assert.equal((await prisma.rateLimitCounter.findUniqueOrThrow({ where: { key: "race:key" } })).count, 25);
  });

  test("a limiter over the database refuses past the limit, and purges expired windows", async () => {
    const store = new PrismaCounterStore(prisma);
    await store.increment("old:key", new Date("2020-01-01T00:00:00Z"));
    const limiter = new RateLimiter(store);
    const decisions = await Promise.all(Array.from({ length: 5 }, () => limiter.hit(rule, "db-subject")));
    assert.equal(decisions.filter((d) => d.allowed).length, 3);
    assert.equal(await prisma.rateLimitCounter.count({ where: { key: "old:key" } }), 0);
  });
});
