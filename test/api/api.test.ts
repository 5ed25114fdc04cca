/**
 * The JSON API (lib/api, app/api/v1) below HTTP: the real handlers, schema, policy, enforcement
 * core and data layer on a migrated database, called with Fetch `Request`s. Tokens are
 * minted with a local key (test/step-up/support.ts) and the verifier's clock is the test's, so
 * "minted before the pending operation" and "stale" are exact. Money moved is checked in the
 * database, so "executes once" is counted, not assumed.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createTestKeys, prepareEnvironment, proofClaims, signProof, type ProofTemplate, type TestKeys } from "../step-up/support";
import { createCustomer, ensureClearing, invariantViolations, type Customer } from "../transfers/support";

// The step-up tests' environment (before any lib module loads): a migrated database of its own,
// so the concurrency test can also run where transactions really race (see test/step-up/support.ts).
const environment = await prepareEnvironment();
const TENANT_ID = environment.tenantId;

const { prisma } = await import("../../lib/db");
const { createApiV1 } = await import("../../lib/api/v1");
const { createProofVerifier } = await import("../../lib/step-up/server/verify-proof");
const { parseClaimsChallenges } = await import("../../lib/step-up/protocol");
type ApiV1 = import("../../lib/api/v1").ApiV1;

const exampleEnv = process.env as Record<string, string>;
const API_CLIENT_ID = exampleEnv.ENTRA_API_CLIENT_ID!;
const SPA_CLIENT_ID = exampleEnv.ENTRA_SPA_CLIENT_ID!;
const ISSUER = exampleEnv.AUTH_MICROSOFT_ENTRA_ID_ISSUER!.replace(/\/$/, "");

let nowMs = Date.now();
const clock = () => new Date(nowMs);
let keys: TestKeys;
let otherKeys: TestKeys;
let api: ApiV1;

before(async () => {
  await ensureClearing(prisma);
  keys = await createTestKeys();
  otherKeys = await createTestKeys();
  const verifier = createProofVerifier({
    issuer: ISSUER,
    tenantId: TENANT_ID,
    audience: API_CLIENT_ID,
    spaClientId: SPA_CLIENT_ID,
    otherClientIds: [exampleEnv.AUTH_MICROSOFT_ENTRA_ID_ID!],
    scope: "access_as_user",
    jwks: keys.jwks,
    clock,
  });
  api = createApiV1({ verifier: () => verifier, policySet: "production" });
});

after(async () => {
  await prisma.$disconnect();
  environment.cleanup();
});

interface Caller {
  customer: Customer;
  objectId: string;
  /** What a token for this user carries, for tokens minted without advancing the clock. */
  template: ProofTemplate;
  /** A token for this user, minted now (after advancing the clock a second), with `overrides`. */
  token: (overrides?: Record<string, unknown>, signWith?: TestKeys) => Promise<string>;
}

async function caller(balances: { checking: bigint; savings?: bigint } = { checking: 500_000n, savings: 100_000n }): Promise<Caller> {
  const customer = await createCustomer(prisma, balances);
  const { objectId } = await prisma.user.findUniqueOrThrow({ where: { id: customer.user.id } });
  const template: ProofTemplate = { issuer: ISSUER, tenantId: TENANT_ID, objectId, audience: API_CLIENT_ID, spaClientId: SPA_CLIENT_ID, scope: "access_as_user" };
  return {
    customer,
    objectId,
    template,
    token: async (overrides = {}, signWith = keys) => {
      nowMs += 1_000;
      return signProof(signWith, proofClaims(template, clock(), { acrs: [], ...overrides }));
    },
  };
}

const noParams = { params: Promise.resolve({} as Record<string, never>) };

function get(path: string, headers: Record<string, string> = {}): Request {
  return new Request(`http://localhost:3000${path}`, { headers });
}

function postTransfer(token: string | null, body: unknown, options: { key?: string | null; headers?: Record<string, string>; raw?: string } = {}): Request {
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.key !== null) headers["idempotency-key"] = options.key ?? randomUUID();
  return new Request("http://localhost:3000/api/v1/transfers", { method: "POST", headers, body: options.raw ?? JSON.stringify(body) });
}

/** A transfer between the caller's own accounts, in the API's canonical form. */
function ownTransfer(c: Caller, amountMinor: string, memo = "API test") {
  return { fromAccountId: c.customer.checkingId, toAccountId: c.customer.savingsId, currency: "USD", amountMinor, memo };
}

interface ErrorBody {
  error: { code: string; message: string; correlationId: string; reason?: string; fields?: Record<string, string[]>; pendingOperation?: { id: string; payload: Record<string, unknown>; expiresAt: string }; claims?: string };
}

async function errorOf(response: Response, status: number, code: string): Promise<ErrorBody["error"]> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.equal(response.headers.get("cache-control"), "no-store");
  const body = JSON.parse(text) as ErrorBody;
  assert.equal(body.error.code, code, text);
  assert.match(body.error.correlationId, /^[0-9a-f-]{36}$/);
  return body.error;
}

async function dataOf<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.equal(response.headers.get("cache-control"), "no-store");
  return (JSON.parse(text) as { data: T }).data;
}

const balanceOf = async (id: string) => (await prisma.bankAccount.findUniqueOrThrow({ where: { id } })).balanceMinor;

/** Entra's claims challenge value for one context, built independently of lib/step-up/protocol.ts. */
const claimsFor = (context: string) => Buffer.from(`{"access_token":{"acrs":{"essential":true,"value":"${context}"}}}`).toString("base64");
// Microsoft Learn's claims-challenge format: the tenant as realm, its authorize endpoint (from the
// configured issuer, whatever host that is) as authorization_uri, then error and claims.
const AUTHORIZE_ENDPOINT = `${new URL(ISSUER).origin}/${TENANT_ID}/oauth2/v2.0/authorize`;
const challengeHeaderFor = (context: string) =>
  `Bearer realm="${TENANT_ID}", authorization_uri="${AUTHORIZE_ENDPOINT}", error="insufficient_claims", claims="${claimsFor(context)}"`;

describe("who calls", () => {
  test("no token: 401 with the plain Bearer challenge, also when a valid session cookie comes along", async () => {
    const c = await caller();
    const session = await prisma.session.create({ data: { sessionToken: randomUUID(), userId: c.customer.user.id, expires: new Date(Date.now() + 3_600_000) } });
    const cookie = `authjs.session-token=${session.sessionToken}; __Secure-authjs.session-token=${session.sessionToken}; __Host-authjs.session-token=${session.sessionToken}`;
    for (const response of [
      await api.listAccounts(get("/api/v1/accounts"), noParams),
      await api.listAccounts(get("/api/v1/accounts", { cookie }), noParams),
      await api.listAccounts(get("/api/v1/accounts", { cookie, authorization: "Basic bWVnYW46cGFzcw==" }), noParams),
      await api.createTransfer(postTransfer(null, ownTransfer(c, "100"), { headers: { cookie } }), noParams),
    ]) {
      assert.equal(response.headers.get("www-authenticate"), 'Bearer realm=""');
      await errorOf(response, 401, "unauthorized");
    }
    assert.equal(await prisma.transfer.count({ where: { ownerId: c.customer.user.id } }), 0);
  });

  test("a token the API does not accept: 401 invalid_token, with the reason", async () => {
    const c = await caller();
    const cases: [string, string][] = [
      ["garbage", "malformed"],
      [await c.token({ aud: "00000003-0000-0000-c000-000000000000" }), "wrong_audience"],
      [await c.token({ aud: SPA_CLIENT_ID, nonce: "n-0S6_WzA2Mj", scp: undefined }), "id_token"],
      [await c.token({ azp: "0a8c7c5e-1111-4222-8333-944445555666" }), "wrong_azp"],
      [await c.token({ exp: Math.floor(nowMs / 1000) - 3_600 }), "expired"],
      [await c.token({}, otherKeys), "bad_signature"],
    ];
    for (const [token, reason] of cases) {
      const response = await api.listAccounts(get("/api/v1/accounts", { authorization: `Bearer ${token}` }), noParams);
      assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="", error="invalid_token"');
      assert.equal((await errorOf(response, 401, "invalid_token")).reason, reason);
    }
  });

  test("a valid token for someone who never signed in to the portal: 403, and no user is created", async () => {
    const c = await caller();
    const stranger = { ...proofClaims({ issuer: ISSUER, tenantId: TENANT_ID, objectId: randomUUID(), audience: API_CLIENT_ID, spaClientId: SPA_CLIENT_ID, scope: "access_as_user" }, clock()) };
    const users = await prisma.user.count();
    const response = await api.listAccounts(get("/api/v1/accounts", { authorization: `Bearer ${await signProof(keys, stranger)}` }), noParams);
    await errorOf(response, 403, "unknown_user");
    assert.equal(await prisma.user.count(), users);
    assert.ok(c);
  });
});

describe("accounts", () => {
  test("the list shows the caller's accounts, masked, without step-up", async () => {
    const c = await caller();
    await caller();
    const accounts = await dataOf<{ id: string; maskedNumber: string; fullNumber?: string }[]>(
      await api.listAccounts(get("/api/v1/accounts", { authorization: `Bearer ${await c.token()}` }), noParams),
      200,
    );
    assert.deepEqual(accounts.map((a) => a.id).sort(), [c.customer.checkingId, c.customer.savingsId].sort());
    for (const account of accounts) {
      assert.match(account.maskedNumber, /^•••• \d{4}$/);
      assert.equal("fullNumber" in account, false);
    }
  });

  test("the full number needs c3 in the token itself: Entra's exact claims challenge, then 200; the token is not spent", async () => {
    const c = await caller();
    const detail = (token: string, id = c.customer.checkingId) => api.getAccount(get(`/api/v1/accounts/${id}`, { authorization: `Bearer ${token}` }), { params: Promise.resolve({ id }) });

    const plain = await detail(await c.token());
    assert.equal(plain.headers.get("www-authenticate"), challengeHeaderFor("c3"));
    assert.deepEqual(parseClaimsChallenges(plain.headers), [{ claims: '{"access_token":{"acrs":{"essential":true,"value":"c3"}}}', acrs: ["c3"], authorizationUri: AUTHORIZE_ENDPOINT }]);
    const challenge = await errorOf(plain, 401, "insufficient_claims");
    assert.equal(challenge.reason, "missing_context");
    assert.equal(challenge.claims, '{"access_token":{"acrs":{"essential":true,"value":"c3"}}}');
    assert.equal(challenge.pendingOperation, undefined);

    const stale = await detail(await c.token({ acrs: ["c3"], auth_time: Math.floor(nowMs / 1000) - 2 * 3_600 }));
    assert.equal((await errorOf(stale, 401, "insufficient_claims")).reason, "stale_auth_time");

    const strong = await c.token({ acrs: ["c3"] });
    const { fullNumber } = await prisma.bankAccount.findUniqueOrThrow({ where: { id: c.customer.checkingId } });
    for (let i = 0; i < 2; i += 1) {
      const account = await dataOf<{ id: string; fullNumber: string; maskedNumber: string }>(await detail(strong), 200);
      assert.equal(account.id, c.customer.checkingId);
      assert.equal(account.fullNumber, fullNumber);
    }
  });

  test("another user's account and an unknown id get the same 404", async () => {
    const c = await caller();
    const other = await caller();
    const token = await c.token({ acrs: ["c3"] });
    const answers = [];
    for (const id of [other.customer.checkingId, "acct_does_not_exist"]) {
      const error = await errorOf(await api.getAccount(get(`/api/v1/accounts/${id}`, { authorization: `Bearer ${token}` }), { params: Promise.resolve({ id }) }), 404, "not_found");
      answers.push({ ...error, correlationId: "" });
    }
    assert.deepEqual(answers[0], answers[1]);
  });
});

describe("transfers", () => {
  test("below the threshold it runs at once; the same key again replays it; another request under the key is refused", async () => {
    const c = await caller();
    const key = randomUUID();
    const token = await c.token();
    const created = await api.createTransfer(postTransfer(token, ownTransfer(c, "25000"), { key }), noParams);
    const receipt = await dataOf<{ id: string; amountMinor: string; replayed: boolean }>(created, 201);
    assert.equal(receipt.amountMinor, "25000");
    assert.equal(receipt.replayed, false);

    const again = await api.createTransfer(postTransfer(token, ownTransfer(c, "25000"), { key: `"${key.toUpperCase()}"` }), noParams);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
    const replay = await dataOf<{ id: string; replayed: boolean }>(again, 200);
    assert.equal(replay.id, receipt.id);
    assert.equal(replay.replayed, true);

    await errorOf(await api.createTransfer(postTransfer(token, ownTransfer(c, "26000"), { key }), noParams), 422, "idempotency_key_reused");
    assert.equal(await balanceOf(c.customer.checkingId), 475_000n);
    assert.equal(await prisma.transfer.count({ where: { ownerId: c.customer.user.id } }), 1);

    const list = await dataOf<{ id: string }[]>(await api.listTransfers(get("/api/v1/transfers?limit=5", { authorization: `Bearer ${token}` }), noParams), 200);
    assert.deepEqual(list.map((t) => t.id), [receipt.id]);
    const badLimit = await errorOf(await api.listTransfers(get("/api/v1/transfers?limit=0", { authorization: `Bearer ${token}` }), noParams), 422, "invalid_input");
    assert.ok(badLimit.fields?.limit);
  });

  test("a transfer that cannot succeed is answered 422 before any 401 challenge, with no pending approval", async () => {
    const c = await caller({ checking: 1_946_656n });
    const token = await c.token();
    const refusal = await errorOf(await api.createTransfer(postTransfer(token, ownTransfer(c, "2000000")), noParams), 422, "operation_failed");
    assert.match(refusal.message, /isn't enough money/);
    const tooBig = await errorOf(await api.createTransfer(postTransfer(token, ownTransfer(c, "3000000")), noParams), 422, "invalid_input");
    assert.ok(tooBig.fields?.amount);
    assert.equal(await prisma.pendingOperation.count({ where: { userId: c.customer.user.id } }), 0);
    assert.equal(await balanceOf(c.customer.checkingId), 1_946_656n);
  });

  test("from the threshold: 401 with the pending payload; a token minted before it is refused; one minted after runs it once", async () => {
    const c = await caller();
    const key = randomUUID();
    const early = await c.token({ acrs: ["c1"] });
    nowMs += 1_000;
    const first = await api.createTransfer(postTransfer(early, ownTransfer(c, "150000"), { key }), noParams);
    assert.equal(first.headers.get("www-authenticate"), challengeHeaderFor("c1"));
    const challenge = await errorOf(first, 401, "insufficient_claims");
    assert.equal(challenge.reason, "missing_proof");
    assert.equal(challenge.pendingOperation?.payload.amountMinor, "150000");
    assert.equal(challenge.pendingOperation?.payload.idempotencyKey, key);

    // The same token again: it has c1, but it was minted before the approval existed.
    const stale = await api.createTransfer(postTransfer(early, ownTransfer(c, "150000"), { key }), noParams);
    const refusal = await errorOf(stale, 401, "insufficient_claims");
    assert.equal(refusal.reason, "minted_before_operation");
    assert.equal(refusal.pendingOperation?.id, challenge.pendingOperation?.id, "a refused proof leaves the same approval open");
    const weak = await errorOf(await api.createTransfer(postTransfer(await c.token(), ownTransfer(c, "150000"), { key }), noParams), 401, "insufficient_claims");
    assert.equal(weak.reason, "missing_context");
    assert.equal(await balanceOf(c.customer.checkingId), 500_000n);

    const proof = await c.token({ acrs: ["c1"] });
    const receipt = await dataOf<{ id: string; amountMinor: string }>(await api.createTransfer(postTransfer(proof, ownTransfer(c, "150000"), { key }), noParams), 201);
    assert.equal(receipt.amountMinor, "150000");

    // After success the key answers with the same transfer, whatever the token.
    for (const token of [proof, await c.token()]) {
      const replay = await api.createTransfer(postTransfer(token, ownTransfer(c, "150000"), { key }), noParams);
      assert.equal(replay.headers.get("idempotent-replayed"), "true");
      assert.equal((await dataOf<{ id: string }>(replay, 200)).id, receipt.id);
    }
    assert.equal(await balanceOf(c.customer.checkingId), 350_000n);
    assert.equal(await prisma.transfer.count({ where: { ownerId: c.customer.user.id } }), 1);
    assert.deepEqual(await invariantViolations(prisma), []);
  });

  test("the token that asked cannot approve, and one minted in the same second as the approval cannot either", async () => {
    const c = await caller();
    const key = randomUUID();
    const asking = await c.token({ acrs: ["c1"] });
    await errorOf(await api.createTransfer(postTransfer(asking, ownTransfer(c, "150000"), { key }), noParams), 401, "insufficient_claims");
    const refusal = await errorOf(await api.createTransfer(postTransfer(asking, ownTransfer(c, "150000"), { key }), noParams), 401, "insufficient_claims");
    // Spent when it asked; it was minted in the approval's own second as well.
    assert.ok(refusal.reason === "replayed" || refusal.reason === "minted_before_operation", refusal.reason);
    const sameSecond = await signProof(keys, proofClaims(c.template, clock(), { acrs: ["c1"] }));
    const early = await errorOf(await api.createTransfer(postTransfer(sameSecond, ownTransfer(c, "150000"), { key }), noParams), 401, "insufficient_claims");
    assert.equal(early.reason, "minted_before_operation");
    assert.equal(await balanceOf(c.customer.checkingId), 500_000n);
    await dataOf(await api.createTransfer(postTransfer(await c.token({ acrs: ["c1"] }), ownTransfer(c, "150000"), { key }), noParams), 201);
    assert.equal(await balanceOf(c.customer.checkingId), 350_000n);
  });

  test("another body under a key with a pending approval is refused; the approval still runs what it stored", async () => {
    const c = await caller();
    const key = randomUUID();
    await errorOf(await api.createTransfer(postTransfer(await c.token(), ownTransfer(c, "150000"), { key }), noParams), 401, "insufficient_claims");
    const proof = await c.token({ acrs: ["c1"] });
    await errorOf(await api.createTransfer(postTransfer(proof, ownTransfer(c, "400000"), { key }), noParams), 422, "idempotency_key_reused");
    assert.equal(await balanceOf(c.customer.checkingId), 500_000n);
    await dataOf(await api.createTransfer(postTransfer(proof, ownTransfer(c, "150000"), { key }), noParams), 201);
    assert.equal(await balanceOf(c.customer.checkingId), 350_000n);
  });

  test("five simultaneous retries of an approved request execute once and all answer with the same transfer", async () => {
    const c = await caller();
    const key = randomUUID();
    await errorOf(await api.createTransfer(postTransfer(await c.token(), ownTransfer(c, "200000"), { key }), noParams), 401, "insufficient_claims");
    const proof = await c.token({ acrs: ["c1"] });
    const responses = await Promise.all(Array.from({ length: 5 }, () => api.createTransfer(postTransfer(proof, ownTransfer(c, "200000"), { key }), noParams)));
    const statuses = responses.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 200, 201]);
    const ids = new Set(await Promise.all(responses.map(async (r) => ((await r.json()) as { data: { id: string } }).data.id)));
    assert.equal(ids.size, 1);
    assert.equal(await balanceOf(c.customer.checkingId), 300_000n);
    assert.equal(await prisma.transfer.count({ where: { ownerId: c.customer.user.id } }), 1);
  });

  test("another user's account as the source and an unknown one get the same 404; nothing is stored", async () => {
    const c = await caller();
    const other = await caller();
    const token = await c.token();
    const answers = [];
    for (const fromAccountId of [other.customer.checkingId, "acct_does_not_exist"]) {
      const body = { ...ownTransfer(c, "150000"), fromAccountId };
      answers.push({ ...(await errorOf(await api.createTransfer(postTransfer(token, body), noParams), 404, "not_found")), correlationId: "" });
    }
    assert.deepEqual(answers[0], answers[1]);
    assert.equal(await prisma.pendingOperation.count({ where: { userId: c.customer.user.id } }), 0);
    assert.equal(await balanceOf(other.customer.checkingId), 500_000n);
  });

  test("bad requests: the key, the media type, the size, the JSON, every field at once", async () => {
    const c = await caller();
    const token = await c.token();
    const body = ownTransfer(c, "100");
    await errorOf(await api.createTransfer(postTransfer(token, body, { key: null }), noParams), 400, "idempotency_key_required");
    await errorOf(await api.createTransfer(postTransfer(token, body, { key: "order-42" }), noParams), 400, "invalid_idempotency_key");
    await errorOf(await api.createTransfer(postTransfer(token, body, { headers: { "content-type": "application/x-www-form-urlencoded" } }), noParams), 415, "unsupported_media_type");
    await errorOf(await api.createTransfer(postTransfer(token, null, { raw: JSON.stringify({ ...body, memo: "x".repeat(20_000) }) }), noParams), 413, "payload_too_large");
    await errorOf(await api.createTransfer(postTransfer(token, null, { raw: "{not json" }), noParams), 400, "invalid_json");
    const inBody = await errorOf(await api.createTransfer(postTransfer(token, { ...body, idempotencyKey: randomUUID() }), noParams), 422, "invalid_input");
    assert.ok(inBody.fields?.idempotencyKey);
    const invalid = await errorOf(await api.createTransfer(postTransfer(token, { fromAccountId: "", currency: "usd", amountMinor: "-5" }), noParams), 422, "invalid_input");
    assert.deepEqual(Object.keys(invalid.fields ?? {}).sort(), ["amount", "currency", "destination", "fromAccountId"]);
    assert.equal(await prisma.transfer.count({ where: { ownerId: c.customer.user.id } }), 0);
  });
});
