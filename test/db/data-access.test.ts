/**
 * lib/data against a seeded SQLite database: owner scoping, DTO shape (no full
 * account numbers, money as strings), ordering and limits. lib/db reads its
 * configuration from lib/env, so the test sets a valid environment (the
 * .env.example values) before importing it.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { before, after, test } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { PrismaClient } from "../../lib/generated/prisma/client";
import { createAdapterFactory } from "../../prisma/adapter";
import { seedPersona } from "../../prisma/seed-data";
import { runTsx } from "./support";

const dir = mkdtempSync(path.join(tmpdir(), "woodgrove-data-"));
const url = `file:${path.join(dir, "portal.db")}`;
const TENANT = "60aa9999-b070-45a9-b57a-58ec086ab606";
const ids = { owner: "", other: "", otherAccount: "" };

Object.assign(process.env, {
  NODE_ENV: "test",
  DATABASE_URL: url,
  AUTH_SECRET: "test-secret-test-secret-test-secret-0123",
  AUTH_URL: "http://localhost:3000",
  AUTH_MICROSOFT_ENTRA_ID_ID: "290dbd3e-8e36-4c9e-9c8c-a8c8f27ecdc1",
  AUTH_MICROSOFT_ENTRA_ID_SECRET: "woodgrove-emulator-web-secret",
  AUTH_MICROSOFT_ENTRA_ID_ISSUER: `https://localhost:8443/${TENANT}/v2.0`,
  ENTRA_SPA_CLIENT_ID: "115cbd24-ca1d-442e-b2d1-5e6e4995c1c1",
  ENTRA_API_CLIENT_ID: "2d748872-b3e5-47e0-9d03-badcd26bf489",
  ENTRA_API_SCOPE: "api://woodgrove-portal/access_as_user",
});

before(async () => {
  const deploy = await runTsx("scripts/db/migrate.ts", ["deploy"], { DATABASE_URL: url });
  assert.equal(deploy.code, 0, deploy.stderr);
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
  rmSync(dir, { recursive: true, force: true });
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
