import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { authorizeUrl, MEGAN, PORTAL, redeem, returned, SPA_CLIENT, SPA_REDIRECT, TENANT, TestBrowser, useTestEmulator, WEB_CLIENT, WEB_REDIRECT, WEB_SECRET } from "./helpers.js";

const TOKEN_PATH = `/${TENANT}/oauth2/v2.0/token`;

function assertAadShape(body: Record<string, unknown>, code: number, error?: string): void {
  if (error) assert.equal(body.error, error);
  assert.deepEqual(body.error_codes, [code]);
  assert.match(String(body.error_description), new RegExp(`^AADSTS${code}: .+ Trace ID: [0-9a-f-]{36} Correlation ID: [\\w-]+ Timestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`));
  for (const field of ["timestamp", "trace_id", "correlation_id"]) assert.equal(typeof body[field], "string", field);
}

describe("Entra-shaped errors", () => {
  const emu = useTestEmulator();
  let code: () => Promise<string>;
  before(async () => {
    code = async () => {
      const b = new TestBrowser(emu());
      let p = await b.go(authorizeUrl(emu(), {}));
      p = await b.submit(p, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
      return returned(p).get("code") ?? "";
    };
  });

  it("50126: wrong password is shown on the password page, accessibly", async () => {
    const b = new TestBrowser(emu());
    let p = await b.go(authorizeUrl(emu(), {}));
    p = await b.submit(p, "username", { loginfmt: MEGAN.upn });
    p = await b.submit(p, "password", { passwd: "wrong" });
    assert.equal(p.status, 200);
    assert.match(p.html, /AADSTS50126/);
    assert.match(p.html, /role="alert"/);
    assert.match(p.html, /aria-describedby="password-error"/);
    assert.match(p.html, /<html lang="en">/);
  });

  it("50011 and 700016 at authorize render an error page with the caller's correlation id", async () => {
    const b = new TestBrowser(emu());
    const mismatch = await b.go(authorizeUrl(emu(), { redirect_uri: "http://localhost:3000/other", "client-request-id": "corr-123" }));
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.html, /AADSTS50011/);
    assert.match(mismatch.html, /corr-123/);
    assert.match(mismatch.html, /Trace ID/);
    const unknown = await b.go(authorizeUrl(emu(), { client_id: "11111111-1111-1111-1111-111111111111" }));
    assert.match(unknown.html, /AADSTS700016/);
  });

  it("90014 for bad claims JSON and 70011 for an unknown scope go back to the redirect URI", async () => {
    const b = new TestBrowser(emu());
    const bad = await b.go(authorizeUrl(emu(), { claims: "{not json" }));
    assert.equal(returned(bad).get("error"), "invalid_request");
    assert.match(returned(bad).get("error_description") ?? "", /^AADSTS90014/);
    assert.equal(returned(bad).get("state"), "s1");
    const scope = await b.go(authorizeUrl(emu(), { scope: "openid api://other/thing" }));
    assert.equal(returned(scope).get("error"), "invalid_scope");
    assert.match(returned(scope).get("error_description") ?? "", /^AADSTS70011/);
    const notObject = await b.go(authorizeUrl(emu(), { claims: '{"access_token":{"acrs":{"value":5}}}' }));
    assert.match(returned(notObject).get("error_description") ?? "", /^AADSTS90014/);
  });

  it("SPA without PKCE is refused (9002325)", async () => {
    const p = await new TestBrowser(emu()).go(authorizeUrl(emu(), { client_id: SPA_CLIENT, redirect_uri: SPA_REDIRECT }));
    assert.match(returned(p).get("error_description") ?? "", /^AADSTS9002325/);
  });

  it("token endpoint: 700016, 7000215, 9002326, 9002327, 70003, 90014, 501481 and the client's correlation id", async () => {
    const unknown = await redeem(emu(), { grant_type: "authorization_code", client_id: "11111111-1111-1111-1111-111111111111", code: "x" });
    assertAadShape(unknown.body, 700016, "unauthorized_client");
    const secret = await redeem(emu(), { grant_type: "authorization_code", client_id: WEB_CLIENT, client_secret: "nope", code: "x" }, { "client-request-id": "0b7e4c1a-aaaa-bbbb-cccc-000000000001" });
    assert.equal(secret.status, 401);
    assertAadShape(secret.body, 7000215, "invalid_client");
    assert.equal(secret.body.correlation_id, "0b7e4c1a-aaaa-bbbb-cccc-000000000001");
    const crossOrigin = await redeem(emu(), { grant_type: "authorization_code", client_id: WEB_CLIENT, client_secret: WEB_SECRET, code: "x" }, { origin: PORTAL });
    assertAadShape(crossOrigin.body, 9002326, "invalid_request");
    assert.match(String(crossOrigin.body.error_description), /Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type/);
    const noOrigin = await redeem(emu(), { grant_type: "authorization_code", client_id: SPA_CLIENT, code: "x" });
    assertAadShape(noOrigin.body, 9002327);
    const grant = await redeem(emu(), { grant_type: "password", client_id: WEB_CLIENT, client_secret: WEB_SECRET });
    assertAadShape(grant.body, 70003, "unsupported_grant_type");
    const claims = await redeem(emu(), { grant_type: "refresh_token", client_id: WEB_CLIENT, client_secret: WEB_SECRET, refresh_token: "x", claims: "[1" });
    assertAadShape(claims.body, 90014, "invalid_request");
    const pkceCode = await (async () => {
      const b = new TestBrowser(emu());
      let p = await b.go(authorizeUrl(emu(), { code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" }));
      p = await b.submit(p, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
      return returned(p).get("code") ?? "";
    })();
    const pkce = await redeem(emu(), { grant_type: "authorization_code", client_id: WEB_CLIENT, client_secret: WEB_SECRET, code: pkceCode, redirect_uri: WEB_REDIRECT, code_verifier: "x".repeat(43) });
    assertAadShape(pkce.body, 501481, "invalid_grant");
  });

  it("token endpoint: wrong redirect_uri and expired/unknown codes are invalid_grant", async () => {
    const wrong = await redeem(emu(), { grant_type: "authorization_code", client_id: WEB_CLIENT, client_secret: WEB_SECRET, code: await code(), redirect_uri: `${PORTAL}/x` });
    assertAadShape(wrong.body, 70000, "invalid_grant");
    // Microsoft Learn, error codes reference: 9002313 is a malformed request (a code Entra cannot
    // read); 70008 a code it can read but that expired.
    const garbage = await redeem(emu(), { grant_type: "authorization_code", client_id: WEB_CLIENT, client_secret: WEB_SECRET, code: "nope", redirect_uri: WEB_REDIRECT });
    assertAadShape(garbage.body, 9002313, "invalid_grant");
    const unknown = await redeem(emu(), { grant_type: "authorization_code", client_id: WEB_CLIENT, client_secret: WEB_SECRET, code: "A".repeat(64), redirect_uri: WEB_REDIRECT });
    assertAadShape(unknown.body, 70008, "invalid_grant");
    const c = await code();
    await emu().control("clock", { advanceSeconds: 601 });
    const expired = await redeem(emu(), { grant_type: "authorization_code", client_id: WEB_CLIENT, client_secret: WEB_SECRET, code: c, redirect_uri: WEB_REDIRECT });
    assertAadShape(expired.body, 70008, "invalid_grant");
    await emu().control("clock", { advanceSeconds: -601 });
  });

  // Microsoft Learn, "Microsoft identity platform and OAuth 2.0 authorization code flow" (error
  // response): error_uri is a page about the error; Entra's is its error code lookup page.
  it("error_uri, from the token endpoint and the redirect, opens the emulator's error code page", async () => {
    const tokenError = await redeem(emu(), { grant_type: "authorization_code", client_id: WEB_CLIENT, client_secret: WEB_SECRET, code: "nope", redirect_uri: WEB_REDIRECT });
    const redirectError = returned(await new TestBrowser(emu()).go(authorizeUrl(emu(), { claims: "{not json" }))).get("error_uri") ?? "";
    for (const [uri, code] of [[String(tokenError.body.error_uri), "9002313"], [redirectError, "90014"]] as const) {
      assert.ok(uri.startsWith(`${emu().origin}/error?code=`), uri);
      const page = await new TestBrowser(emu()).go(uri);
      assert.equal(page.status, 200);
      assert.match(page.html, new RegExp(`<strong>AADSTS${code}</strong>: \\w`));
      assert.match(page.html, /<label for="code">Error code<\/label>/);
    }
    const unknown = await new TestBrowser(emu()).go(`${emu().origin}/error?code=12345`);
    assert.match(unknown.html, /doesn’t answer with error code 12345/);
  });

  it("malformed and oversized input never yields a 500 or a stack trace", async () => {
    const huge = "a".repeat(9000);
    const cases: [string, RequestInit][] = [
      [TOKEN_PATH, { method: "POST", body: new URLSearchParams({ grant_type: "authorization_code", client_id: WEB_CLIENT, code: huge }) }],
      [TOKEN_PATH, { method: "POST", body: "x".repeat(70_000), headers: { "content-type": "application/x-www-form-urlencoded" } }],
      [TOKEN_PATH, { method: "POST", body: "{bad json", headers: { "content-type": "application/json" } }],
      [TOKEN_PATH, { method: "POST", body: "%%%&&&==", headers: { "content-type": "application/x-www-form-urlencoded" } }],
      [TOKEN_PATH, { method: "POST", headers: { authorization: "Basic %%%" }, body: "grant_type=authorization_code" }],
      [TOKEN_PATH, { method: "GET" }],
      [`/${TENANT}/oauth2/v2.0/authorize?client_id=${WEB_CLIENT}&claims=${huge}`, {}],
      [`/${TENANT}/oauth2/v2.0/authorize?%E0%A4%A=1`, {}],
      [`/${TENANT}/login/password`, { method: "POST", body: new URLSearchParams({ flow: "nope", csrf: "x" }) }],
      [`/${TENANT}/login/passkey/verify`, { method: "POST", body: "[]", headers: { "content-type": "application/json" } }],
      [`/${TENANT}/oauth2/v2.0/logout?id_token_hint=not.a.jwt`, {}],
      ["/%2e%2e/%2e%2e/etc/passwd", {}],
    ];
    for (const [path, init] of cases) {
      const res = await emu().fetch(`${emu().origin}${path}`, init);
      const text = await res.text();
      assert.ok(res.status < 500, `${path.slice(0, 60)} -> ${res.status}`);
      assert.doesNotMatch(text, /at \w+ \(|node:internal|\.ts:\d+/, "no stack trace");
    }
    assert.ok(!emu().logs.some((l) => l.includes("unhandled_error")), emu().logs.filter((l) => l.includes("unhandled_error")).join("\n"));
  });

  it("a flow post with a wrong CSRF token is refused", async () => {
    const b = new TestBrowser(emu());
    const p = await b.go(authorizeUrl(emu(), {}));
    const flow = /name="flow" value="([^"]+)"/.exec(p.html)?.[1] ?? "";
    const res = await b.go(`${emu().origin}/${TENANT}/login/username`, { flow, csrf: "forged", loginfmt: MEGAN.upn });
    assert.equal(res.status, 400);
    assert.match(res.html, /AADSTS90000/);
  });
});
