import { test, expect } from "./fixtures";

test.describe("sign-in @smoke", () => {
  test("a persona signs in through the identity provider and sees their dashboard", async ({ persona, home, identityProvider, dashboard }) => {
    const user = await persona("totp");
    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn(user);
    await dashboard.expectSignedInAs(user.displayName);
    await expect(dashboard.account("Everyday Checking")).toBeVisible();
    await expect(dashboard.strengthBadge()).toContainText("Password only");
    // auth_time arrived as an ID-token optional claim and was recorded with the session.
    await expect(dashboard.strengthBadge()).toContainText("verified");
  });

  test("an active session's cookie slides with the idle timeout instead of dying at sign-in + 30 minutes", async ({ page, persona, home, identityProvider, dashboard }) => {
    const user = await persona("totp");
    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn(user);
    await dashboard.expectSignedInAs(user.displayName);
    const response = await page.goto("/dashboard");
    const setCookie = (await response!.headerValue("set-cookie")) ?? "";
    expect(setCookie).toMatch(/authjs\.session-token=[^;]+;.*Max-Age=1800/i);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=lax/i);
  });

  test("signing out ends both sessions, and the old session cookie is rejected", async ({ browser, page, persona, home, identityProvider, dashboard, settings }) => {
    const user = await persona("totp");
    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn(user);
    await dashboard.expectSignedInAs(user.displayName);
    const portalCookies = (await page.context().cookies(settings.portalOrigin)).filter((c) => c.name.includes("session-token"));
    expect(portalCookies).toHaveLength(1);

    await dashboard.signOut();
    await expect(page).toHaveURL(/\/signed-out$/);
    await expect(page.getByRole("heading", { name: "You have signed out" })).toBeVisible();

    // Replay the old cookie in a fresh browser context: the session row is gone.
    const replay = await browser.newContext();
    await replay.addCookies(portalCookies);
    const replayPage = await replay.newPage();
    await replayPage.goto("/dashboard");
    await expect(replayPage).toHaveURL(`${settings.portalOrigin}/`);
    await expect(replayPage.getByRole("heading", { name: "Sign in to online banking" })).toBeVisible();
    await replay.close();

    // The identity provider's session ended too: signing in again asks for the password.
    await home.goto();
    await home.startSignIn();
    await expect(identityProvider.page.getByLabel("Email or username")).toBeVisible();
  });

  test("a wrong password shows the identity provider's error and a way back", async ({ persona, home, identityProvider, dashboard }) => {
    const user = await persona("totp");
    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn({ ...user, password: "not-the-password" });
    await identityProvider.expectError("AADSTS50126");
    // As on Entra's page, the way back is the same form: the right password continues.
    await identityProvider.retryPassword(user.password);
    await dashboard.expectSignedInAs(user.displayName);
  });

  test("the identity provider being down at sign-in gives a friendly page with a retry", async ({ page, settings }) => {
    await page.goto(`http://localhost:${settings.idpDownPortalPort}/`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "We can't reach the sign-in service" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Try again" })).toBeVisible();
    await expect(page.locator("body")).not.toContainText(/Error:|at .*\.js:\d+/);
  });
});

test.describe("baseline security headers", () => {
  test("pages carry a nonce-based CSP, COOP for popups and no caching", async ({ page, settings }) => {
    const response = await page.goto("/");
    const headers = response!.headers();
    const csp = headers["content-security-policy"] ?? "";
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`connect-src 'self' ${settings.emulatorOrigin}`);
    expect(headers["cross-origin-opener-policy"]).toBe("same-origin-allow-popups");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("same-origin");
    expect(headers["cache-control"]).toContain("no-store");
    expect(headers["x-powered-by"]).toBeUndefined();
    // Next.js put the request's nonce on its scripts, so the page runs under the policy.
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    const scriptNonces = await page.locator("script[nonce]").evaluateAll((els) => els.map((el) => (el as HTMLScriptElement).nonce));
    expect(scriptNonces.length).toBeGreaterThan(0);
    expect(new Set(scriptNonces)).toEqual(new Set([nonce]));
  });
});
