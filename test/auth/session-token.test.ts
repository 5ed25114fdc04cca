/**
 * Session-token rotation with a grace (lib/auth/session-token.ts) against a real, migrated
 * database: the previous token is exchanged for the current one for a minute, then is nothing;
 * the sessions list shows only sessions someone can still use.
 */
import { migrateTestDatabase } from "../support/portal-env";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, test } from "node:test";

const { resolveSessionToken, rotateSession, ROTATION_GRACE_SECONDS } = await import("../../lib/auth/session-token");
const { listSessions } = await import("../../lib/data/sessions");
const { prisma } = await import("../../lib/db");

before(migrateTestDatabase);

async function signedIn(): Promise<{ userId: string; sessionId: string; token: string }> {
  const user = await prisma.user.create({ data: { tenantId: randomUUID(), objectId: randomUUID(), name: "Rotation Test" } });
  const token = randomUUID();
  const session = await prisma.session.create({ data: { sessionToken: token, userId: user.id, expires: new Date(Date.now() + 30 * 60_000) } });
  return { userId: user.id, sessionId: session.id, token };
}

test("the previous token resolves to the current one for the grace, then to nothing", async () => {
  const { sessionId, token: first } = await signedIn();
  const now = new Date();
  const { token: second } = await rotateSession(sessionId, now);
  assert.notEqual(second, first);
  assert.deepEqual(await resolveSessionToken(second, now), { currentToken: second, rotated: false });
  assert.deepEqual(await resolveSessionToken(first, now), { currentToken: second, rotated: true });
  const graceEnd = new Date(now.getTime() + ROTATION_GRACE_SECONDS * 1000);
  assert.deepEqual(await resolveSessionToken(first, new Date(graceEnd.getTime() - 1)), { currentToken: second, rotated: true });
  assert.equal(await resolveSessionToken(first, graceEnd), null);
  assert.deepEqual(await resolveSessionToken(second, graceEnd), { currentToken: second, rotated: false });
});

test("a second rotation keeps only the newest previous token", async () => {
  const { sessionId, token: first } = await signedIn();
  const { token: second } = await rotateSession(sessionId);
  const { token: third } = await rotateSession(sessionId);
  assert.equal(await resolveSessionToken(first), null);
  assert.deepEqual(await resolveSessionToken(second), { currentToken: third, rotated: true });
});

test("two rotations racing both leave the session with a token in grace and one current", async () => {
  const { sessionId } = await signedIn();
  const [a, b] = await Promise.all([rotateSession(sessionId), rotateSession(sessionId)]);
  const row = await prisma.session.findUniqueOrThrow({ where: { id: sessionId } });
  assert.ok([a.token, b.token].includes(row.sessionToken));
  assert.ok([a.token, b.token].includes(row.previousSessionToken ?? ""), "the loser's token is the previous one, not lost");
});

test("the sessions list hides a rotated session whose new token never reached its browser within the grace", async () => {
  const here = await signedIn();
  const other = await prisma.session.create({
    data: { sessionToken: randomUUID(), userId: here.userId, expires: new Date(Date.now() + 30 * 60_000) },
  });
  const user = { id: here.userId };
  const now = new Date();
  await rotateSession(other.id, now);
  assert.equal((await listSessions(user, here.sessionId, now)).length, 2, "within the grace the old cookie still works");
  const after = new Date(now.getTime() + (ROTATION_GRACE_SECONDS + 1) * 1000);
  assert.deepEqual((await listSessions(user, here.sessionId, after)).map((s) => s.id), [here.sessionId], "nobody holds a usable token for it");
  // Had the browser presented the new token once, the session would still be listed.
  const { token } = await rotateSession(other.id, now);
  await resolveSessionToken(token, now);
  assert.equal((await listSessions(user, here.sessionId, after)).length, 2);
});

test("a session past its absolute lifetime is not listed, however recently it slid", async () => {
  const here = await signedIn();
  const old = await prisma.session.create({
    data: { sessionToken: randomUUID(), userId: here.userId, expires: new Date(Date.now() + 30 * 60_000), createdAt: new Date(Date.now() - 13 * 3_600_000) },
  });
  const listed = await listSessions({ id: here.userId }, here.sessionId);
  assert.deepEqual(listed.map((s) => s.id), [here.sessionId]);
  assert.equal(await resolveSessionToken((await prisma.session.findUniqueOrThrow({ where: { id: old.id } })).sessionToken), null);
});
