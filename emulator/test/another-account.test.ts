import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { authorizeUrl, decode, MEGAN, PASSWORD, redeem, returned, TestBrowser, useTestEmulator, WEB_CLIENT, WEB_REDIRECT, WEB_SECRET } from "./helpers.js";

/**
 * A `login_hint` is a suggestion, as in Entra: the password page offers "Use another account",
 * and a person who takes it is signed in as whoever they prove to be. The portal must notice
 * (the step-up's "you verified as X; continue as Y"), which its e2e tests check with this.
 */
describe("login_hint and 'Use another account'", () => {
  const emu = useTestEmulator();

  it("the hinted user's password page offers another account; signing in as someone else issues their token", async () => {
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { login_hint: MEGAN.upn }));
    assert.match(page.html, /<h1>Enter password<\/h1>/);
    assert.match(page.html, new RegExp(MEGAN.upn.replace(".", "\\.")));
    assert.match(page.html, /Use another account/);

    page = await browser.submit(page, "another-account");
    assert.match(page.html, /<h1>Sign in<\/h1>/);
    assert.doesNotMatch(page.html, /value="megan@woodgrove\.test"/, "the hint is not prefilled again");

    page = await browser.submit(page, "username", { loginfmt: "nestor@woodgrove.test", passwd: PASSWORD });
    const code = returned(page).get("code");
    assert.ok(code, page.html.slice(0, 300));
    const tokens = await redeem(emu(), { grant_type: "authorization_code", code, client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT });
    assert.equal(decode(String(tokens.body.id_token)).payload.preferred_username, "nestor@woodgrove.test");
  });

  it("steps proven for the hinted user do not carry over to the other account", async () => {
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { login_hint: MEGAN.upn }));
    page = await browser.submit(page, "password", { loginfmt: MEGAN.upn, passwd: "wrong" });
    assert.match(page.html, /AADSTS50126/);
    page = await browser.submit(page, "another-account");
    page = await browser.submit(page, "username", { loginfmt: "nestor@woodgrove.test", passwd: PASSWORD });
    const code = returned(page).get("code");
    assert.ok(code);
    const tokens = await redeem(emu(), { grant_type: "authorization_code", code, client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT });
    assert.equal(decode(String(tokens.body.id_token)).payload.oid, "7c5e2318-721e-427c-8b43-eeaf7d312d2d");
  });
  // Microsoft Learn, "Microsoft identity platform and OAuth 2.0 authorization code flow" (prompt):
  // select_account shows an account picker listing the signed-in accounts and "use another account".
  it("prompt=select_account: a picker with the signed-in account and 'Use another account'", async () => {
    const browser = new TestBrowser(emu());
    const none = await browser.go(authorizeUrl(emu(), { prompt: "select_account" }));
    assert.match(none.html, /<label for="loginfmt">Email or username<\/label>/, "no one signed in: straight to sign-in");
    let page = await browser.submit(none, "username", { loginfmt: MEGAN.upn, passwd: PASSWORD });
    assert.ok(returned(page).get("code"));

    page = await browser.go(authorizeUrl(emu(), { prompt: "select_account" }));
    assert.match(page.html, /<h1>Pick an account<\/h1>/);
    assert.match(page.html, new RegExp(`<button class="method" type="submit" name="account" value="0"[^>]*>.*${MEGAN.upn}`));
    assert.match(page.html, />Use another account<\/button>/);
    assert.match(page.html, /<html lang="en">/);
    const picked = await browser.submit(page, "account", { account: "0" });
    assert.ok(returned(picked).get("code"), "picking the signed-in account needs no password");

    page = await browser.go(authorizeUrl(emu(), { prompt: "select_account" }));
    const another = await browser.submit(page, "account", { account: "another" });
    assert.match(another.html, /<label for="loginfmt">Email or username<\/label>/);
    const adele = await browser.submit(another, "username", { loginfmt: "adele@woodgrove.test", passwd: PASSWORD });
    const code = returned(adele).get("code") ?? "";
    const tokens = await redeem(emu(), { grant_type: "authorization_code", code, client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT });
    assert.equal(decode(String(tokens.body.id_token)).payload.preferred_username, "adele@woodgrove.test");
  });
});
