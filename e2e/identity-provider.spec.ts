import type { Response } from "@playwright/test";
import { test, expect } from "./fixtures";
import { SignInErrorPage } from "./pages/sign-in-error.page";
import { AuthorizationRequest } from "./support/authorize";
import { withOwnEmulator } from "./support/own-emulator";
import { authenticatorApp, emulatorNow, wrongCode } from "./support/totp";
import { addPasskey } from "./support/virtual-authenticator";

/**
 * The identity provider's interactive pages, driven the way MSAL's step-up popup will drive
 * them: open /authorize for the portal's SPA client with an `acrs` claims request, complete
 * the pages, see the browser sent back to the portal's redirect bridge with a code, redeem it
 * cross-origin and read the access token's `acrs`. Only the address the identity provider sends
 * the browser to matters here (`AuthorizationRequest.open`/`callback`), not the bridge page.
 */

/** The path of every hop that ended in this response: one entry per redirect, oldest first. */
function hops(response: Response | null): string[] {
  const paths: string[] = [];
  for (let request = response?.request() ?? null; request; request = request.redirectedFrom()) paths.unshift(new URL(request.url()).pathname);
  return paths;
}

test.describe("step-up with the authenticator app @step-up", () => {
  test("an app code satisfies c1, and c3 right after is issued from the SSO session without a prompt", async ({
    page,
    persona,
    identityProvider,
    control,
    settings,
  }) => {
    const user = await persona("totp");
    const c1 = new AuthorizationRequest(settings, { contexts: ["c1"] });
    await c1.open(page);
    await identityProvider.signIn(user);
    await identityProvider.verifyWithCode(await control.totpCode(user.oid));
    const first = await c1.redeem(await c1.callback());
    expect(first.accessToken.oid).toBe(user.oid);
    expect(first.accessToken.acrs).toEqual(["c1"]);

    // c3 is "MFA within the last hour": the code just entered counts, so /authorize answers
    // with a code at once (a single redirect, no page in between).
    const c3 = new AuthorizationRequest(settings, { contexts: ["c3"] });
    const response = await c3.open(page);
    expect(hops(response)).toEqual([`/${settings.tenantId}/oauth2/v2.0/authorize`, "/auth/redirect-bridge"]);
    const second = await c3.redeem(await c3.callback());
    expect(second.accessToken.oid).toBe(user.oid);
    expect(second.accessToken.acrs).toEqual(["c3"]);
  });
});

withOwnEmulator.describe("authenticator app lockout @step-up", () => {
  withOwnEmulator(
    "five wrong codes lock the app (AADSTS50053), warning from the third; a right code is refused until the lock expires",
    async ({ page, identityProvider, own: { settings, control } }) => {
      // On its own emulator (see withOwnEmulator): the end of the lock is reached by moving the clock.
      const user = await control.createUser({ methods: ["totp"] });
      const c1 = () => new AuthorizationRequest(settings, { contexts: ["c1"] });
      await c1().open(page);
      await identityProvider.signIn(user);
      const wrong = wrongCode(user.totpSecret!, await emulatorNow(control));

      await identityProvider.lockOutWithWrongCode(wrong);

      // A right code is refused while locked, even when the disabled form is forced open...
      const rightCode = await control.totpCode(user.oid);
      const forced = await identityProvider.forceCodeWhileLocked(rightCode);
      expect(new URLSearchParams(forced.request().postData() ?? "").get("otc")).toBe(rightCode);
      expect(forced.status()).toBe(200);
      await identityProvider.expectLocked();
      // ...and a new step-up request meets the same lock.
      await c1().open(page);
      await identityProvider.expectLocked();

      // Ten minutes later (emulator clock) the app works again, without the password.
      await control.advanceClock(601);
      const afterLock = c1();
      await afterLock.open(page);
      await identityProvider.verifyWithCode(await control.totpCode(user.oid));
      const { accessToken } = await afterLock.redeem(await afterLock.callback());
      expect(accessToken.oid).toBe(user.oid);
      expect(accessToken.acrs).toEqual(["c1"]);
    },
  );
});

test.describe("step-up with a passkey @step-up", () => {
  test("a passkey satisfies c2", async ({ page, persona, identityProvider, settings }) => {
    const user = await persona("passkey");
    const authenticator = await addPasskey(page, user.passkey);
    const c2 = new AuthorizationRequest(settings, { contexts: ["c2"] });
    await c2.open(page);
    await identityProvider.signIn(user);
    await identityProvider.verifyWithPasskey();
    const { accessToken } = await c2.redeem(await c2.callback());
    expect(accessToken.oid).toBe(user.oid);
    expect(accessToken.acrs).toEqual(["c2"]);
    // The assertion was signed by the virtual authenticator's key, not scripted.
    expect(await authenticator.credentials()).toEqual([expect.objectContaining({ signCount: 1 })]);
  });

  test("an authenticator app cannot satisfy c2: the interrupt offers only a passkey, and c2 is never issued", async ({
    page,
    persona,
    identityProvider,
    control,
    settings,
  }) => {
    const user = await persona("totp");
    // Fresh MFA with the app first: good enough for c1...
    const c1 = new AuthorizationRequest(settings, { contexts: ["c1"] });
    await c1.open(page);
    await identityProvider.signIn(user);
    await identityProvider.verifyWithCode(await control.totpCode(user.oid));
    expect((await c1.redeem(await c1.callback())).accessToken.acrs).toEqual(["c1"]);

    // ...but c2 wants a phishing-resistant method the user doesn't have: AADSTS50079, passkey only.
    const c2 = new AuthorizationRequest(settings, { contexts: ["c2"] });
    await c2.open(page);
    await identityProvider.expectRegistrationInterrupt({ authenticatorApp: false, passkey: true });
    await identityProvider.cancel();
    const cancelled = c2.refusal(await c2.callback());
    expect(cancelled).toMatchObject({ error: "access_denied", errorSubcode: "cancel" });
    expect(cancelled.errorDescription).toMatch(/^AADSTS50074: /);

    // Asked silently, the answer is the same requirement, not a token.
    const silent = new AuthorizationRequest(settings, { contexts: ["c2"], prompt: "none" });
    await silent.open(page);
    const refused = silent.refusal(await silent.callback());
    expect(refused).toMatchObject({ error: "interaction_required", suberror: "basic_action" });
    expect(refused.errorDescription).toMatch(/^AADSTS50079: /);
  });
});

test.describe("registration interrupt @step-up", () => {
  test("a user without a second factor asking for c1 registers an authenticator app and gets c1", async ({
    page,
    persona,
    identityProvider,
    control,
    settings,
  }) => {
    const user = await persona("no-mfa");
    await expect(control.totpCode(user.oid)).rejects.toThrow(/answered 409/);

    const c1 = new AuthorizationRequest(settings, { contexts: ["c1"] });
    await c1.open(page);
    await identityProvider.signIn(user);
    await identityProvider.expectRegistrationInterrupt({ authenticatorApp: true, passkey: true });
    const secret = await identityProvider.registerAuthenticatorApp(async (shown) =>
      authenticatorApp(shown).generate({ timestamp: await emulatorNow(control) }),
    );
    const { accessToken } = await c1.redeem(await c1.callback());
    expect(accessToken.oid).toBe(user.oid);
    expect(accessToken.acrs).toEqual(["c1"]);

    // The app is now in the directory: the emulator hands out codes for the same secret.
    const code = await control.totpCode(user.oid);
    const now = await emulatorNow(control);
    expect(authenticatorApp(secret).validate({ token: code, timestamp: now, window: 1 })).not.toBeNull();
  });
});

test.describe("errors seen by a person", () => {
  test("a blocked person is refused with an AADSTS code and a correlation id, and gets no portal session", async ({
    page,
    persona,
    home,
    identityProvider,
    database,
    settings,
  }) => {
    const user = await persona("blocked");
    await home.goto();
    await home.startSignIn();
    const callback = page.waitForRequest((request) => request.url().startsWith(`${settings.portalOrigin}/api/auth/callback/`));
    await identityProvider.signIn(user);
    const answer = new URL((await callback).url());
    expect(answer.searchParams.has("code")).toBe(false);
    expect(answer.searchParams.get("error")).toBe("access_denied");
    // 53003 when Conditional Access blocks the user, 50057 when the account is disabled.
    expect(answer.searchParams.get("error_description")).toMatch(/^AADSTS(53003|50057): .+ Correlation ID: [0-9a-f-]{36} /);

    await expect(page).toHaveURL(new RegExp(`^${settings.portalOrigin}/`));
    await expect(page.locator("body")).not.toContainText(/\bat .+\.(js|ts):\d+|Error: /);
    const sessions = await database.session.count({ where: { user: { tenantId: settings.tenantId, objectId: user.oid } } });
    expect(sessions).toBe(0);
    await page.goto("/dashboard");
    await expect(page).toHaveURL(`${settings.portalOrigin}/`);
  });

  test("a blocked person can sign in with another account from the error page, without clearing cookies", async ({
    page,
    persona,
    home,
    identityProvider,
    dashboard,
    database,
    settings,
  }) => {
    const blocked = await persona("blocked");
    const colleague = await persona("totp");
    const signInError = new SignInErrorPage(page);
    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn(blocked);
    await signInError.expectRefused("AADSTS53003");
    const firstAttempt = await signInError.correlationId();

    // The trap: the identity provider's session still names the blocked account, so a plain retry
    // is refused again at once, without a sign-in page in between.
    await signInError.tryAgain();
    await expect(page.getByText(firstAttempt)).toHaveCount(0);
    await signInError.expectRefused("AADSTS53003");

    await signInError.signInWithAnotherAccount();
    await identityProvider.signIn(colleague);
    await dashboard.expectSignedInAs(colleague.displayName);
    expect(await database.session.count({ where: { user: { tenantId: settings.tenantId, objectId: colleague.oid } } })).toBe(1);
    expect(await database.session.count({ where: { user: { tenantId: settings.tenantId, objectId: blocked.oid } } })).toBe(0);
  });

  test("a blocked person sees the AADSTS code and the correlation id on an error page, never a stack trace", async ({
    page,
    persona,
    home,
    identityProvider,
    settings,
  }) => {
    const user = await persona("blocked");
    await home.goto();
    await home.startSignIn();
    const callback = page.waitForRequest((request) => request.url().startsWith(`${settings.portalOrigin}/api/auth/callback/`));
    await identityProvider.signIn(user);
    const description = new URL((await callback).url()).searchParams.get("error_description") ?? "";
    const [, code] = /^(AADSTS\d+):/.exec(description) ?? [];
    const [, correlationId] = /Correlation ID: ([0-9a-f-]{36})/.exec(description) ?? [];
    expect(code).toBeDefined();
    expect(correlationId).toBeDefined();

    await expect(page.getByRole("heading", { name: "The sign-in service refused this sign-in" })).toBeVisible();
    await expect(page.getByRole("alert").filter({ hasText: code! })).toBeVisible();
    await expect(page.getByText(correlationId!)).toBeVisible();
    await expect(page.locator("body")).not.toContainText(/\bat .+\.(js|ts):\d+|Error: /);
  });
});
