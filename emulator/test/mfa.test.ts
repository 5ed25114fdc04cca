import assert from "node:assert/strict";
import { createHash, createPrivateKey, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { authorizeUrl, decode, MEGAN, type Page, PASSWORD, redeem, returned, TestBrowser, totpCode, useTestEmulator, WEB_CLIENT, WEB_REDIRECT, WEB_SECRET } from "./helpers.js";

const directory = JSON.parse(readFileSync(new URL("../directory.json", import.meta.url), "utf8")) as {
  users: { oid: string; userPrincipalName: string; methods: { type: string; credentialId?: string; testPrivateKeyPkcs8?: string; userHandle?: string }[] }[];
};
const byUpn = (upn: string) => {
  const u = directory.users.find((x) => x.userPrincipalName === upn);
  if (!u) throw new Error(upn);
  return u;
};
const acr = (ctx: string) => JSON.stringify({ access_token: { acrs: { essential: true, value: ctx } } });

/** A software authenticator: signs a WebAuthn assertion as a platform passkey with UV would. */
function assertion(options: { challenge: string }, cred: { credentialId: string; privateKeyPkcs8: string; userHandle?: string }, origin: string, counter = 1) {
  const authData = Buffer.concat([createHash("sha256").update("localhost").digest(), Buffer.from([0x05]), Buffer.from([0, 0, 0, counter])]);
  const clientData = Buffer.from(JSON.stringify({ type: "webauthn.get", challenge: options.challenge, origin, crossOrigin: false }));
  const key = createPrivateKey({ key: Buffer.from(cred.privateKeyPkcs8, "base64"), format: "der", type: "pkcs8" });
  const signature = sign("sha256", Buffer.concat([authData, createHash("sha256").update(clientData).digest()]), key);
  return {
    id: cred.credentialId,
    rawId: cred.credentialId,
    type: "public-key",
    response: { clientDataJSON: clientData.toString("base64url"), authenticatorData: authData.toString("base64url"), signature: signature.toString("base64url"), ...(cred.userHandle ? { userHandle: cred.userHandle } : {}) },
    clientExtensionResults: {},
    authenticatorAttachment: "platform",
  };
}

describe("second factors, lockout, registration and scripted interactions", () => {
  const emu = useTestEmulator();

  async function toSecondFactor(upn: string, password: string, claims: string, browser = new TestBrowser(emu())): Promise<{ browser: TestBrowser; page: Page }> {
    let page = await browser.go(authorizeUrl(emu(), { claims, scope: "openid offline_access api://woodgrove-portal/access_as_user" }));
    page = await browser.submit(page, "username", { loginfmt: upn, passwd: password });
    return { browser, page };
  }

  async function tokenFrom(page: Page) {
    const res = await redeem(emu(), { grant_type: "authorization_code", code: returned(page).get("code") ?? "", client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return decode(String(res.body.access_token)).payload;
  }

  it("a TOTP code works once", async () => {
    const code = await totpCode(emu(), MEGAN.oid);
    const first = await toSecondFactor(MEGAN.upn, MEGAN.password, acr("c1"));
    const ok = await first.browser.submit(first.page, "totp", { otc: code });
    assert.equal(ok.status, 302);
    const second = await toSecondFactor(MEGAN.upn, MEGAN.password, acr("c1"), new TestBrowser(emu()));
    const replay = await second.browser.submit(second.page, "totp", { otc: code });
    assert.equal(replay.status, 200);
    assert.match(replay.html, /already used/);
  });

  it("warns after the third wrong code and locks after the fifth (AADSTS50053), for 10 minutes", async () => {
    const user = (await (await emu().control("users", { methods: ["totp"] })).json()) as { oid: string; userPrincipalName: string; password: string };
    let { browser, page } = await toSecondFactor(user.userPrincipalName, user.password, acr("c1"));
    const seen: string[] = [];
    for (let i = 1; i <= 5; i++) {
      page = await browser.submit(page, "totp", { otc: "000000" });
      seen.push(page.html);
    }
    assert.doesNotMatch(seen[1] ?? "", /attempts? left/);
    assert.match(seen[2] ?? "", /2 attempts left/);
    assert.match(seen[3] ?? "", /1 attempt left/);
    assert.match(seen[4] ?? "", /AADSTS50053/);
    const locked = await browser.submit(page, "totp", { otc: await totpCode(emu(), user.oid) });
    assert.match(locked.html, /AADSTS50053/, "a right code is refused while locked");
    await emu().control("clock", { advanceSeconds: 601 });
    ({ browser, page } = await toSecondFactor(user.userPrincipalName, user.password, acr("c1"), new TestBrowser(emu())));
    const unlocked = await browser.submit(page, "totp", { otc: await totpCode(emu(), user.oid) });
    assert.equal(unlocked.status, 302);
  });

  it("a seeded passkey (adele) satisfies c2 through WebAuthn with user verification", async () => {
    const adele = byUpn("adele@woodgrove.test");
    const pk = adele.methods.find((m) => m.type === "fido2");
    assert.ok(pk?.credentialId && pk.testPrivateKeyPkcs8);
    const { browser, page } = await toSecondFactor(adele.userPrincipalName, PASSWORD, acr("c2"));
    assert.match(page.html, /<button id="passkey-button"[^>]*>Use a passkey<\/button>/);
    assert.match(page.html, /src="\/static\/simplewebauthn-browser.js"/);
    const options = await browser.json(page, "passkey/options");
    assert.equal(options.body.rpId, "localhost");
    assert.equal(options.body.userVerification, "required");
    const verified = await browser.json(page, "passkey/verify", { response: assertion(options.body as { challenge: string }, { credentialId: pk.credentialId, privateKeyPkcs8: pk.testPrivateKeyPkcs8, ...(pk.userHandle ? { userHandle: pk.userHandle } : {}) }, emu().origin) });
    assert.deepEqual(verified.body, { ok: true });
    const done = await browser.submit(page, "continue");
    assert.deepEqual((await tokenFrom(done)).acrs, ["c2"]);
    const bundle = await emu().fetch(`${emu().origin}/static/simplewebauthn-browser.js`);
    assert.match(await bundle.text(), /SimpleWebAuthnBrowser/);
  });

  it("c2 offers only the passkey; c1 offers a choice for alex (TOTP + passkey)", async () => {
    const alex = byUpn("alex@woodgrove.test");
    const c2 = await toSecondFactor(alex.userPrincipalName, PASSWORD, acr("c2"));
    assert.match(c2.page.html, /Use a passkey/);
    assert.doesNotMatch(c2.page.html, /authenticator app/);
    const c1 = await toSecondFactor(alex.userPrincipalName, PASSWORD, acr("c1"));
    assert.match(c1.page.html, /Use a verification code from my authenticator app/);
    assert.match(c1.page.html, />Use a passkey</);
    const code = await c1.browser.submit(c1.page, "method", { method: "totp" });
    assert.match(code.html, /Enter code/);
  });

  it("megan has no passkey: c2 asks her to prove her authenticator app first, then to register a passkey (AADSTS50079 interrupt)", async () => {
    const { browser, page } = await toSecondFactor(MEGAN.upn, MEGAN.password, acr("c2"));
    // The password alone must not add a method: whoever holds it could register their own passkey.
    assert.match(page.html, /<h1>Enter code<\/h1>/);
    assert.match(page.html, /needs a passkey/);
    assert.doesNotMatch(page.html, /AADSTS50079|Register a passkey/);
    const early = await browser.json(page, "register/passkey/options");
    assert.equal(early.status, 400, "no registration options before the existing method is proven");

    const interrupt = await browser.submit(page, "totp", { otc: await totpCode(emu(), MEGAN.oid) });
    assert.match(interrupt.html, /AADSTS50079/);
    assert.match(interrupt.html, /Register a passkey/);
    assert.doesNotMatch(interrupt.html, /totp-secret/);
    const options = await browser.json(interrupt, "register/passkey/options");
    assert.equal(options.status, 200);
  });

  it("nestor (no MFA) registers an authenticator app in the interrupt, then continues with c1 met", async () => {
    const nestor = byUpn("nestor@woodgrove.test");
    const { browser, page } = await toSecondFactor(nestor.userPrincipalName, PASSWORD, acr("c1"));
    assert.match(page.html, /More information required/);
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page.html)?.[1];
    assert.ok(secret);
    assert.match(page.html, /otpauth:\/\/totp\//);
    const { TOTP, Secret } = await import("otpauth");
    const clock = (await (await emu().control("clock")).json()) as { now: string };
    const otc = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: Date.parse(clock.now) });
    const done = await browser.submit(page, "register/totp", { otc });
    assert.equal(done.status, 302, done.html.slice(0, 300));
    assert.deepEqual((await tokenFrom(done)).acrs, ["c1"]);
    assert.ok((await emu().control(`users/${nestor.oid}/totp`)).ok, "the new method persisted");
  });

  it("lynne (blocked persona) gets AADSTS53003; a disabled account gets AADSTS50057", async () => {
    const lynne = byUpn("lynne@woodgrove.test");
    const blocked = await toSecondFactor(lynne.userPrincipalName, PASSWORD, "");
    assert.equal(returned(blocked.page).get("error"), "access_denied");
    assert.match(returned(blocked.page).get("error_description") ?? "", /^AADSTS53003/);
    const user = (await (await emu().control("users", { accountEnabled: false })).json()) as { userPrincipalName: string; password: string };
    const disabled = await toSecondFactor(user.userPrincipalName, user.password, "");
    assert.match(returned(disabled.page).get("error_description") ?? "", /^AADSTS50057/);
  });

  it("scripted interactions: approve, deny, cancel, hang", async () => {
    const user = (await (await emu().control("users", { methods: ["totp"] })).json()) as { oid: string; userPrincipalName: string; password: string };
    await emu().control("next-interaction", { oid: user.oid, action: "approve" });
    const approved = await toSecondFactor(user.userPrincipalName, user.password, acr("c1"));
    assert.deepEqual((await tokenFrom(approved.page)).acrs, ["c1"]);
    await emu().control("next-interaction", { oid: user.oid, action: "deny" });
    const denied = await toSecondFactor(user.userPrincipalName, user.password, acr("c1"), new TestBrowser(emu()));
    assert.equal(returned(denied.page).get("error"), "access_denied");
    await emu().control("next-interaction", { oid: user.oid, action: "cancel" });
    const cancelled = await toSecondFactor(user.userPrincipalName, user.password, acr("c1"), new TestBrowser(emu()));
    assert.equal(returned(cancelled.page).get("error"), "access_denied");
    assert.match(returned(cancelled.page).get("error_description") ?? "", /^AADSTS50074/);
    assert.equal(returned(cancelled.page).get("error_subcode"), "cancel");
    await emu().control("next-interaction", { oid: user.oid, action: "hang" });
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { claims: acr("c1") }));
    const hung = browser.submit(page, "username", { loginfmt: user.userPrincipalName, passwd: user.password });
    const outcome = await Promise.race([hung.then(() => "answered", () => "failed"), new Promise((r) => setTimeout(() => r("still open"), 500))]);
    assert.equal(outcome, "still open");
    page = await browser.go(authorizeUrl(emu(), {}));
    assert.ok(page);
  });

  it("passkey registration needs a pending challenge and demands user verification", async () => {
    const proving = await toSecondFactor(MEGAN.upn, MEGAN.password, acr("c2"));
    const browser = proving.browser;
    const page = await browser.submit(proving.page, "totp", { otc: await totpCode(emu(), MEGAN.oid) });
    const refused = await browser.json(page, "register/passkey/verify", { response: { id: "x" } });
    assert.equal(refused.status, 400);
    const options = await browser.json(page, "register/passkey/options");
    assert.equal((options.body.authenticatorSelection as Record<string, unknown>).userVerification, "required");
  });
});
