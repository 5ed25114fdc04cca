import { test, expect } from "./fixtures";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { expectNoSeriousA11yViolations } from "./support/accessibility";

/**
 * "Security activity" (app/(portal)/security): the person's own audit trail, each event joined to
 * the identity provider's sign-in log entry through Graph (by the challenge's correlation id, or
 * the proof's token id), showing which Conditional Access policies applied.
 */
test.describe("security activity", () => {
  test("a new user sees an empty state", async ({ page, persona, signIn, securityActivity }) => {
    const user = await persona("totp");
    await signIn(user);
    await securityActivity.openFromNavigation();
    await expect(page.getByText("Nothing yet.")).toBeVisible();
    await expect(securityActivity.unavailableNote()).toHaveCount(0);
    await expectNoSeriousA11yViolations(page, "security activity: empty");
  });

  test("a transfer's step-up is joined to its sign-in log entry, naming the policy that applied @step-up @database", async ({
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

    // The challenge, joined by its correlation id: the popup's sign-in and its c1 policy.
    const challenge = securityActivity.rows("Transfer", "Verification asked for");
    await expect(challenge).toHaveCount(1);
    await expect(challenge).toContainText(required.correlationId);
    await expect(challenge).toContainText("c1 Approve a transfer: MFA every time: satisfied");
    // The execution, joined by the proof's token id to the same sign-in.
    const executed = securityActivity.rows("Transfer", "Done");
    await expect(executed).toContainText("c1 Approve a transfer: MFA every time: satisfied");
    await expect(securityActivity.unavailableNote()).toHaveCount(0);
    await expectNoSeriousA11yViolations(page, "security activity");
  });

  test("when the identity provider's logs cannot be read, the activity still shows, with a note", async ({ page, persona, signIn, settingsPage, settings }) => {
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
    await expect(page.getByRole("note")).toContainText("Sign-in details from the identity provider can't be shown right now.");
    await expect(page.getByRole("table", { name: /Your security activity/ }).getByRole("rowheader", { name: /Notification preferences/ })).toBeVisible();
  });
});
