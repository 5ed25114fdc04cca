import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRemoteJWKSet, customFetch as joseFetch, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { isLoopback } from "../http.js";
import { API_APP, authorizeUrl, cleanup, CONTROL_SECRET, redeem, returned, SPA_CLIENT, startTestEmulator, TENANT, TestBrowser, totpCode, useTestEmulator, WEB_CLIENT, WEB_REDIRECT, WEB_SECRET } from "./helpers.js";

describe("control API and persistence", () => {
  const emu = useTestEmulator();

  it("refuses a missing or wrong secret, and only loopback callers count", async () => {
    const none = await emu().fetch(`${emu().origin}/__control/clock`);
    assert.equal(none.status, 401);
    const wrong = await emu().fetch(`${emu().origin}/__control/clock`, { headers: { authorization: `Bearer ${CONTROL_SECRET}x` } });
    assert.equal(wrong.status, 401);
    assert.ok(isLoopback("127.0.0.1") && isLoopback("::1") && isLoopback("::ffff:127.0.0.1"));
    assert.ok(!isLoopback("10.0.0.1") && !isLoopback("::ffff:192.168.1.2") && !isLoopback(undefined));
  });

  it("does not exist without --test-control", async () => {
    const plain = await startTestEmulator({ controlSecret: undefined });
    try {
      const res = await plain.fetch(`${plain.origin}/__control/clock`, { headers: { authorization: `Bearer ${CONTROL_SECRET}` } });
      assert.equal(res.status, 404);
    } finally {
      await plain.close();
      cleanup(plain);
    }
  });

  it("creates per-test users with unique UPNs, TOTP secrets and passkeys", async () => {
    const [a, b] = await Promise.all([1, 2].map(async () => (await (await emu().control("users", { methods: ["totp", "passkey"], roles: ["Portal.Admin"] })).json()) as Record<string, unknown>));
    assert.notEqual(a?.userPrincipalName, b?.userPrincipalName);
    assert.match(String(a?.totpSecret), /^[A-Z2-7]{32}$/);
    const passkey = a?.passkey as Record<string, string>;
    assert.equal(passkey.rpId, "localhost");
    assert.ok(passkey.credentialId && passkey.privateKeyPkcs8 && passkey.userHandle);
    const code = (await (await emu().control(`users/${String(a?.oid)}/totp`)).json()) as { code: string };
    assert.match(code.code, /^\d{6}$/);
    // "sms" became a method with the simulated SMS slice; voice calls are not emulated.
    const bad = await emu().control("users", { methods: ["voice"] });
    assert.equal(bad.status, 400);
  });

  it("moves the clock and reports it", async () => {
    const before = (await (await emu().control("clock")).json()) as { now: string; offsetSeconds: number };
    const moved = (await (await emu().control("clock", { advanceSeconds: 120 })).json()) as { now: string; offsetSeconds: number };
    assert.equal(moved.offsetSeconds - before.offsetSeconds, 120);
    assert.ok(Date.parse(moved.now) - Date.parse(before.now) >= 120_000);
    await emu().control("clock", { advanceSeconds: -120 });
  });

  it("mints each kind of broken token, and each fails verification the way a resource server checks", async () => {
    const user = (await (await emu().control("users", { methods: ["totp"] })).json()) as { oid: string; userPrincipalName: string; password: string };
    const jwks = createRemoteJWKSet(new URL(`${emu().origin}/${TENANT}/discovery/v2.0/keys`), { [joseFetch]: emu().fetch });
    const options = { issuer: `${emu().origin}/${TENANT}/v2.0`, audience: API_APP, algorithms: ["RS256"], requiredClaims: ["acrs", "auth_time", "tid", "azp"] };
    const mint = async (kind: string) => {
      const res = await emu().control("tokens/broken", { kind, oid: user.oid, acrs: ["c1"] });
      assert.equal(res.status, 200, kind);
      return ((await res.json()) as { token: string }).token;
    };
    // A resource server's full check: jose's checks plus tenant and authorized party.
    const verify = async (token: string) => {
      const { payload } = await jwtVerify(token, jwks, options);
      if (payload.tid !== TENANT) throw new Error("wrong tenant");
      if (payload.azp !== SPA_CLIENT && payload.azp !== WEB_CLIENT) throw new Error("wrong azp");
      // c1 asks for a verification within 5 minutes (the portal's freshness check).
      if (Number(payload.iat) - Number(payload.auth_time) > 300) throw new Error("stale auth_time");
      return payload;
    };
    for (const kind of ["wrong-signature", "alg-none", "hs256-public-key", "wrong-issuer", "wrong-audience", "wrong-tenant", "wrong-azp", "expired", "not-yet-valid", "missing-acrs", "missing-auth-time", "stale-auth-time"]) {
      await assert.rejects(verify(await mint(kind)), Error, kind);
    }
    const idToken = await mint("id-token");
    assert.equal(decodeJwt(idToken).aud, WEB_CLIENT);
    await assert.rejects(verify(idToken));
    assert.equal(decodeProtectedHeader(await mint("alg-none")).alg, "none");
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { scope: "openid api://woodgrove-portal/access_as_user", claims: JSON.stringify({ access_token: { acrs: { essential: true, value: "c1" } } }) }));
    page = await browser.submit(page, "username", { loginfmt: user.userPrincipalName, passwd: user.password });
    page = await browser.submit(page, "totp", { otc: await totpCode(emu(), user.oid) });
    const real = await redeem(emu(), { grant_type: "authorization_code", code: returned(page).get("code") ?? "", client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT });
    assert.deepEqual((await verify(String(real.body.access_token))).acrs, ["c1"], "the same checks accept a genuine token");
    const invalid = await emu().control("tokens/broken", { kind: "nope", oid: user.oid });
    assert.equal(invalid.status, 400);
  });

  it("state survives a restart; --reset starts clean from directory.json", async () => {
    const user = (await (await emu().control("users", { methods: ["totp"] })).json()) as { oid: string; userPrincipalName: string; password: string };
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), {}));
    page = await browser.submit(page, "username", { loginfmt: user.userPrincipalName, passwd: user.password });
    const tokens = await redeem(emu(), { grant_type: "authorization_code", code: returned(page).get("code") ?? "", client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT });
    const kid = decodeProtectedHeader(String(tokens.body.access_token)).kid;
    const jwksBefore = await (await emu().fetch(`${emu().origin}/${TENANT}/discovery/v2.0/keys`)).text();

    await emu.restart();
    const jwksAfter = (await (await emu().fetch(`${emu().origin}/${TENANT}/discovery/v2.0/keys`)).json()) as { keys: { kid: string }[] };
    assert.ok(jwksAfter.keys.some((k) => k.kid === kid), `signing key persisted (${jwksBefore.length})`);
    assert.match(await totpCode(emu(), user.oid), /^\d{6}$/, "control-created user persisted");
    const refreshed = await redeem(emu(), { grant_type: "refresh_token", refresh_token: String(tokens.body.refresh_token), client_id: WEB_CLIENT, client_secret: WEB_SECRET });
    assert.equal(refreshed.status, 200, "refresh token persisted");

    await emu.restart({ reset: true });
    assert.equal((await emu().control(`users/${user.oid}/totp`)).status, 404, "--reset drops added users");
    const gone = await redeem(emu(), { grant_type: "refresh_token", refresh_token: String(refreshed.body.refresh_token), client_id: WEB_CLIENT, client_secret: WEB_SECRET });
    assert.equal(gone.body.error, "invalid_grant");
  });

  it("POST /__control/reset returns to directory.json and clears sessions and clock", async () => {
    const user = (await (await emu().control("users", {})).json()) as { oid: string };
    await emu().control("clock", { advanceSeconds: 50 });
    assert.equal((await emu().control("reset", {})).status, 200);
    const clock = (await (await emu().control("clock")).json()) as { offsetSeconds: number };
    assert.equal(clock.offsetSeconds, 0);
    assert.equal((await emu().control(`users/${user.oid}/totp`)).status, 404);
  });
});
