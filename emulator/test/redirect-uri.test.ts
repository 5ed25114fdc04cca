import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { authorizeUrl, MEGAN, redeem, returned, SPA_CLIENT, TENANT, TestBrowser, useTestEmulator, WEB_CLIENT, WEB_REDIRECT, WEB_SECRET } from "./helpers.js";

describe("redirect URIs as Entra matches them", () => {
  const emu = useTestEmulator();

  /** An authorize URL without redirect_uri (the helper always adds one). */
  function withoutRedirectUri(params: Record<string, string>): string {
    const url = new URL(authorizeUrl(emu(), params));
    url.searchParams.delete("redirect_uri");
    return url.toString();
  }

  const tokenForm = (code: string, extra: Record<string, string> = {}) => ({ grant_type: "authorization_code", code, client_id: WEB_CLIENT, client_secret: WEB_SECRET, ...extra });

  // RFC 6749 §3.1.2.3: with several registered redirect URIs the request must say which. Both of
  // the portal's apps have several (the web app's sign-out return is one of its redirect URIs).
  it("no redirect_uri: an app with several registered redirect URIs gets an error page, never a guess", async () => {
    for (const params of [{}, { client_id: SPA_CLIENT, code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" }] as Record<string, string>[]) {
      const page = await new TestBrowser(emu()).go(withoutRedirectUri(params));
      assert.equal(page.status, 400);
      assert.match(page.html, /AADSTS900144/);
    }
  });

  // Microsoft Learn, "Send a sign-out request": the sign-out return must be a registered redirect
  // URI, so registering it makes it a valid authorize redirect_uri as well, exactly as in Entra.
  it("the web app's sign-out return is one of its redirect URIs, usable at authorize like any other", async () => {
    const signedOut = "http://localhost:3000/signed-out";
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { redirect_uri: signedOut }));
    page = await browser.submit(page, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
    assert.ok(page.url.startsWith(`${signedOut}?`), page.url);
    const redeemed = await redeem(emu(), tokenForm(returned(page).get("code") ?? "", { redirect_uri: signedOut }));
    assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
  });

  // Microsoft Learn, "Redirect URI (reply URL) outline and restrictions", localhost exceptions: the
  // port of a localhost redirect URI is ignored when matching (RFC 8252 §7.3, §8.3); the rest must match.
  it("localhost redirect URIs match on any port; scheme, host and path still have to match", async () => {
    const otherPort = "http://localhost:4010/api/auth/callback/microsoft-entra-id";
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { redirect_uri: otherPort }));
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-security-policy") ?? "", /form-action 'self' [^;]*http:\/\/localhost:4010/);
    page = await browser.submit(page, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
    assert.ok(page.url.startsWith(`${otherPort}?`), page.url);
    const code = returned(page).get("code") ?? "";
    const wrongPort = await redeem(emu(), tokenForm(code, { redirect_uri: WEB_REDIRECT }));
    assert.deepEqual(wrongPort.body.error_codes, [70000], "the token request repeats the URI the code went to");
    const redeemed = await redeem(emu(), tokenForm(code, { redirect_uri: otherPort }));
    assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));

    for (const uri of [
      "http://localhost:4010/api/auth/callback/other",
      "https://localhost:4010/api/auth/callback/microsoft-entra-id",
      "http://127.0.0.1:3000/api/auth/callback/microsoft-entra-id",
      "http://[::1]:3000/api/auth/callback/microsoft-entra-id",
    ]) {
      const refused = await new TestBrowser(emu()).go(authorizeUrl(emu(), { redirect_uri: uri }));
      assert.equal(refused.status, 400, uri);
      assert.match(refused.html, /AADSTS50011/, uri);
    }
  });

  it("a non-loopback redirect URI must match exactly", async () => {
    const page = await new TestBrowser(emu()).go(`${emu().origin}/${TENANT}/oauth2/v2.0/authorize?client_id=${WEB_CLIENT}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent("https://portal.example:3000/api/auth/callback/microsoft-entra-id")}`);
    assert.match(page.html, /AADSTS50011/);
  });
});
