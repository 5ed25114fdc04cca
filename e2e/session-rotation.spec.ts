import { test, expect } from "./fixtures";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { CHECKING, accountOf, auditOutcomes, groupDigits as grouped } from "./support/ground-truth";
import { addMonths, formatMonth, monthOf } from "../lib/finance/month";

/**
 * A step-up never signs anyone out. After an elevation the session gets a new token (so a copy of
 * the old one taken before cannot carry the new privilege), and the response that carries it can
 * be lost: the person pressed Back while the identity provider's window was open, or the page
 * went away while the retry was in flight. The previous token is exchanged for the current one
 * for a minute (lib/auth/session-token.ts), so the person stays signed in, and the operation has
 * run exactly once or not at all.
 */
test.describe("a step-up never signs anyone out @step-up @database", () => {
  test("the retry's response never reaches the browser: the page is still signed in, and the number was shown at most once", async ({
    page,
    persona,
    signIn,
    dashboard,
    stepUpDialog,
    control,
    settings,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const { fullNumber } = await accountOf(database, user, CHECKING);
    const sessionToken = async () => (await page.context().cookies(settings.portalOrigin)).find((c) => c.name.endsWith("authjs.session-token"))?.value;
    const tokenBefore = await sessionToken();

    // The retry reaches the server (which elevates the session and rotates its token), but its
    // answer, new cookie included, is dropped on the way back, as when the page that sent it is gone.
    // (route.fetch() shares the context's cookie jar, so the cookie it received is put back.)
    let dropped = 0;
    await page.route("**/dashboard", async (route) => {
      const request = route.request();
      if (request.method() !== "POST" || !(request.postData() ?? "").includes('"token"')) return route.fallback();
      const cookiesBefore = await page.context().cookies(settings.portalOrigin);
      await route.fetch();
      await page.context().addCookies(cookiesBefore);
      dropped += 1;
      await route.abort("connectionreset");
    });

    await dashboard.account(CHECKING).getByRole("button", { name: "Show full number" }).click();
    const popup = await stepUpDialog.verify();
    await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));
    await expect.poll(() => dropped).toBe(1);
    await expect.poll(() => auditOutcomes(database, user, "finance.viewStatements")).toEqual(["required", "satisfied", "executed"]);
    await page.unroute("**/dashboard");
    expect(await sessionToken(), "the browser never got the rotated token").toBe(tokenBefore);

    // The browser still holds the token from before the rotation. Still signed in, with the
    // elevation the lost answer granted: no second verification.
    await dashboard.goto();
    await dashboard.expectSignedInAs(user.displayName);
    await dashboard.account(CHECKING).getByRole("button", { name: "Show full number" }).click();
    await expect(dashboard.account(CHECKING)).toContainText(grouped(fullNumber));
    await stepUpDialog.expectClosed();
    expect(await auditOutcomes(database, user, "finance.viewStatements")).toEqual(["required", "satisfied", "executed", "satisfied", "executed"]);
  });

  test("Back while the identity provider's window is open: the window closes with the page, nothing is downloaded, still signed in", async ({
    page,
    persona,
    signIn,
    account,
    dashboard,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const checking = await accountOf(database, user, CHECKING);
    await account.goto(checking.id);
    const label = formatMonth(addMonths(monthOf(new Date()), -1));

    await account.downloadButton(label, "CSV").click();
    const popup = await stepUpDialog.verify();
    await page.goBack();
    await expect(page).toHaveURL(/\/dashboard/);
    // The verification belonged to the page that left: its window goes with it, so no one can
    // approve something that no page is waiting for.
    await expect.poll(() => popup.isClosed()).toBe(true);
    await dashboard.expectSignedInAs(user.displayName);
    expect(await auditOutcomes(database, user, "finance.viewStatements")).toEqual(["required"]);

    // Forward again: the download asks for its verification and runs once.
    await page.goForward();
    await account.downloadButton(label, "CSV").click();
    const again = await stepUpDialog.verify();
    const downloadStarted = page.waitForEvent("download");
    await new IdentityProviderPage(again).enterCode(await control.totpCode(user.oid));
    await downloadStarted;
    await dashboard.goto();
    await dashboard.expectSignedInAs(user.displayName);
    expect((await auditOutcomes(database, user, "finance.viewStatements")).filter((outcome) => outcome === "downloaded")).toHaveLength(1);
  });
});

test.describe("session token after a step-up @step-up @database", () => {
  test("a copy of the token from before the elevation is exchanged for the new one within a minute, and is no session after", async ({
    page,
    anotherBrowser,
    persona,
    signIn,
    dashboard,
    stepUpDialog,
    control,
    settings,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const cookieName = (await page.context().cookies(settings.portalOrigin)).find((c) => c.name.endsWith("authjs.session-token"))!.name;
    const tokenOf = async () => (await page.context().cookies(settings.portalOrigin)).find((c) => c.name === cookieName)!.value;
    const before = await tokenOf();

    await dashboard.account(CHECKING).getByRole("button", { name: "Show full number" }).click();
    const popup = await stepUpDialog.verify();
    await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));
    await expect(dashboard.account(CHECKING).getByRole("button", { name: "Hide" })).toBeVisible();
    const after = await tokenOf();
    expect(after).not.toBe(before);

    // A request that left with the old cookie (another tab's page load racing the rotation): it is
    // answered as the session, and the browser is given the current token.
    const racing = await anotherBrowser();
    await racing.context().addCookies([{ name: cookieName, value: before, url: settings.portalOrigin }]);
    await racing.goto("/dashboard");
    await expect(racing.getByRole("heading", { level: 1, name: /overview/i })).toBeVisible();
    expect((await racing.context().cookies(settings.portalOrigin)).find((c) => c.name === cookieName)?.value).toBe(after);

    // Once the grace is over (moved into the past here rather than waited for), the old token is
    // no session: the landing page, and nothing of the account.
    await database.session.updateMany({ where: { previousSessionToken: before }, data: { previousTokenExpiresAt: new Date(Date.now() - 1000) } });
    const late = await anotherBrowser();
    await late.context().addCookies([{ name: cookieName, value: before, url: settings.portalOrigin }]);
    await late.goto("/dashboard");
    await expect(late).toHaveURL(/\/\?ended=unknown$/);
    await expect(late.locator("body")).not.toContainText(grouped((await accountOf(database, user, CHECKING)).fullNumber));
  });
});
