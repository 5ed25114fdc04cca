/**
 * lib/data against a seeded SQLite database: owner scoping, DTO shape (no full
 * account numbers, money as strings), ordering and limits. lib/db reads its
 * configuration from lib/env, so the test sets a valid environment (the
 * .env.example values) before importing it.
 */
import { TENANT_ID as TENANT, databaseUrl as url, migrateTestDatabase } from "../support/portal-env";
import assert from "node:assert/strict";
import { before, after, test } from "node:test";
import { PrismaClient } from "../../lib/generated/prisma/client";
import { createAdapterFactory } from "../../prisma/adapter";
import { seedPersona } from "../../prisma/seed-data";

const ids = { owner: "", other: "", otherAccount: "" };

before(async () => {
  await migrateTestDatabase();
  const seeder = new PrismaClient({ adapter: createAdapterFactory(url) });
  try {
    const base = { tenantId: TENANT, displayName: "Owner", userPrincipalName: "owner@woodgrove.test" };
    const owner = await seedPersona(seeder, { ...base, objectId: "0a1b2c3d-0000-4000-8000-0000000000a1" }, { products: { creditCard: true, brokerage: true } });
    const other = await seedPersona(seeder, { ...base, objectId: "0a1b2c3d-0000-4000-8000-0000000000b2" });
    ids.owner = owner.userId;
    ids.other = other.userId;
    ids.otherAccount = other.accountIds[0] ?? "";
  } finally {
    await seeder.$disconnect();
  }
});

after(async () => {
  const { prisma } = await import("../../lib/db");
  await prisma.$disconnect();
});

test("listAccountsForUser returns only the user's accounts, in display order, without full numbers", async () => {
  const { listAccountsForUser } = await import("../../lib/data/accounts");
  const accounts = await listAccountsForUser({ id: ids.owner });
  assert.deepEqual(accounts.map((a) => a.kind), ["checking", "savings", "credit_card", "brokerage"]);
  for (const account of accounts) {
    assert.deepEqual(Object.keys(account).sort(), ["balanceMinor", "currency", "id", "kind", "maskedNumber", "name"]);
    assert.match(account.balanceMinor, /^-?\d+$/);
    assert.match(account.maskedNumber, /^•••• \d{4}$/);
  }
  assert.ok(!accounts.some((a) => a.id === ids.otherAccount));
  assert.deepEqual(await listAccountsForUser({ id: "nobody" }), []);
});

test("getAccountForUser does not reveal another user's account", async () => {
  const { getAccountForUser } = await import("../../lib/data/accounts");
  assert.equal(await getAccountForUser({ id: ids.owner }, ids.otherAccount), null);
  assert.equal((await getAccountForUser({ id: ids.other }, ids.otherAccount))?.id, ids.otherAccount);
});

test("listRecentActivity is owner-scoped, newest first, and clamps the limit", async () => {
  const { listRecentActivity, MAX_ACTIVITY_LIMIT } = await import("../../lib/data/accounts");
  const activity = await listRecentActivity({ id: ids.owner }, { limit: 12 });
  assert.equal(activity.length, 12);
  const times = activity.map((e) => e.bookedAt.getTime());
  assert.deepEqual(times, [...times].sort((a, b) => b - a));
  for (const entry of activity) {
    assert.match(entry.amountMinor, /^-?\d+$/);
    assert.ok(entry.accountName.length > 0);
  }
  assert.equal((await listRecentActivity({ id: ids.owner }, { limit: 10_000 })).length, MAX_ACTIVITY_LIMIT);
  assert.equal((await listRecentActivity({ id: ids.owner }, { limit: 0 })).length, 1);
  assert.deepEqual(await listRecentActivity({ id: ids.owner }, { limit: 5, accountId: ids.otherAccount }), [], "someone else's account id yields nothing");
  const mine = await listRecentActivity({ id: ids.other }, { limit: 5, accountId: ids.otherAccount });
  assert.ok(mine.length > 0 && mine.every((e) => e.accountId === ids.otherAccount));
});

test("getUserByDirectoryId finds a seeded user by (tenant id, object id) only", async () => {
  const { getUserByDirectoryId } = await import("../../lib/data/users");
  const user = await getUserByDirectoryId(TENANT, "0a1b2c3d-0000-4000-8000-0000000000a1");
  assert.equal(user?.id, ids.owner);
  assert.equal(await getUserByDirectoryId("00000000-0000-4000-8000-000000000000", "0a1b2c3d-0000-4000-8000-0000000000a1"), null, "another tenant's user with the same oid is someone else");
});
