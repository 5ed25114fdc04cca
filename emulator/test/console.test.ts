import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MEGAN, type Page, PASSWORD, returned, SPA_CLIENT, SPA_REDIRECT, TENANT, TestBrowser, type TestEmulator, totpCode, useTestEmulator } from "./helpers.js";

const ISAIAH = { oid: "7e29aa6c-90a2-4b4b-add5-8b391168a038", upn: "isaiah@woodgrove.test" };
const CONSOLE_CLIENT = "c0a5e1f2-4b7d-4e3a-9c6b-8d2f1e0a7b35";
/** Staging's report-only "c2: phishing-resistant MFA" policy. */
const STAGING_C2_REPORT_ONLY = "899a7ac5-bc83-4135-b21c-7df4a036b853";

/** Opens a console page and signs in through the emulator's own pages (password only). */
async function consoleSignIn(emu: TestEmulator, upn: string, path = "/console/users"): Promise<{ browser: TestBrowser; page: Page }> {
  const browser = new TestBrowser(emu);
  const username = await browser.go(`${emu.origin}${path}`);
  assert.match(username.url, /\/oauth2\/v2\.0\/authorize\?/);
  assert.equal(new URL(username.url).searchParams.get("client_id"), CONSOLE_CLIENT);
  const password = await browser.submit(username, "username", { loginfmt: upn });
  const page = await browser.submit(password, "password", { loginfmt: upn, passwd: PASSWORD });
  return { browser, page };
}

function csrfOf(page: Page): string {
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)?.[1];
  if (!csrf) throw new Error(`no csrf on page: ${page.html.slice(0, 300)}`);
  return csrf;
}

/** Posts a console form, without following the redirect, so the status and Location show. */
async function post(browser: TestBrowser, path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return browser.emu.fetch(`${browser.emu.origin}${path}`, {
    method: "POST",
    headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; "), accept: "text/html", ...headers },
    body: new URLSearchParams(form),
  });
}

/** An SPA authorize URL asking for one context, as the portal's step-up popup sends it. */
function spaAuthorize(emu: TestEmulator, context: string): string {
  const url = new URL(`${emu.origin}/${TENANT}/oauth2/v2.0/authorize`);
  const params = {
    client_id: SPA_CLIENT,
    redirect_uri: SPA_REDIRECT,
    response_type: "code",
    scope: "api://woodgrove-portal/access_as_user openid profile",
    state: "s",
    nonce: "n",
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
    claims: JSON.stringify({ access_token: { acrs: { essential: true, value: context } } }),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

describe("admin console", () => {
  const emu = useTestEmulator();

  it("signs an admin in through the emulator's own authorize flow, with a __Host- session cookie", async () => {
    const { browser, page } = await consoleSignIn(emu(), ISAIAH.upn);
    assert.equal(page.status, 200);
    assert.equal(new URL(page.url).pathname, "/console/users");
    assert.match(page.html, /<h1>Users<\/h1>/);
    assert.match(page.html, /Signed in as <strong>Isaiah Langer<\/strong>/);
    const session = browser.setCookieHeaders.find((c) => c.startsWith("__Host-emuconsole="));
    assert.ok(session, "a console session cookie was set");
    for (const attribute of ["Path=/", "Secure", "HttpOnly", "SameSite=Lax"]) assert.ok(session.includes(attribute), `${attribute} in ${session}`);
    assert.ok(!/Domain=/i.test(session));
    // The login-binding cookie is gone once the sign-in completed.
    assert.equal(browser.cookies.has("__Host-emuconsole-login"), false);
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'nonce-[^']+'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(page.html, /<script/);

    // The console's sign-in is an ordinary sign-in of its own app in the logs.
    const logs = (await (await emu().control(`sign-ins?userId=${ISAIAH.oid}`)).json()) as { value: { appId: string; appDisplayName: string; status: { errorCode: number } }[] };
    assert.ok(logs.value.some((e) => e.appId === CONSOLE_CLIENT && e.appDisplayName === "Entra emulator console" && e.status.errorCode === 0));
  });

  it("refuses a signed-in user without the Emulator.Admin role, and gives no session", async () => {
    const { browser, page } = await consoleSignIn(emu(), MEGAN.upn);
    assert.equal(page.status, 403);
    assert.match(page.html, /You don&#39;t have access to the emulator console/);
    assert.match(page.html, /href="\/console\/login\?prompt=login"/);
    assert.equal(browser.cookies.has("__Host-emuconsole"), false);
    const again = await browser.go(`${emu().origin}/console/users`);
    // Still no console: the browser is sent to sign in (SSO as Megan, refused again).
    assert.equal(again.status, 403);
  });

  it("refuses a callback whose state this browser did not start (login CSRF)", async () => {
    const attacker = new TestBrowser(emu());
    const started = await attacker.go(`${emu().origin}/console/login`);
    const state = new URL(started.url).searchParams.get("state") ?? "";
    const victim = new TestBrowser(emu());
    const page = await victim.go(`${emu().origin}/console/callback?code=stolen&state=${encodeURIComponent(state)}`);
    assert.equal(page.status, 400);
    assert.match(page.html, /Sign-in expired/);
  });

  it("changes user risk only with the session's CSRF token and from its own origin", async () => {
    const { browser, page } = await consoleSignIn(emu(), ISAIAH.upn);
    const csrf = csrfOf(page);
    const risk = async () => ((await (await emu().control(`users/${MEGAN.oid}/risk`)).json()) as { riskLevel: string; riskState: string; riskEventTypes: string[] });

    assert.equal((await post(browser, `/console/users/${MEGAN.oid}/risk`, { action: "leaked" })).status, 403);
    assert.equal((await post(browser, `/console/users/${MEGAN.oid}/risk`, { action: "leaked", csrf: "forged" })).status, 403);
    assert.equal((await post(browser, `/console/users/${MEGAN.oid}/risk`, { action: "leaked", csrf }, { origin: "https://evil.example" })).status, 403);
    // What a browser sends under Referrer-Policy: no-referrer; the console's pages use same-origin.
    assert.equal((await post(browser, `/console/users/${MEGAN.oid}/risk`, { action: "leaked", csrf }, { origin: "null" })).status, 403);
    assert.equal(page.headers.get("referrer-policy"), "same-origin");
    assert.equal((await risk()).riskLevel, "none");

    const set = await post(browser, `/console/users/${MEGAN.oid}/risk`, { action: "leaked", csrf }, { origin: emu().origin });
    assert.equal(set.status, 302);
    assert.equal(set.headers.get("location"), `/console/users?done=risk-set&subject=${MEGAN.oid}`);
    const raised = await risk();
    assert.deepEqual([raised.riskLevel, raised.riskState, raised.riskEventTypes], ["high", "atRisk", ["leakedCredentials"]]);
    const shown = await browser.go(`${emu().origin}/console/users?done=risk-set&subject=${MEGAN.oid}`);
    assert.match(shown.html, /role="status">User risk set to high \(leaked credentials\) for Megan Bowen\./);

    assert.equal((await post(browser, `/console/users/${MEGAN.oid}/risk`, { action: "dismiss", csrf })).status, 302);
    assert.equal((await risk()).riskState, "dismissed");
    // Without a console session nothing changes.
    const stranger = new TestBrowser(emu());
    assert.equal((await post(stranger, `/console/users/${MEGAN.oid}/risk`, { action: "leaked", csrf })).status, 401);
    assert.equal((await risk()).riskState, "dismissed");
  });

  it("shows and lifts an authenticator-app lockout", async () => {
    const user = (await (await emu().control("users", { methods: ["totp"] })).json()) as { oid: string; userPrincipalName: string; password: string };
    const signIn = new TestBrowser(emu());
    let page = await signIn.go(spaAuthorize(emu(), "c1"));
    page = await signIn.submit(page, "username", { loginfmt: user.userPrincipalName });
    page = await signIn.submit(page, "password", { loginfmt: user.userPrincipalName, passwd: user.password });
    for (let i = 0; i < 5; i++) page = await signIn.submit(page, "totp", { otc: "000000" });
    assert.match(page.html, /AADSTS50053/);

    const { browser, page: users } = await consoleSignIn(emu(), ISAIAH.upn);
    assert.match(users.html, new RegExp(`Locked</span> until[\\s\\S]*?/console/users/${user.oid}/unlock`));
    const unlocked = await post(browser, `/console/users/${user.oid}/unlock`, { csrf: csrfOf(users) });
    assert.equal(unlocked.status, 302);
    page = await signIn.go(spaAuthorize(emu(), "c1"));
    page = await signIn.submit(page, "totp", { otc: await totpCode(emu(), user.oid) });
    assert.ok(returned(page).get("code"), "the app works again after the unlock");
  });

  it("switches the policy set and a policy's state; both change what a context requires, the state survives a restart, reset forgets it", async () => {
    const { browser, page } = await consoleSignIn(emu(), ISAIAH.upn, "/console/policies");
    const csrf = csrfOf(page);
    assert.match(page.html, /Active policy set: <strong id="active-set">production<\/strong>/);
    assert.match(page.html, /Require Authentication strength: Phishing-resistant MFA \(a passkey\)/);
    assert.equal((await post(browser, "/console/policy-set", { csrf, set: "staging" })).status, 302);
    assert.equal(((await (await emu().control("policy-set")).json()) as { set: string }).set, "staging");

    // Staging: c2 is MFA, so an app code does it.
    const user = (await (await emu().control("users", { methods: ["totp"] })).json()) as { oid: string; userPrincipalName: string; password: string };
    const person = new TestBrowser(emu());
    let flow = await person.go(spaAuthorize(emu(), "c2"));
    flow = await person.submit(flow, "username", { loginfmt: user.userPrincipalName });
    flow = await person.submit(flow, "password", { loginfmt: user.userPrincipalName, passwd: user.password });
    assert.match(flow.html, /<h1>Enter code<\/h1>/);
    flow = await person.submit(flow, "totp", { otc: await totpCode(emu(), user.oid) });
    assert.ok(returned(flow).get("code"));

    // The report-only phishing-resistant policy switched on: now c2 needs a passkey (the user has
    // none, so the registration interrupt offers only a passkey).
    const saved = await post(browser, `/console/policies/${STAGING_C2_REPORT_ONLY}/state`, { csrf, state: "enabled" });
    assert.equal(saved.status, 302);
    const policies = (await (await emu().control("policies")).json()) as { policies: { id: string; state: string; fileState: string }[] };
    assert.deepEqual(
      policies.policies.find((p) => p.id === STAGING_C2_REPORT_ONLY),
      { id: STAGING_C2_REPORT_ONLY, displayName: "c2 Change security settings: phishing-resistant MFA every time (report-only)", state: "enabled", fileState: "enabledForReportingButNotEnforced" },
    );
    const shown = await browser.go(`${emu().origin}/console/policies`);
    assert.match(shown.html, /changed in the console; the file says Report-only/);
    flow = await person.go(spaAuthorize(emu(), "c2"));
    assert.match(flow.html, /More information required/);
    assert.match(flow.html, /Register a passkey/);
    assert.doesNotMatch(flow.html, /id="totp-secret"/);

    await emu.restart({ policySet: "staging" });
    const afterRestart = (await (await emu().control("policies")).json()) as { set: string; policies: { id: string; state: string }[] };
    assert.equal(afterRestart.policies.find((p) => p.id === STAGING_C2_REPORT_ONLY)?.state, "enabled");
    await emu().control("reset", {});
    await emu().control("policy-set", { set: "staging" });
    const afterReset = (await (await emu().control("policies")).json()) as { policies: { id: string; state: string }[] };
    assert.equal(afterReset.policies.find((p) => p.id === STAGING_C2_REPORT_ONLY)?.state, "enabledForReportingButNotEnforced");
    await emu().control("policy-set", { set: "production" });
  });

  it("refuses bad control input for a policy state", async () => {
    assert.equal((await emu().control(`policies/${STAGING_C2_REPORT_ONLY}/state`, { state: "maybe" })).status, 400);
    // The production set is active: a staging policy id is not one of its policies.
    assert.equal((await emu().control(`policies/${STAGING_C2_REPORT_ONLY}/state`, { state: "disabled" })).status, 404);
  });

  it("lists sign-ins with filters and explains one in words", async () => {
    const user = (await (await emu().control("users", { methods: ["totp"] })).json()) as { oid: string; userPrincipalName: string; password: string };
    const person = new TestBrowser(emu());
    let flow = await person.go(spaAuthorize(emu(), "c1"));
    flow = await person.submit(flow, "username", { loginfmt: user.userPrincipalName });
    flow = await person.submit(flow, "password", { loginfmt: user.userPrincipalName, passwd: "wrong" });
    flow = await person.submit(flow, "password", { loginfmt: user.userPrincipalName, passwd: user.password });
    flow = await person.submit(flow, "totp", { otc: await totpCode(emu(), user.oid) });
    assert.ok(returned(flow).get("code"));

    const { browser } = await consoleSignIn(emu(), ISAIAH.upn);
    const all = await browser.go(`${emu().origin}/console/sign-ins?userId=${user.oid}`);
    assert.match(all.html, /Sign-ins, newest first \(2\)/);
    const failures = await browser.go(`${emu().origin}/console/sign-ins?userId=${user.oid}&status=failure`);
    assert.match(failures.html, /Sign-ins, newest first \(1\)/);
    assert.match(failures.html, /AADSTS50126/);
    const future = await browser.go(`${emu().origin}/console/sign-ins?userId=${user.oid}&from=2999-01-01T00:00`);
    assert.match(future.html, /No sign-ins match these filters/);
    const bad = await browser.go(`${emu().origin}/console/sign-ins?from=yesterday`);
    assert.equal(bad.status, 400);
    assert.match(bad.html, /role="alert">These filters can&#39;t be used/);

    const success = await browser.go(`${emu().origin}/console/sign-ins?userId=${user.oid}&status=success`);
    const detailPath = /href="(\/console\/sign-ins\/[0-9a-f-]{36})"/.exec(success.html)?.[1];
    assert.ok(detailPath);
    const detail = await browser.go(`${emu().origin}${detailPath}`);
    assert.match(detail.html, /signed in interactively to Woodgrove Step-Up Portal \(SPA\) for Woodgrove Step-Up Portal API from 127\.0\.0\.1 \(Redmond, US\)\. It succeeded \(MFA completed in Azure AD\)\./);
    assert.match(detail.html, /c1 \(Approve a transfer\) was requested and issued enforced by “c1 Approve a transfer: MFA every time” \(this sign-in did the work for it\)\./);
    assert.match(detail.html, /Success: it applied and the sign-in met it/);
    assert.match(detail.html, /No risk detections\./);
  });

  it("shows the simulated SMS inbox, newest first, with each code's state", async () => {
    const user = (await (await emu().control("users", { methods: ["sms"] })).json()) as { oid: string; userPrincipalName: string; password: string; phoneNumber: string };
    const person = new TestBrowser(emu());
    let flow = await person.go(spaAuthorize(emu(), "c1"));
    flow = await person.submit(flow, "username", { loginfmt: user.userPrincipalName });
    flow = await person.submit(flow, "password", { loginfmt: user.userPrincipalName, passwd: user.password });
    const resent = await person.submit(flow, "method", { method: "sms", resend: "1" });
    assert.match(resent.html, /We texted your phone/);
    const { browser } = await consoleSignIn(emu(), ISAIAH.upn);
    const inbox = await browser.go(`${emu().origin}/console/sms`);
    const messages = (await (await emu().control(`sms?oid=${user.oid}`)).json()) as { messages: { code: string }[] };
    assert.equal(messages.messages.length, 2);
    const [newest, older] = messages.messages.map((m) => inbox.html.indexOf(`<code>${m.code}</code>`));
    assert.ok(newest !== undefined && older !== undefined && newest >= 0 && newest < older, "newest first");
    assert.match(inbox.html, /Valid<\/span>, expires in 10 minutes/);
    assert.match(inbox.html, /Simulated:/);
  });

  it("signs out of the console and of the emulator", async () => {
    const { browser, page } = await consoleSignIn(emu(), ISAIAH.upn);
    const out = await post(browser, "/console/signout", { csrf: csrfOf(page) });
    assert.equal(out.status, 302);
    assert.match(out.headers.get("location") ?? "", /\/oauth2\/v2\.0\/logout\?client_id=/);
    const landed = await browser.go(new URL(out.headers.get("location") ?? "", emu().origin).toString());
    assert.match(landed.html, /You signed out of the emulator console/);
    const again = await browser.go(`${emu().origin}/console/users`);
    assert.match(again.html, /Email or username/, "a new sign-in is needed");
  });
});
