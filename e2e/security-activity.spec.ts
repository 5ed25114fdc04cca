import { test, expect } from "./fixtures";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { expectNoSeriousA11yViolations } from "./support/accessibility";
import { emulatorNow, wrongCode } from "./support/totp";

/**
 * "Security activity" (app/(portal)/security): what happened on the account, grouped the way a
 * person thinks of it (lib/activity-feed.ts): the portal's audit rows joined to the
 * identity provider's sign-ins (read through Graph) by the challenge's correlation id or the
 * proof's token id, with the technical detail behind each item's disclosure.
 */
test.describe("security activity", () => {
  test("a new user sees their sign-in, from this browser, and nothing else", async ({ page, persona, signIn, securityActivity }) => {
    const user = await persona("totp");
    await signIn(user);
    await securityActivity.openFromNavigation();
    await expect(securityActivity.feed().getByRole("article")).toHaveCount(1);
    await expect(securityActivity.items(/New sign-in from Chrom\w* on \w+/)).toHaveCount(1);
    await expect(securityActivity.unavailableNote()).toHaveCount(0);
    await expectNoSeriousA11yViolations(page, "security activity: first sign-in");
  });

  test("a verified transfer is one item naming the method, the amount and the recipient; its technical details hold the correlation id and the policy @step-up @database", async ({
    page,
    persona,
    signIn,
    transfer,
    stepUpDialog,
    control,
    securityActivity,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    await transfer.goto();
    await transfer.submitTransfer({ from: "High-Yield Savings", to: "Everyday Checking", amount: "1,200.00", memo: "Joined to the logs" });
    await stepUpDialog.expectOpen("$1,200.00");
    const popup = await stepUpDialog.verify();
    await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));
    await expect(transfer.receipt()).toBeVisible();

    await securityActivity.goto();
    const userId = (await database.user.findFirstOrThrow({ where: { objectId: user.oid }, select: { id: true } })).id;
    const required = await database.auditEvent.findFirstOrThrow({ where: { userId, operation: "transfer.create", outcome: "required" }, select: { correlationId: true } });

    // The challenge, the popup's sign-in, the execution and the transfer: one item.
    const verified = securityActivity.items(/verified/);
    await expect(verified).toHaveCount(1);
    await expect(verified).toHaveAccessibleName(/You verified with your authenticator app and sent \$1,200\.00 to Everyday Checking/);
    await expect(securityActivity.items(/New sign-in/)).toHaveCount(1);
    const details = await securityActivity.openTechnicalDetails(verified);
    await expect(details).toContainText(required.correlationId);
    await expect(details).toContainText("c1 Approve a transfer: MFA every time: satisfied");
    await expect(details).toContainText("transfer.create executed");
    await expect(securityActivity.unavailableNote()).toHaveCount(0);
    await expectNoSeriousA11yViolations(page, "security activity");

    // On a phone, with the long ids open, the page does not scroll sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(verified).toBeInViewport({ ratio: 0.1 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: test.info().outputPath("security-activity-390.png"), fullPage: true });
  });

  test("wrong codes until the authenticator app locks, then cancel: one lockout item @step-up", async ({ persona, signIn, transfer, stepUpDialog, control, securityActivity }) => {
    const user = await persona("totp");
    await signIn(user);
    await transfer.goto();
    await transfer.submitTransfer({ from: "High-Yield Savings", to: "Everyday Checking", amount: "1,200.00", memo: "Locked out" });
    await stepUpDialog.expectOpen("$1,200.00");
    const identityProvider = new IdentityProviderPage(await stepUpDialog.verify());
    const wrong = wrongCode(user.totpSecret!, await emulatorNow(control));
    await identityProvider.lockOutWithWrongCode(wrong);
    await identityProvider.cancel();
    await expect(transfer.receipt()).toHaveCount(0);

    await securityActivity.goto();
    const lockout = securityActivity.items(/5 wrong codes, then your authenticator app was locked/);
    await expect(lockout).toHaveCount(1);
    await expect(lockout).toContainText("While approving a transfer. Nothing changed.");
    await expect(securityActivity.items(/verified/)).toHaveCount(0);
    await expect(await securityActivity.openTechnicalDetails(lockout)).toContainText("AADSTS50074");
  });

  test("when the identity provider's logs cannot be read, the portal's activity still shows, with a note saying what is missing", async ({ page, persona, signIn, settingsPage, settings }) => {
    const user = await persona("totp");
    await signIn(user);
    await settingsPage.goto("/settings");
    await settingsPage.setNotification(/new device/, false);
    await settingsPage.saveNotifications();
    await settingsPage.expectToast("Notification preferences saved.");

    // The second portal shares the database (and, on localhost, the session cookie) but its
    // identity provider, and so Graph, is down.
    await page.goto(`http://localhost:${settings.idpDownPortalPort}/security`);
    await expect(page.getByRole("heading", { level: 1, name: "Security activity" })).toBeVisible();
    await expect(page.getByRole("note")).toContainText("We couldn't load sign-ins or added sign-in methods from the identity provider");
    await expect(page.getByRole("list", { name: /Your security activity/ }).getByRole("article", { name: /You changed notification preferences/ })).toBeVisible();
  });
});
