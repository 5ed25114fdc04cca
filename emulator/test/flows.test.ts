import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as client from "openid-client";
import { createRemoteJWKSet, customFetch as joseFetch, jwtVerify } from "jose";
import {
  API_APP, API_SCOPE, authorizeUrl, decode, MEGAN, PORTAL, redeem, returned, SPA_CLIENT, SPA_REDIRECT, TENANT, TestBrowser, type TestFetch, totpCode, useTestEmulator, WEB_CLIENT, WEB_REDIRECT, WEB_SECRET,
} from "./helpers.js";

const c1 = JSON.stringify({ access_token: { acrs: { essential: true, value: "c1" } } });

describe("authorization code, refresh and claims with openid-client", () => {
  const emu = useTestEmulator();
  let config: client.Configuration;
  let spa: client.Configuration;
  before(async () => {
    const server = new URL(`${emu().origin}/${TENANT}/v2.0`);
    config = await client.discovery(server, WEB_CLIENT, WEB_SECRET, client.ClientSecretPost(WEB_SECRET), { [client.customFetch]: emu().fetch });
    config[client.customFetch] = emu().fetch;
    // The SPA redeems cross-origin, so every token call carries the portal's Origin.
    const spaFetch: TestFetch = (input, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set("origin", PORTAL);
      return emu().fetch(input, { ...init, headers });
    };
    spa = await client.discovery(server, SPA_CLIENT, undefined, client.None(), { [client.customFetch]: spaFetch });
    spa[client.customFetch] = spaFetch;
  });

  async function signIn(cfg: client.Configuration, redirectUri: string, params: Record<string, string>, factor?: "totp") {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: redirectUri,
      scope: `openid profile email offline_access ${API_SCOPE}`,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
      ...params,
    });
    const browser = new TestBrowser(emu());
    let page = await browser.go(url.toString());
    assert.match(page.html, /<label for="loginfmt">Email or username<\/label>/);
    page = await browser.submit(page, "username", { loginfmt: MEGAN.upn });
    assert.match(page.html, /<label for="passwd">Password<\/label>/);
    page = await browser.submit(page, "password", { passwd: MEGAN.password });
    if (factor === "totp") {
      assert.match(page.html, /<label for="otc">Enter code<\/label>/);
      assert.match(page.html, /autocomplete="one-time-code"/);
      assert.match(page.html, /inputmode="numeric"/);
      page = await browser.submit(page, "totp", { otc: await totpCode(emu(), MEGAN.oid) });
    }
    assert.equal(page.status, 302, page.html.slice(0, 400));
    const tokens = await client.authorizationCodeGrant(cfg, new URL(page.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    return { tokens, browser, callback: page.url };
  }

  it("password + TOTP with a c1 claims request yields acrs in an access token shaped as Entra issues it", async () => {
    const { tokens } = await signIn(config, WEB_REDIRECT, { claims: c1 }, "totp");
    assert.equal(tokens.token_type.toLowerCase(), "bearer");
    assert.equal(typeof tokens.expires_in, "number");
    assert.ok(tokens.refresh_token);
    const body = tokens as unknown as Record<string, unknown>;
    assert.equal(body.client_info, undefined, "client_info only for client_info=1");
    assert.equal(typeof body.ext_expires_in, "number");
    const jwks = createRemoteJWKSet(new URL(`${emu().origin}/${TENANT}/discovery/v2.0/keys`), { [joseFetch]: emu().fetch });
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, { issuer: `${emu().origin}/${TENANT}/v2.0`, audience: API_APP, algorithms: ["RS256"] });
    assert.equal(protectedHeader.typ, "JWT");
    assert.ok(protectedHeader.kid);
    assert.deepEqual(payload.acrs, ["c1"]);
    assert.equal(payload.ver, "2.0");
    assert.equal(payload.azp, WEB_CLIENT);
    assert.equal(payload.azpacr, "1");
    assert.equal(payload.tid, TENANT);
    assert.equal(payload.oid, MEGAN.oid);
    assert.equal(payload.scp, "access_as_user");
    assert.equal(payload.amr, undefined, "no amr in v2 tokens");
    assert.equal(payload.acr, undefined);
    assert.equal(payload.xms_cc, undefined);
    assert.equal(typeof payload.auth_time, "number");
    for (const claim of ["uti", "aio", "rh", "sub", "name", "preferred_username", "iat", "nbf", "exp"]) assert.ok(claim in payload, claim);
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 3600);
    const id = tokens.claims();
    assert.equal(id?.aud, WEB_CLIENT);
    assert.equal(id?.email, MEGAN.upn);
    assert.equal(id?.amr, undefined);
    assert.notEqual(id?.sub, payload.sub, "sub is pairwise per application");
  });

  // Microsoft Learn, "Developer guide to Conditional Access authentication context": acrs lists the
  // contexts met; with none met Entra leaves the claim out rather than sending [].
  it("password only: acrs is absent from both tokens, and the Auth.js id_token request reports only satisfied contexts", async () => {
    const claims = JSON.stringify({ id_token: { acrs: { essential: false, values: ["c1", "c2", "c3"] }, auth_time: { essential: true } } });
    const { tokens } = await signIn(config, WEB_REDIRECT, { claims });
    assert.equal(decode(tokens.access_token).payload.acrs, undefined);
    const id = tokens.claims();
    assert.equal(id?.acrs, undefined, "no context met: no acrs claim, not acrs: []");
    assert.equal(typeof id?.auth_time, "number");
  });

  // OpenID Connect Core 1.0 §3.1.2.1 (max_age): the ID token must then carry auth_time. Microsoft
  // Learn's optional claims reference: auth_time is also an ID-token optional claim an app may set.
  it("ID token auth_time: present when max_age was sent or the app's optional claims ask for it, absent otherwise", async () => {
    const plain = (await signIn(spa, SPA_REDIRECT, {})).tokens;
    assert.equal(plain.claims()?.auth_time, undefined, "the SPA has no auth_time optional claim");
    const withMaxAge = (await signIn(spa, SPA_REDIRECT, { max_age: "3600" })).tokens;
    assert.equal(typeof withMaxAge.claims()?.auth_time, "number");
    const optional = (await signIn(config, WEB_REDIRECT, {})).tokens;
    assert.equal(typeof optional.claims()?.auth_time, "number", "the web app configured auth_time as an optional claim");
  });

  it("id_token values form reports c1 and c3 after TOTP, not c2 (passkey only)", async () => {
    const claims = JSON.stringify({ id_token: { acrs: { essential: false, values: ["c1", "c2", "c3"] }, auth_time: { essential: true } }, access_token: { acrs: { essential: true, values: ["c1"] } } });
    const { tokens } = await signIn(config, WEB_REDIRECT, { claims }, "totp");
    assert.deepEqual(tokens.claims()?.acrs, ["c1", "c3"]);
  });

  // Microsoft Learn, optional claims reference (xms_cc) and "Claims challenges, claims requests and
  // client capabilities": cp1 is the capability Entra knows, and the token says `cp1` however the
  // client spelled it; others are not echoed.
  it("SPA: PKCE public client, azpacr 0, xms_cc only when the client sent it and only cp1", async () => {
    const claims = JSON.stringify({ access_token: { xms_cc: { values: ["CP1", "cp2", "madeup"] } } });
    const { tokens } = await signIn(spa, SPA_REDIRECT, { claims });
    const at = decode(tokens.access_token).payload;
    assert.equal(at.azp, SPA_CLIENT);
    assert.equal(at.azpacr, "0");
    assert.deepEqual(at.xms_cc, ["cp1"]);
  });

  // Microsoft Learn, "Refresh tokens in the Microsoft identity platform" (token lifetime): every
  // use returns a new refresh token, Entra does not revoke the one redeemed, and an SPA's new
  // refresh token carries over the first one's 24-hour expiry.
  // Microsoft Learn, "Microsoft identity platform and OAuth 2.0 authorization code flow": client_info
  // comes back when the request sends client_info=1 (MSAL always does; other libraries never).
  it("client_info: in the authorize and token responses only when the request sent client_info=1", async () => {
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { client_info: "1" }));
    page = await browser.submit(page, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
    const fromAuthorize = returned(page).get("client_info");
    assert.deepEqual(JSON.parse(Buffer.from(fromAuthorize ?? "", "base64url").toString()), { uid: MEGAN.oid, utid: TENANT });
    const form = { grant_type: "authorization_code", code: returned(page).get("code") ?? "", client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT };
    const withInfo = await redeem(emu(), { ...form, client_info: "1" });
    assert.equal(withInfo.body.client_info, fromAuthorize);
    const refreshed = await redeem(emu(), { grant_type: "refresh_token", refresh_token: String(withInfo.body.refresh_token), client_id: WEB_CLIENT, client_secret: WEB_SECRET });
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body.client_info, undefined);
    page = await browser.go(authorizeUrl(emu(), {}));
    assert.equal(returned(page).get("client_info"), null);
  });

  // Microsoft Learn, optional claims reference ("login_hint"): an opaque, reliable hint in the ID
  // token that the app passes back as the login_hint parameter; MSAL prefers it to the user name.
  it("login_hint optional claim: in the SPA's ID token (MSAL's client), and accepted back as login_hint", async () => {
    const { tokens, browser } = await signIn(spa, SPA_REDIRECT, {});
    const hint = String(tokens.claims()?.login_hint ?? "");
    assert.ok(hint && !hint.includes(MEGAN.upn), "opaque: not the user name");
    assert.equal((await signIn(config, WEB_REDIRECT, {})).tokens.claims()?.login_hint, undefined, "only where configured");
    const silent = await browser.go(authorizeUrl(emu(), { prompt: "none", login_hint: hint }));
    assert.ok(returned(silent).get("code"), "the hint names the signed-in user: no prompt");
    const fresh = await new TestBrowser(emu()).go(authorizeUrl(emu(), { login_hint: hint }));
    assert.match(fresh.html, /<label for="passwd">Password<\/label>/);
    assert.match(fresh.html, new RegExp(MEGAN.upn), "the page shows the user it names");
  });

  it("refresh: a new refresh token each time, the redeemed one still works (no reuse revocation)", async () => {
    const { tokens } = await signIn(config, WEB_REDIRECT, {});
    const first = tokens.refresh_token ?? "";
    const second = await client.refreshTokenGrant(config, first);
    assert.ok(second.refresh_token && second.refresh_token !== first);
    const again = await client.refreshTokenGrant(config, first);
    assert.ok(again.access_token, "the redeemed refresh token is not revoked");
    assert.ok((await client.refreshTokenGrant(config, second.refresh_token ?? "")).access_token, "nor is the rest of its family");
  });

  it("refresh: an SPA's rotated refresh token keeps the first one's 24-hour expiry; a web app's gets 90 days again", async () => {
    const spaTokens = (await signIn(spa, SPA_REDIRECT, {})).tokens;
    await emu().control("clock", { advanceSeconds: 23 * 3600 });
    try {
      const rotated = await client.refreshTokenGrant(spa, spaTokens.refresh_token ?? "");
      assert.ok(rotated.refresh_token);
      await emu().control("clock", { advanceSeconds: 2 * 3600 });
      await assert.rejects(client.refreshTokenGrant(spa, rotated.refresh_token ?? ""), (err: client.ResponseBodyError) => err.error === "invalid_grant", "expires 24 h after the sign-in");
    } finally {
      await emu().control("clock", { advanceSeconds: -25 * 3600 });
    }
    const webTokens = (await signIn(config, WEB_REDIRECT, {})).tokens;
    await emu().control("clock", { advanceSeconds: 89 * 24 * 3600 });
    try {
      const rotated = await client.refreshTokenGrant(config, webTokens.refresh_token ?? "");
      await emu().control("clock", { advanceSeconds: 2 * 24 * 3600 });
      assert.ok((await client.refreshTokenGrant(config, rotated.refresh_token ?? "")).access_token, "a web app's new refresh token has its own 90 days");
    } finally {
      await emu().control("clock", { advanceSeconds: -91 * 24 * 3600 });
    }
  });

  it("refresh with an unmet claims request answers invalid_grant AADSTS50076 (suberror basic_action); a met one is issued silently", async () => {
    const { tokens } = await signIn(config, WEB_REDIRECT, {});
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token ?? "", { claims: c1 }), (err: client.ResponseBodyError) => {
      assert.equal(err.error, "invalid_grant");
      assert.deepEqual(err.cause.error_codes, [50076]);
      assert.equal(err.cause.suberror, "basic_action");
      return true;
    });
    // The refresh token was not consumed by the failed attempt.
    const c3 = JSON.stringify({ access_token: { acrs: { essential: true, value: "c3" } } });
    const mfa = await signIn(config, WEB_REDIRECT, { claims: c1 }, "totp");
    const silent = await client.refreshTokenGrant(config, mfa.tokens.refresh_token ?? "", { claims: c3, scope: API_SCOPE });
    assert.deepEqual(decode(silent.access_token).payload.acrs, ["c3"]);
    await emu().control("clock", { advanceSeconds: 3700 });
    await assert.rejects(client.refreshTokenGrant(config, silent.refresh_token ?? "", { claims: c3 }), (err: client.ResponseBodyError) => err.error === "invalid_grant" && err.cause.suberror === "basic_action");
    await emu().control("clock", { advanceSeconds: -3700 });
  });

  it("a step-up in the same browser asks only for the second factor", async () => {
    const { browser } = await signIn(config, WEB_REDIRECT, {});
    const page = await browser.go(authorizeUrl(emu(), { claims: c1 }));
    assert.match(page.html, /Enter code/);
    assert.doesNotMatch(page.html, /Password/);
  });

  it("prompt=none: login_required without a session, interaction_required for an unmet context, code when satisfied", async () => {
    const anon = await new TestBrowser(emu()).go(authorizeUrl(emu(), { prompt: "none" }));
    assert.equal(returned(anon).get("error"), "login_required");
    const { browser } = await signIn(config, WEB_REDIRECT, {});
    const unmet = await browser.go(authorizeUrl(emu(), { prompt: "none", claims: c1, state: "xyz" }));
    assert.equal(returned(unmet).get("error"), "interaction_required");
    assert.match(returned(unmet).get("error_description") ?? "", /^AADSTS50076/);
    assert.equal(returned(unmet).get("state"), "xyz");
    const ok = await browser.go(authorizeUrl(emu(), { prompt: "none" }));
    assert.ok(returned(ok).get("code"));
  });

  it("fragment response mode (MSAL's default) puts the code in the fragment", async () => {
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { client_id: SPA_CLIENT, redirect_uri: SPA_REDIRECT, response_mode: "fragment", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" }));
    page = await browser.submit(page, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
    const url = new URL(page.url);
    assert.equal(url.search, "");
    assert.ok(new URLSearchParams(url.hash.slice(1)).get("code"));
    const redeemed = await redeem(emu(), { grant_type: "authorization_code", code: returned(page).get("code") ?? "", client_id: SPA_CLIENT, redirect_uri: SPA_REDIRECT, code_verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" }, { origin: PORTAL });
    assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
  });

  it("form_post response mode posts the code back with a nonce'd script", async () => {
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { response_mode: "form_post" }));
    page = await browser.submit(page, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
    assert.equal(page.status, 200);
    assert.match(page.html, new RegExp(`action="${WEB_REDIRECT}"`));
    assert.match(page.html, /name="code" value="/);
    const csp = page.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce && page.html.includes(`<script nonce="${nonce}">`));
    assert.match(csp, /frame-ancestors 'none'/);
  });

  it("logout clears the SSO session and returns to a registered post-logout URI", async () => {
    const { browser, tokens } = await signIn(config, WEB_REDIRECT, {});
    const out = await browser.go(`${emu().origin}/${TENANT}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent(`${PORTAL}/signed-out`)}&id_token_hint=${tokens.id_token}&state=bye`);
    assert.equal(out.url, `${PORTAL}/signed-out?state=bye`);
    assert.equal(browser.cookies.size, 0);
    const again = await browser.go(authorizeUrl(emu(), { prompt: "none" }));
    assert.equal(returned(again).get("error"), "login_required");
    const page = await browser.go(`${emu().origin}/${TENANT}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent("https://evil.example/")}`);
    assert.match(page.html, /You signed out/);
  });

  it("client_secret_basic works for the web client", async () => {
    const basic = await client.discovery(new URL(`${emu().origin}/${TENANT}/v2.0`), WEB_CLIENT, WEB_SECRET, client.ClientSecretBasic(WEB_SECRET), { [client.customFetch]: emu().fetch });
    basic[client.customFetch] = emu().fetch;
    const { tokens } = await signIn(basic, WEB_REDIRECT, {});
    assert.ok(tokens.access_token);
  });

  it("a replayed code is rejected (54005) and revokes the refresh token it produced", async () => {
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), {}));
    page = await browser.submit(page, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
    const code = returned(page).get("code") ?? "";
    const form = { grant_type: "authorization_code", code, client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT };
    const first = await redeem(emu(), form);
    assert.equal(first.status, 200);
    const replay = await redeem(emu(), form);
    assert.equal(replay.body.error, "invalid_grant");
    assert.deepEqual(replay.body.error_codes, [54005]);
    const refresh = await redeem(emu(), { grant_type: "refresh_token", refresh_token: String(first.body.refresh_token), client_id: WEB_CLIENT, client_secret: WEB_SECRET });
    assert.equal(refresh.body.error, "invalid_grant");
  });
});
