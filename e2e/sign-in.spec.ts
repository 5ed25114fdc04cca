import type { Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { HomePage } from "./pages/home.page";

test.describe("sign-in @smoke", () => {
  test("a persona signs in through the identity provider and sees their dashboard @database", async ({ persona, home, identityProvider, dashboard }) => {
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

  test("an active session's cookie slides with the idle timeout instead of dying at sign-in + 30 minutes @database", async ({ page, persona, home, identityProvider, dashboard }) => {
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

  test("signing out ends both sessions, and the old session cookie is rejected @database", async ({ browser, page, persona, home, identityProvider, dashboard, settings }) => {
    const user = await persona("totp");
    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn(user);
    await dashboard.expectSignedInAs(user.displayName);
    const portalCookies = (await page.context().cookies(settings.portalOrigin)).filter((c) => c.name.includes("session-token"));
    expect(portalCookies).toHaveLength(1);

    await dashboard.signOut();
    // The identity provider's logout returned here (not the portal's "?idp=unreachable" fallback):
    // Entra follows post_logout_redirect_uri only to a registered redirect URI of the app
    // (Microsoft Learn, "Send a sign-out request"), and the web app registers /signed-out as one.
    await expect(page).toHaveURL(/\/signed-out$/);
    await expect(page.getByRole("heading", { name: "You have signed out" })).toBeVisible();

    // Replay the old cookie in a fresh browser context: the session row is gone.
    const replay = await browser.newContext();
    await replay.addCookies(portalCookies);
    const replayPage = await replay.newPage();
    await replayPage.goto("/dashboard");
    await expect(replayPage).toHaveURL(`${settings.portalOrigin}/?ended=unknown`);
    await new HomePage(replayPage).expectSessionEnded("signed out on another device");
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

test.describe("a session that ended says why", () => {
  const sessionCookies = async (page: Page, origin: string) => (await page.context().cookies(origin)).filter((c) => c.name.includes("session-token"));

  test("after the idle timeout: the landing page says so, and the dead cookie is cleared @database", async ({ page, persona, signIn, home, database, settings }) => {
    const user = await persona("totp");
    await signIn(user);
    // 30 idle minutes, moved rather than waited for.
    await database.session.updateMany({ where: { user: { objectId: user.oid } }, data: { expires: new Date(Date.now() - 1000) } });

    await page.goto("/settings");
    await expect(page).toHaveURL(`${settings.portalOrigin}/?ended=idle`);
    await home.expectSessionEnded("You were signed out after 30 minutes without activity.");
    expect(await sessionCookies(page, settings.portalOrigin)).toEqual([]);
  });

  test("after the absolute lifetime: the landing page says so @database", async ({ page, persona, signIn, home, database, settings }) => {
    const user = await persona("totp");
    await signIn(user);
    await database.session.updateMany({ where: { user: { objectId: user.oid } }, data: { createdAt: new Date(Date.now() - 12 * 3_600_000 - 1000) } });

    await page.goto("/dashboard");
    await expect(page).toHaveURL(`${settings.portalOrigin}/?ended=lifetime`);
    await home.expectSessionEnded("Sessions last at most 12 hours");
  });

  test("signed out from another device: the landing page gives the likely reasons @database", async ({ page, persona, signIn, home, database, settings }) => {
    const user = await persona("totp");
    await signIn(user);
    await database.session.deleteMany({ where: { user: { objectId: user.oid } } });

    // Straight to the landing page (a bookmark): the cookie that names no session tells it too.
    await page.goto("/");
    await home.expectSessionEnded("You may have signed out on another device");
    expect(await sessionCookies(page, settings.portalOrigin)).toEqual([]);
  });

  test("a person who signed out here is not told their session ended", async ({ page, persona, signIn, dashboard, home }) => {
    const user = await persona("totp");
    await signIn(user);
    await dashboard.signOut();
    await expect(page.getByRole("heading", { name: "You have signed out" })).toBeVisible();
    await home.goto();
    await expect(page.getByRole("status").filter({ hasText: "Your session ended" })).toHaveCount(0);
  });
});

test.describe("the idle-timeout warning", () => {
  test("warns before the timeout; Stay signed in slides the session @database", async ({ page, persona, signIn, dashboard, database }) => {
    const user = await persona("totp");
    // The page's timers run on Playwright's clock, moved on instead of waited for.
    await page.clock.install();
    await signIn(user);
    await dashboard.goto();
    await dashboard.expectSignedInAs(user.displayName);
    await expect(dashboard.idleWarning()).toHaveCount(0);

    await dashboard.fastForwardToIdleWarning();
    // On the server the same time has passed: the session is a minute from its idle expiry.
    const nearlyExpired = new Date(Date.now() + 60_000);
    await database.session.updateMany({ where: { user: { objectId: user.oid } }, data: { expires: nearlyExpired } });

    await dashboard.staySignedIn();
    await expect(dashboard.idleWarning()).toBeHidden();
    const [session] = await database.session.findMany({ where: { user: { objectId: user.oid } } });
    expect(session!.expires.getTime()).toBeGreaterThan(nearlyExpired.getTime() + 25 * 60_000);
  });

  test("when the time runs out, the page ends on the landing page saying why", async ({ page, persona, signIn, dashboard, home, database, settings }) => {
    const user = await persona("totp");
    await page.clock.install();
    await signIn(user);
    await dashboard.goto();
    await dashboard.expectSignedInAs(user.displayName);

    await dashboard.fastForwardToIdleWarning();
    await database.session.updateMany({ where: { user: { objectId: user.oid } }, data: { expires: new Date(Date.now() - 1000) } });
    await page.clock.fastForward("02:00");
    await expect(page).toHaveURL(`${settings.portalOrigin}/?ended=idle`);
    await home.expectSessionEnded("You were signed out after 30 minutes without activity.");
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
