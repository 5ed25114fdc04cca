import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { authorizeUrl, decode, type Page, PASSWORD, redeem, returned, TestBrowser, useTestEmulator, WEB_CLIENT, WEB_REDIRECT, WEB_SECRET } from "./helpers.js";

const DIEGO = { oid: "e66e2ed2-fd39-4c38-a6e8-2f6001d6975a", upn: "diego@woodgrove.test" };
const acr = (ctx: string) => JSON.stringify({ access_token: { acrs: { essential: true, value: ctx } } });

interface InboxMessage {
  to: string;
  code: string;
  used: boolean;
  expired: boolean;
}

describe("SMS codes (simulated)", () => {
  const emu = useTestEmulator();
  beforeEach(async () => {
    await emu().control("reset", {});
  });

  async function inbox(oid: string): Promise<InboxMessage[]> {
    const res = await emu().control(`sms?oid=${oid}`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { messages: InboxMessage[] }).messages;
  }

  async function latestCode(oid: string): Promise<string> {
    const [message] = await inbox(oid);
    assert.ok(message, "a text message was sent");
    return message.code;
  }

  async function toSecondFactor(upn: string, password: string, ctx: string): Promise<{ browser: TestBrowser; page: Page }> {
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { claims: acr(ctx), scope: "openid offline_access api://woodgrove-portal/access_as_user" }));
    page = await browser.submit(page, "username", { loginfmt: upn, passwd: password });
    return { browser, page };
  }

  async function tokenFrom(page: Page): Promise<{ acrs: unknown; refreshToken: string }> {
    assert.equal(page.status, 302, page.html.slice(0, 600));
    const res = await redeem(emu(), { grant_type: "authorization_code", code: returned(page).get("code") ?? "", client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return { acrs: decode(String(res.body.access_token)).payload.acrs, refreshToken: String(res.body.refresh_token) };
  }

  async function smsUser(methods: string[] = ["sms"]): Promise<{ oid: string; userPrincipalName: string; password: string; phoneNumber: string }> {
    const res = await emu().control("users", { methods });
    assert.equal(res.status, 201);
    return (await res.json()) as { oid: string; userPrincipalName: string; password: string; phoneNumber: string };
  }

  it("Diego (persona sms) satisfies c1 with a texted code delivered to the inbox", async () => {
    const { browser, page } = await toSecondFactor(DIEGO.upn, PASSWORD, "c1");
    assert.match(page.html, /<label for="otc">Enter code<\/label>/);
    assert.match(page.html, /We texted your phone ••• ••• 1234/);
    const messages = await inbox(DIEGO.oid);
    assert.equal(messages.length, 1);
    assert.equal(messages[0]?.to, "+1 555 0100 1234");
    assert.match(messages[0]?.code ?? "", /^\d{6}$/);
    const done = await browser.submit(page, "sms", { otc: messages[0]?.code ?? "" });
    assert.deepEqual((await tokenFrom(done)).acrs, ["c1"]);
    assert.equal((await inbox(DIEGO.oid))[0]?.used, true);
  });

  it("a code works once", async () => {
    const first = await toSecondFactor(DIEGO.upn, PASSWORD, "c1");
    const code = await latestCode(DIEGO.oid);
    assert.equal((await first.browser.submit(first.page, "sms", { otc: code })).status, 302);
    const second = await toSecondFactor(DIEGO.upn, PASSWORD, "c1");
    const replay = await second.browser.submit(second.page, "sms", { otc: code });
    assert.equal(replay.status, 200);
    assert.match(replay.html, /already used/);
    const wrong = await second.browser.submit(replay, "sms", { otc: "12345x" });
    assert.match(wrong.html, /That code didn/);
    assert.equal((await second.browser.submit(wrong, "sms", { otc: await latestCode(DIEGO.oid) })).status, 302);
  });

  it("a code expires after 10 minutes on the emulator clock (599 s accepted, 601 s refused)", async () => {
    const user = await smsUser();
    await toSecondFactor(user.userPrincipalName, user.password, "c1");
    const stale = await latestCode(user.oid);
    await emu().control("clock", { advanceSeconds: 540 });
    const second = await toSecondFactor(user.userPrincipalName, user.password, "c1");
    const fresh = await latestCode(user.oid);
    await emu().control("clock", { advanceSeconds: 61 });
    const expired = await second.browser.submit(second.page, "sms", { otc: stale });
    assert.match(expired.html, /expired/);
    assert.equal((await inbox(user.oid)).find((m) => m.code === stale)?.expired, true);
    assert.equal((await second.browser.submit(expired, "sms", { otc: fresh })).status, 302);

    const third = await toSecondFactor(user.userPrincipalName, user.password, "c1");
    const edge = await latestCode(user.oid);
    // The emulator clock is the wall clock plus an offset, so "exactly 600 s" would already be late.
    await emu().control("clock", { advanceSeconds: 599 });
    assert.equal((await third.browser.submit(third.page, "sms", { otc: edge })).status, 302, "a code just under 10 minutes old still works");
  });

  it("c2 is refused in production (a proven text message leads to the registration interrupt, which offers no SMS) and satisfied by SMS in staging", async () => {
    const production = await toSecondFactor(DIEGO.upn, PASSWORD, "c2");
    // The phone proves it is Diego before he may add a passkey; it does not satisfy c2.
    assert.match(production.page.html, /needs a passkey/);
    assert.match(production.page.html, /We texted your phone/);
    const interrupt = await production.browser.submit(production.page, "sms", { otc: await latestCode(DIEGO.oid) });
    assert.match(interrupt.html, /More information required/);
    assert.match(interrupt.html, /Register a passkey/);
    assert.doesNotMatch(interrupt.html, /Text a code/);

    await emu().control("policy-set", { set: "staging" });
    const staging = await toSecondFactor(DIEGO.upn, PASSWORD, "c2");
    const done = await staging.browser.submit(staging.page, "sms", { otc: await latestCode(DIEGO.oid) });
    assert.deepEqual((await tokenFrom(done)).acrs, ["c2"]);
    const { results } = (await (await emu().control("report-only")).json()) as { results: { result: string; oid: string }[] };
    assert.deepEqual(results.map((r) => [r.oid, r.result]), [[DIEGO.oid, "reportOnlyFailure"]]);
  });

  it("the method choice offers the masked number; a new code can be requested", async () => {
    const user = await smsUser(["totp", "sms"]);
    assert.match(user.phoneNumber, /^\+1 555 01\d{2} \d{4}$/);
    const { browser, page } = await toSecondFactor(user.userPrincipalName, user.password, "c3");
    const last4 = user.phoneNumber.slice(-4);
    assert.match(page.html, new RegExp(`>Text a code to ••• ••• ${last4}</button>`));
    assert.match(page.html, />Use a verification code from my authenticator app</);
    assert.deepEqual(await inbox(user.oid), [], "nothing is sent before the user picks SMS");
    const codePage = await browser.submit(page, "method", { method: "sms" });
    assert.match(codePage.html, new RegExp(`We texted your phone ••• ••• ${last4}`));
    assert.equal((await inbox(user.oid)).length, 1);
    const resent = await browser.submit(codePage, "method", { method: "sms", resend: "1" });
    assert.equal((await inbox(user.oid)).length, 2);
    const done = await browser.submit(resent, "sms", { otc: await latestCode(user.oid) });
    assert.deepEqual((await tokenFrom(done)).acrs, ["c3"]);
  });

  it("a refresh asking for c1 within 5 minutes of the SMS is issued, after that it needs interaction", async () => {
    const user = await smsUser();
    const { browser, page } = await toSecondFactor(user.userPrincipalName, user.password, "c1");
    const { refreshToken } = await tokenFrom(await browser.submit(page, "sms", { otc: await latestCode(user.oid) }));
    const refresh = (token: string) =>
      redeem(emu(), { grant_type: "refresh_token", refresh_token: token, client_id: WEB_CLIENT, client_secret: WEB_SECRET, claims: acr("c1"), scope: "openid offline_access api://woodgrove-portal/access_as_user" });
    const ok = await refresh(refreshToken);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(decode(String(ok.body.access_token)).payload.acrs, ["c1"]);
    await emu().control("clock", { advanceSeconds: 301 });
    const stale = await refresh(String(ok.body.refresh_token));
    assert.equal(stale.body.error, "invalid_grant");
    assert.deepEqual([stale.body.error_codes, stale.body.suberror], [[50076], "basic_action"]);
  });

  it("five wrong codes in a row void the outstanding code; a new one works", async () => {
    const user = await smsUser();
    const signIn = await toSecondFactor(user.userPrincipalName, user.password, "c1");
    const { browser } = signIn;
    let { page } = signIn;
    const code = await latestCode(user.oid);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) page = await browser.submit(page, "sms", { otc: wrong });
    assert.match(page.html, /Too many wrong codes/);
    page = await browser.submit(page, "sms", { otc: code });
    assert.match(page.html, /expired/, "the right code no longer works");
    page = await browser.submit(page, "method", { method: "sms", resend: "1" });
    assert.equal((await browser.submit(page, "sms", { otc: await latestCode(user.oid) })).status, 302);
  });

    it("the inbox route needs a known user id", async () => {
    assert.equal((await emu().control("sms?oid=nope")).status, 400);
    assert.equal((await emu().control("sms?oid=00000000-0000-4000-8000-000000000000")).status, 404);
  });
});
