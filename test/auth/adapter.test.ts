/**
 * The Auth.js adapter's rules (lib/auth/adapter.ts) against a real, migrated SQLite database:
 * users keyed by (tid, oid) and never found by email, no tokens stored, the sign-in's
 * strength written with the session, and the absolute session lifetime.
 */
import { TENANT_ID, migrateTestDatabase } from "../support/portal-env";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, test } from "node:test";
import type { AdapterUser } from "next-auth/adapters";

const { portalAdapter, providerAccountIdOf } = await import("../../lib/auth/adapter");
const { withSignInContext, recordSignInStrength, strengthFromClaims } = await import("../../lib/auth/sign-in-context");
const { prisma } = await import("../../lib/db");

const HOUR = 3_600_000;
const adapter = portalAdapter({ absoluteLifetimeMs: 12 * HOUR });

before(migrateTestDatabase);

function newIdentity() {
  const objectId = randomUUID();
  return { tenantId: TENANT_ID, objectId, name: "Test Person", userPrincipalName: `${objectId}@woodgrove.test` };
}

async function signInSession(userId: string, claims: Record<string, unknown>) {
  return withSignInContext(async () => {
    recordSignInStrength(strengthFromClaims(claims));
    return adapter.createSession!({ sessionToken: randomUUID(), userId, expires: new Date(Date.now() + HOUR) });
  });
}

test("createUser finds an existing (tid, oid) instead of creating a second user", async () => {
  const identity = newIdentity();
  const first = await adapter.createUser!({ id: "ignored", email: "", emailVerified: null, ...identity } as AdapterUser);
  const second = await adapter.createUser!({ id: "ignored-too", email: "", emailVerified: null, ...identity, name: "Renamed" } as AdapterUser);
  assert.equal(second.id, first.id);
  assert.equal(second.name, "Renamed");
  assert.equal(await prisma.user.count({ where: { objectId: identity.objectId } }), 1);
});

test("createUser refuses a user without a directory identity", async () => {
  await assert.rejects(async () => adapter.createUser!({ id: "x", email: "someone@example.com", emailVerified: null } as AdapterUser), /tid, oid/);
});

test("nobody is ever found by email, so accounts cannot be linked through a spoofed email claim", async () => {
  const identity = newIdentity();
  const user = await adapter.createUser!({ id: "x", email: "", emailVerified: null, ...identity } as AdapterUser);
  await prisma.user.update({ where: { id: user.id }, data: { email: "victim@woodgrove.test" } });
  assert.equal(await adapter.getUserByEmail!("victim@woodgrove.test"), null);
});

test("linking an account keeps no tokens", async () => {
  const identity = newIdentity();
  const user = await adapter.createUser!({ id: "x", email: "", emailVerified: null, ...identity } as AdapterUser);
  await adapter.linkAccount!({
    userId: user.id,
    type: "oidc",
    provider: "microsoft-entra-id",
    providerAccountId: providerAccountIdOf(identity),
    access_token: "secret-access-token",
    id_token: "secret-id-token",
    refresh_token: "secret-refresh-token",
  });
  const stored = await prisma.account.findFirstOrThrow({ where: { userId: user.id } });
  assert.equal(stored.access_token, null);
  assert.equal(stored.id_token, null);
  assert.equal(stored.refresh_token, null);
});

test("signing in as someone else over an open session never links their identity to this user", async () => {
  const victim = await adapter.createUser!({ id: "x", email: "", emailVerified: null, ...newIdentity() } as AdapterUser);
  const attacker = newIdentity();
  await assert.rejects(
    async () =>
      adapter.linkAccount!({ userId: victim.id, type: "oidc", provider: "microsoft-entra-id", providerAccountId: providerAccountIdOf(attacker) }),
    /different directory identity/,
  );
  assert.equal(await prisma.account.count({ where: { userId: victim.id } }), 0);
  assert.equal(await adapter.getUserByAccount!({ provider: "microsoft-entra-id", providerAccountId: providerAccountIdOf(attacker) }), null);
});

test("a provider account resolves to the user with that (tid, oid), whatever the link table says", async () => {
  const identity = newIdentity();
  const user = await adapter.createUser!({ id: "x", email: "", emailVerified: null, ...identity } as AdapterUser);
  const found = await adapter.getUserByAccount!({ provider: "microsoft-entra-id", providerAccountId: providerAccountIdOf(identity) });
  assert.equal(found?.id, user.id);
  assert.equal(await adapter.getUserByAccount!({ provider: "microsoft-entra-id", providerAccountId: "not-an-identity" }), null);
});

test("a session records the sign-in's acrs and auth_time", async () => {
  const user = await adapter.createUser!({ id: "x", email: "", emailVerified: null, ...newIdentity() } as AdapterUser);
  const authTime = Math.floor(Date.now() / 1000) - 30;
  const session = await signInSession(user.id, { acrs: ["c1", "c3", 42], auth_time: authTime });
  const loaded = await adapter.getSessionAndUser!(session.sessionToken);
  assert.ok(loaded);
  assert.deepEqual((loaded.session as unknown as { acrs: string[] }).acrs, ["c1", "c3"]);
  assert.equal((loaded.session as unknown as { authTime: Date }).authTime.getTime(), authTime * 1000);
});

test("a session cannot be created without the sign-in's strength", async () => {
  const user = await adapter.createUser!({ id: "x", email: "", emailVerified: null, ...newIdentity() } as AdapterUser);
  await assert.rejects(
    withSignInContext(async () => adapter.createSession!({ sessionToken: randomUUID(), userId: user.id, expires: new Date() })),
    /No sign-in strength/,
  );
});

test("past the absolute lifetime a session is deleted and treated as absent, however active it was", async () => {
  const user = await adapter.createUser!({ id: "x", email: "", emailVerified: null, ...newIdentity() } as AdapterUser);
  const session = await signInSession(user.id, {});
  assert.ok(await adapter.getSessionAndUser!(session.sessionToken));
  await prisma.session.update({ where: { sessionToken: session.sessionToken }, data: { createdAt: new Date(Date.now() - 12 * HOUR - 1000) } });
  assert.equal(await adapter.getSessionAndUser!(session.sessionToken), null);
  assert.equal(await prisma.session.count({ where: { sessionToken: session.sessionToken } }), 0);
});

test("deleting a session twice (two tabs signing out) is not an error", async () => {
  const user = await adapter.createUser!({ id: "x", email: "", emailVerified: null, ...newIdentity() } as AdapterUser);
  const session = await signInSession(user.id, {});
  await adapter.deleteSession!(session.sessionToken);
  await adapter.deleteSession!(session.sessionToken);
  assert.equal(await adapter.getSessionAndUser!(session.sessionToken), null);
});

test("the session records the ID token's app roles and a short browser summary, never the full User-Agent", async () => {
  const { recordSignInRoles, rolesFromClaims } = await import("../../lib/auth/sign-in-context");
  const user = await adapter.createUser!({ id: "x", email: "", emailVerified: null, ...newIdentity() } as AdapterUser);
  const userAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36 tracking-id-1234";
  const request = new Request("http://localhost:3000/api/auth/callback/microsoft-entra-id", { headers: { "user-agent": userAgent } });
  const session = await withSignInContext(async () => {
    recordSignInStrength(strengthFromClaims({}));
    recordSignInRoles(rolesFromClaims({ roles: ["Portal.Admin", 42, { role: "x" }] }));
    return adapter.createSession!({ sessionToken: randomUUID(), userId: user.id, expires: new Date(Date.now() + HOUR) });
  }, request);
  const row = await prisma.session.findUniqueOrThrow({ where: { sessionToken: session.sessionToken }, select: { roles: true, userAgent: true } });
  assert.deepEqual(row, { roles: '["Portal.Admin"]', userAgent: "Chrome on Linux" });

  // No roles claim (most users): none; no User-Agent: none.
  const plain = await signInSession(user.id, {});
  assert.deepEqual(await prisma.session.findUniqueOrThrow({ where: { sessionToken: plain.sessionToken }, select: { roles: true, userAgent: true } }), { roles: "[]", userAgent: null });
});
