/**
 * lib/step-up/server/verify-proof.ts against tokens minted here with a local key: the accept path and
 * one test per way a proof can be wrong.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ProofExpectations, ProofVerifier } from "../../lib/step-up/server/verify-proof";
import {
  createTestKeys,
  hs256WithPublicKey,
  prepareEnvironment,
  proofClaims,
  signProof,
  unsignedToken,
  type ProofTemplate,
  type TestEnvironment,
  type TestKeys,
} from "./support";

const OBJECT_ID = "6f1d2c3b-0000-4000-8000-00000000a001";
const NOW = new Date("2026-11-29T10:00:00Z");
const SECOND = 1000;

let environment: TestEnvironment;
let keys: TestKeys;
let verifier: ProofVerifier;
let template: ProofTemplate;
let expected: ProofExpectations;

before(async () => {
  environment = await prepareEnvironment({ migrate: false });
  const { createProofVerifier, scopeName } = await import("../../lib/step-up/server/verify-proof");
  keys = await createTestKeys();
  const env = environment.env;
  template = {
    issuer: environment.issuer,
    tenantId: environment.tenantId,
    objectId: OBJECT_ID,
    audience: env.ENTRA_API_CLIENT_ID ?? "",
    spaClientId: env.ENTRA_SPA_CLIENT_ID ?? "",
    scope: "access_as_user",
  };
  verifier = createProofVerifier({
    issuer: environment.issuer,
    tenantId: environment.tenantId,
    audience: template.audience,
    spaClientId: template.spaClientId,
    otherClientIds: [env.AUTH_MICROSOFT_ENTRA_ID_ID ?? ""],
    scope: scopeName(env.ENTRA_API_SCOPE ?? ""),
    jwks: keys.jwks,
    clock: () => NOW,
    maxSkewSeconds: 60,
  });
  expected = { user: { tenantId: environment.tenantId, objectId: OBJECT_ID }, authContext: "c1", maxAgeSeconds: 300 };
});

after(() => environment.cleanup());

async function verifyClaims(overrides: Record<string, unknown>, expectations: Partial<ProofExpectations> = {}) {
  const token = await signProof(keys, proofClaims(template, NOW, overrides));
  return verifier.verify(token, { ...expected, ...expectations });
}

async function assertRejected(overrides: Record<string, unknown>, reason: string, expectations: Partial<ProofExpectations> = {}) {
  assert.deepEqual(await verifyClaims(overrides, expectations), { ok: false, reason });
}

test("a good proof is accepted with its uti, identity, contexts and times", async () => {
  const claims = proofClaims(template, NOW, { uti: "uti-accept-1" });
  const result = await verifier.verify(await signProof(keys, claims), { ...expected, mintedAfter: new Date(NOW.getTime() - 10 * SECOND) });
  assert.equal(result.ok, true);
  assert.ok(result.ok);
  assert.equal(result.claims.uti, "uti-accept-1");
  assert.equal(result.claims.oid, OBJECT_ID);
  assert.equal(result.claims.tid, environment.tenantId);
  assert.deepEqual(result.claims.acrs, ["c1"]);
  assert.equal(result.claims.iat.getTime(), NOW.getTime());
  assert.equal(result.claims.authTime?.getTime(), NOW.getTime() - 30 * SECOND);
});

test("a proof without auth_time is accepted (it is an optional claim in Entra)", async () => {
  assert.equal((await verifyClaims({ auth_time: undefined })).ok, true);
});

test("scp may hold several scopes", async () => {
  assert.equal((await verifyClaims({ scp: "User.Read access_as_user" })).ok, true);
});

describe("signature and algorithm", () => {
  test("a token signed by another key is refused", async () => {
    const stranger = await createTestKeys(keys.kid);
    const token = await signProof(stranger, proofClaims(template, NOW));
    assert.deepEqual(await verifier.verify(token, expected), { ok: false, reason: "bad_signature" });
  });

  test("a tampered payload is refused", async () => {
    const [header, , signature] = (await signProof(keys, proofClaims(template, NOW))).split(".");
    const forged = Buffer.from(JSON.stringify(proofClaims(template, NOW, { oid: OBJECT_ID, acrs: ["c1", "c2"] }))).toString("base64url");
    assert.deepEqual(await verifier.verify(`${header}.${forged}.${signature}`, expected), { ok: false, reason: "bad_signature" });
  });

  test("an unknown kid is refused", async () => {
    const token = await signProof(keys, proofClaims(template, NOW), { kid: "some-other-kid" });
    assert.deepEqual(await verifier.verify(token, expected), { ok: false, reason: "bad_signature" });
  });

  test("alg none is refused", async () => {
    assert.deepEqual(await verifier.verify(unsignedToken(proofClaims(template, NOW)), expected), { ok: false, reason: "unsupported_alg" });
  });

  test("HS256 keyed with the RSA public key (algorithm confusion) is refused", async () => {
    const token = await hs256WithPublicKey(keys, proofClaims(template, NOW));
    assert.deepEqual(await verifier.verify(token, expected), { ok: false, reason: "unsupported_alg" });
  });

  test("RS512 and PS256 with the same RSA key are refused: RS256 only", async () => {
    const { SignJWT, exportPKCS8, importPKCS8 } = await import("jose");
    const pkcs8 = await exportPKCS8(keys.privateKey);
    for (const alg of ["RS512", "PS256"]) {
      const sameKey = await importPKCS8(pkcs8, alg);
      const token = await new SignJWT(proofClaims(template, NOW)).setProtectedHeader({ alg, kid: keys.kid }).sign(sameKey);
      assert.deepEqual(await verifier.verify(token, expected), { ok: false, reason: "unsupported_alg" }, alg);
    }
  });

  test("garbage is malformed, not an exception", async () => {
    for (const token of ["", "abc", "a.b", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln"]) {
      const result = await verifier.verify(token, expected);
      assert.equal(result.ok, false, token);
      assert.ok(!result.ok && ["malformed", "bad_signature"].includes(result.reason), `${token}: ${JSON.stringify(result)}`);
    }
  });
});

describe("issuer, audience, client, scope, version", () => {
  test("another issuer is refused, even a v1 one of the same tenant", async () => {
    await assertRejected({ iss: `https://sts.windows.net/${environment.tenantId}/` }, "wrong_issuer");
    await assertRejected({ iss: `${environment.issuer}/` }, "wrong_issuer");
  });

  test("another audience is refused", async () => {
    await assertRejected({ aud: "00000003-0000-0000-c000-000000000000" }, "wrong_audience");
    await assertRejected({ aud: [template.audience, "00000003-0000-0000-c000-000000000000"] }, "wrong_audience");
  });

  test("a token issued to another client (azp) is refused", async () => {
    await assertRejected({ azp: "00000000-1111-2222-3333-444444444444" }, "wrong_azp");
    await assertRejected({ azp: undefined }, "wrong_azp");
  });

  test("a token without the API scope is refused", async () => {
    await assertRejected({ scp: "User.Read" }, "missing_scope");
    await assertRejected({ scp: "access_as_user_admin" }, "missing_scope");
    await assertRejected({ scp: undefined, roles: ["Portal.Admin"] }, "missing_scope");
  });

  test("a token that is not v2.0 is refused", async () => {
    await assertRejected({ ver: "1.0" }, "wrong_version");
  });
});

describe("identity", () => {
  test("a token of another tenant is refused", async () => {
    await assertRejected({ tid: "9188040d-6c67-4c5b-b112-36a304b66dad" }, "wrong_tenant");
  });

  test("another user's token is refused", async () => {
    await assertRejected({ oid: "6f1d2c3b-0000-4000-8000-00000000b002" }, "wrong_user");
  });

  test("an ID token is refused as a proof", async () => {
    await assertRejected({ aud: template.spaClientId, nonce: "n-0S6_WzA2Mj", scp: undefined }, "id_token");
    await assertRejected({ aud: environment.env.AUTH_MICROSOFT_ENTRA_ID_ID }, "id_token");
    await assertRejected({ nonce: "n-0S6_WzA2Mj" }, "id_token");
  });
});

describe("time", () => {
  test("an expired token is refused beyond the skew, accepted within it", async () => {
    const iat = NOW.getTime() / SECOND;
    await assertRejected({ iat: iat - 7200, nbf: iat - 7200, exp: iat - 61, auth_time: iat - 7200 }, "expired", { maxAgeSeconds: 10_000 });
    assert.equal((await verifyClaims({ exp: iat - 30 })).ok, true);
  });

  test("a token not yet valid is refused beyond the skew", async () => {
    const iat = NOW.getTime() / SECOND;
    await assertRejected({ nbf: iat + 120 }, "not_yet_valid");
    await assertRejected({ iat: iat + 120, nbf: iat }, "not_yet_valid");
    assert.equal((await verifyClaims({ nbf: iat + 30 })).ok, true);
  });

  test("the skew is capped at 60 seconds whatever is configured", async () => {
    const { createProofVerifier } = await import("../../lib/step-up/server/verify-proof");
    const lax = createProofVerifier({ ...template, tenantId: environment.tenantId, jwks: keys.jwks, clock: () => NOW, maxSkewSeconds: 3600 });
    assert.equal(lax.maxSkewSeconds, 60);
    const iat = NOW.getTime() / SECOND;
    const token = await signProof(keys, proofClaims(template, NOW, { exp: iat - 120 }));
    assert.deepEqual(await lax.verify(token, expected), { ok: false, reason: "expired" });
  });

  test("a stale auth_time is refused", async () => {
    const iat = NOW.getTime() / SECOND;
    await assertRejected({ auth_time: iat - 301 - 60 }, "stale_auth_time");
    await assertRejected({ acrs: ["c3"], auth_time: iat - 3600 - 61 }, "stale_auth_time", { authContext: "c3", maxAgeSeconds: 3600 });
    assert.equal((await verifyClaims({ acrs: ["c3"], auth_time: iat - 3000 }, { authContext: "c3", maxAgeSeconds: 3600 })).ok, true);
  });

  test("freshness is measured to the millisecond, not to the truncated second", async () => {
    const { createProofVerifier, scopeName } = await import("../../lib/step-up/server/verify-proof");
    const env = environment.env;
    const at = (offsetMs: number) =>
      createProofVerifier({
        issuer: environment.issuer,
        tenantId: environment.tenantId,
        audience: template.audience,
        spaClientId: template.spaClientId,
        otherClientIds: [env.AUTH_MICROSOFT_ENTRA_ID_ID ?? ""],
        scope: scopeName(env.ENTRA_API_SCOPE ?? ""),
        jwks: keys.jwks,
        clock: () => new Date(NOW.getTime() + offsetMs),
        maxSkewSeconds: 60,
      });
    // Exactly at the edge of the window (300 s + 60 s of skew) is still fresh; half a second past
    // it is not, although both fall in the same whole second.
    const token = await signProof(keys, proofClaims(template, NOW, { auth_time: NOW.getTime() / SECOND - 360 }));
    assert.equal((await at(0).verify(token, expected)).ok, true);
    assert.deepEqual(await at(500).verify(token, expected), { ok: false, reason: "stale_auth_time" });
  });

  test("a token minted before the pending operation, or in the same second, is refused, with no skew allowed", async () => {
    // A token minted for an abandoned approval must not approve the operation that replaced it.
    await assertRejected({}, "minted_before_operation", { mintedAfter: new Date(NOW.getTime() + 1 * SECOND) });
    await assertRejected({}, "minted_before_operation", { mintedAfter: new Date(NOW.getTime() + 30 * SECOND) });
    // `iat` has whole seconds: an operation stored later within the token's second is not
    // "after" it, whether at its start or its end.
    await assertRejected({}, "minted_before_operation", { mintedAfter: NOW });
    await assertRejected({}, "minted_before_operation", { mintedAfter: new Date(NOW.getTime() + 999) });
    // Stored in an earlier second: the token was minted after it.
    assert.equal((await verifyClaims({}, { mintedAfter: new Date(NOW.getTime() - 1) })).ok, true);
    assert.equal((await verifyClaims({}, { mintedAfter: new Date(NOW.getTime() - 5 * SECOND) })).ok, true);
  });

  test("required time claims must be present", async () => {
    await assertRejected({ exp: undefined }, "malformed");
    await assertRejected({ nbf: undefined }, "malformed");
  });
});

describe("authentication context", () => {
  test("a token without acrs is refused", async () => {
    await assertRejected({ acrs: undefined }, "missing_context");
  });

  test("a token with another context is refused: contexts are matched exactly", async () => {
    await assertRejected({ acrs: ["c3"] }, "missing_context");
    await assertRejected({ acrs: ["c2"] }, "missing_context");
    await assertRejected({ acrs: "c1" }, "malformed");
  });

  test("the required context among others is accepted", async () => {
    assert.equal((await verifyClaims({ acrs: ["c3", "c2"] }, { authContext: "c2" })).ok, true);
  });
});

describe("keys from discovery", () => {
  test("the JWKS is found through the issuer's metadata, fetched once, and a wrong issuer is refused", async () => {
    const { createServer } = await import("node:http");
    const { exportJWK } = await import("jose");
    const { discoverJwks, createProofVerifier } = await import("../../lib/step-up/server/verify-proof");
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: keys.kid, alg: "RS256", use: "sig" };
    const hits: string[] = [];
    let advertisedIssuer = "";
    const server = createServer((request, response) => {
      hits.push(request.url ?? "");
      response.setHeader("content-type", "application/json");
      if (request.url?.endsWith("/.well-known/openid-configuration")) {
        response.end(JSON.stringify({ issuer: advertisedIssuer, jwks_uri: `${origin}/keys` }));
      } else if (request.url === "/keys") {
        response.end(JSON.stringify({ keys: [jwk] }));
      } else {
        response.statusCode = 404;
        response.end("{}");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const issuer = `${origin}/${environment.tenantId}/v2.0`;
    try {
      const remote = (iss: string) =>
        createProofVerifier({ ...template, issuer: iss, tenantId: environment.tenantId, jwks: discoverJwks(iss), clock: () => NOW });
      advertisedIssuer = "https://evil.example/v2.0";
      const misdirected = remote(issuer);
      const token = await signProof(keys, proofClaims({ ...template, issuer }, NOW));
      await assert.rejects(misdirected.verify(token, expected), /different issuer/);

      advertisedIssuer = issuer;
      const verifierFromDiscovery = remote(issuer);
      assert.equal((await verifierFromDiscovery.verify(token, expected)).ok, true);
      assert.equal((await verifierFromDiscovery.verify(token, expected)).ok, true);
      assert.equal(hits.filter((h) => h.endsWith("openid-configuration")).length, 2, "once per verifier (the failed one, then this one)");
      assert.equal(hits.filter((h) => h === "/keys").length, 1, "keys cached");
    } finally {
      server.close();
    }
  });
});
