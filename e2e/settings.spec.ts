import type { PrismaClient } from "../lib/generated/prisma/client";
import { test, expect, type Persona } from "./fixtures";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { expectNoSeriousA11yViolations } from "./support/accessibility";
import { addPasskey } from "./support/virtual-authenticator";
import { CHECKING, SAVINGS } from "./support/ground-truth";

/**
 * Settings (app/(portal)/settings): notification preferences (no step-up); payees (security.update,
 * c2 = a passkey in production); limits (limits.update: lowering runs at once, raising needs c2,
 * and transfers obey the new limits, the daily total included); sessions (signing out the others
 * after step-up, signing out everywhere). Ground truth is the database.
 */


const payeesOf = (database: PrismaClient, user: Persona) =>
  database.payee.findMany({ where: { owner: { objectId: user.oid } }, select: { name: true, bankName: true, accountNumber: true, removedAt: true }, orderBy: { name: "asc" } });

async function portalUserId(database: PrismaClient, user: Persona): Promise<string> {
  return (await database.user.findFirstOrThrow({ where: { objectId: user.oid }, select: { id: true } })).id;
}

async function outcomes(database: PrismaClient, user: Persona, operation: string): Promise<string[]> {
  const userId = await portalUserId(database, user);
  return (await database.auditEvent.findMany({ where: { userId, operation }, select: { outcome: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] })).map((e) => e.outcome);
}

async function limitsOf(database: PrismaClient, user: Persona) {
  const userId = await portalUserId(database, user);
  return database.transferLimit.findMany({ where: { userId }, select: { currency: true, perTransferMinor: true, dailyMinor: true } });
}

test.describe("settings", () => {
  test("profile shows the directory's name; notification preferences save without step-up, with a toast", async ({ page, persona, signIn, settingsPage, database }) => {
    const user = await persona("totp");
    await signIn(user);
    await settingsPage.open("Profile");
    await expect(page.getByRole("region", { name: "Profile" })).toContainText(user.displayName);
    await expect(page.getByRole("region", { name: "Profile" })).toContainText(user.userPrincipalName);
    await expectNoSeriousA11yViolations(page, "settings: profile");

    await settingsPage.setNotification(/transfer leaves/, false);
    await settingsPage.setNotification(/signs in from a new device/, false);
    await settingsPage.saveNotifications();
    await settingsPage.expectToast("Notification preferences saved.");
    const userId = await portalUserId(database, user);
    expect(await database.notificationPreferences.findUnique({ where: { userId }, select: { emailOnTransfer: true, emailOnNewPayee: true, emailOnNewDevice: true } })).toEqual({
      emailOnTransfer: false,
      emailOnNewPayee: true,
      emailOnNewDevice: false,
    });
    await page.reload();
    await expect(settingsPage.notifications().getByRole("checkbox", { name: /transfer leaves/ })).not.toBeChecked();
  });

  test("payee form: every field error at once, the input kept, nothing stored and nothing asked", async ({ page, persona, signIn, settingsPage, stepUpDialog, database }) => {
    const user = await persona("passkey");
    await signIn(user);
    await settingsPage.goto("/settings/payees");
    const before = await payeesOf(database, user);

    await settingsPage.submitPayee({ name: "", bankName: "x".repeat(71), accountNumber: "12-ab" });
    await expect(settingsPage.errorSummary()).toBeFocused();
    await expect(settingsPage.errorSummary()).toContainText("Name: Enter the payee's name.");
    await expect(settingsPage.errorSummary()).toContainText("Bank: Keep the bank's name to 70 characters or fewer.");
    await expect(settingsPage.errorSummary()).toContainText("Account number: Enter the account number as 6 to 17 digits.");
    await expect(page.getByRole("textbox", { name: "Account number", exact: true })).toHaveValue("12-ab");
    await expect(page.getByRole("textbox", { name: "Bank", exact: true })).toHaveAttribute("aria-invalid", "true");
    await stepUpDialog.expectClosed();
    await expectNoSeriousA11yViolations(page, "settings: payee form with errors");
    expect(await payeesOf(database, user)).toEqual(before);
  });
});

test.describe("settings with step-up @step-up", () => {
  test("adding a payee: the dialog shows exactly the new payee, nothing is stored until a passkey approves it, then it is added once @database", async ({
    page,
    persona,
    signIn,
    settingsPage,
    stepUpDialog,
    database,
  }) => {
    const user = await persona("passkey");
    await signIn(user);
    await settingsPage.open("Payees");
    await expectNoSeriousA11yViolations(page, "settings: payees");
    const before = await payeesOf(database, user);

    await settingsPage.submitPayee({ name: "Northwind Tuition", bankName: "Contoso Bank", accountNumber: "4455 6677 88" });
    await stepUpDialog.expectOpen("You are approving exactly this");
    for (const text of ["Northwind Tuition", "Contoso Bank", "4455667788", "Verified with a phishing-resistant passkey for this action"]) {
      await expect(stepUpDialog.dialog()).toContainText(text);
    }
    await expectNoSeriousA11yViolations(page, "settings: payee approval dialog");
    // The call without a proof was answered step_up_required: the handler never ran.
    expect(await payeesOf(database, user)).toEqual(before);
    expect(await outcomes(database, user, "security.update")).toEqual(["required"]);

    const popup = await stepUpDialog.verify();
    await addPasskey(popup, user.passkey);
    await new IdentityProviderPage(popup).verifyWithPasskey();

    await stepUpDialog.expectClosed();
    await settingsPage.expectToast("Payee added. Northwind Tuition, Contoso Bank (•••• 7788).");
    await expect(settingsPage.payeeRow("Northwind Tuition")).toContainText("•••• 7788");
    await expect(page.getByRole("textbox", { name: "Name", exact: true })).toHaveValue("");
    const after = await payeesOf(database, user);
    expect(after.filter((p) => p.name === "Northwind Tuition")).toEqual([{ name: "Northwind Tuition", bankName: "Contoso Bank", accountNumber: "4455667788", removedAt: null }]);
    expect(await outcomes(database, user, "security.update")).toEqual(["required", "executed"]);
    expect(await outcomes(database, user, "settings.payee")).toEqual(["added"]);
  });

  test("closing the popup adds nothing, and the input stays for another try", async ({ page, persona, signIn, settingsPage, stepUpDialog, database }) => {
    const user = await persona("passkey");
    await signIn(user);
    await settingsPage.goto("/settings/payees");
    const before = await payeesOf(database, user);

    await settingsPage.submitPayee({ name: "Closed Popup Ltd", bankName: "Fabrikam Bank", accountNumber: "123456789" });
    await stepUpDialog.expectOpen("Closed Popup Ltd");
    const popup = await stepUpDialog.verify();
    await expect(popup.getByRole("heading").first()).toBeVisible();
    await popup.close();

    await stepUpDialog.expectError("Verification was cancelled", "Try again");
    await stepUpDialog.cancel();
    expect(await payeesOf(database, user)).toEqual(before);
    await expect(page.getByRole("textbox", { name: "Name", exact: true })).toHaveValue("Closed Popup Ltd");
    await expect(settingsPage.payeeList()).not.toContainText("Closed Popup Ltd");
  });

  test("editing and removing a payee each need a passkey; a removed payee with payments keeps its history @database", async ({
    page,
    persona,
    signIn,
    settingsPage,
    stepUpDialog,
    database,
  }) => {
    const user = await persona("passkey");
    await signIn(user);
    await settingsPage.goto("/settings/payees");
    // A seeded payee the persona has paid (the landlord: monthly rent).
    const paid = await database.payee.findFirstOrThrow({ where: { owner: { objectId: user.oid }, transfers: { some: { status: "completed" } } }, select: { id: true, name: true, maskedAccountNumber: true } });
    const payments = await database.transfer.count({ where: { payeeId: paid.id } });
    expect(payments).toBeGreaterThan(0);

    await settingsPage.startEditing(paid.name);
    await settingsPage.submitPayee({ name: `${paid.name} (old lease)` }, "Save changes");
    await stepUpDialog.expectOpen(`Unchanged (${paid.maskedAccountNumber})`);
    let popup = await stepUpDialog.verify();
    await addPasskey(popup, user.passkey);
    await new IdentityProviderPage(popup).verifyWithPasskey();
    await settingsPage.expectToast(`Payee updated. ${paid.name} (old lease)`);

    const renamed = `${paid.name} (old lease)`;
    await settingsPage.remove(renamed);
    await stepUpDialog.expectOpen(renamed);
    // A second approval within five minutes of the passkey: the identity provider applies Entra's
    // "every time" tolerance (https://learn.microsoft.com/entra/identity/conditional-access/concept-session-lifetime), so the popup gets c2 without asking and closes itself.
    // It is still a new popup, a new token and a new pending operation for this removal.
    popup = await stepUpDialog.verify();
    await expect.poll(() => popup.isClosed(), { message: "the popup closes itself" }).toBe(true);
    await settingsPage.expectToast(`Payee removed. ${renamed}`);
    await expect(settingsPage.payeeRow(renamed)).toHaveCount(0);

    const row = await database.payee.findUniqueOrThrow({ where: { id: paid.id }, select: { name: true, removedAt: true } });
    expect(row.name).toBe(renamed);
    expect(row.removedAt).not.toBeNull();
    expect(await database.transfer.count({ where: { payeeId: paid.id } })).toBe(payments);
    // It is no longer offered for payments.
    await page.goto("/transfer");
    await expect(page.getByLabel("To", { exact: true }).getByRole("option", { name: new RegExp(`^${renamed.replace(/[()]/g, "\\$&")}`) })).toHaveCount(0);
    expect(await outcomes(database, user, "settings.payee")).toEqual(["edited", "removed"]);
  });

  test("limits: lowering needs no verification and binds transfers at once; raising needs a passkey @database", async ({
    page,
    persona,
    signIn,
    settingsPage,
    stepUpDialog,
    transfer,
    database,
  }) => {
    const user = await persona("passkey");
    await signIn(user);
    await settingsPage.open("Limits");
    await expect(settingsPage.limits()).toContainText("Now $25,000.00 per transfer and $50,000.00 per account per day (the bank's defaults)");
    await expectNoSeriousA11yViolations(page, "settings: limits");
    const popups: unknown[] = [];
    page.on("popup", (popup) => popups.push(popup));

    await settingsPage.submitLimits({ perTransfer: "200.00", daily: "300.00" });
    await settingsPage.expectToast("USD limits saved: $200.00 per transfer, $300.00 per day.");
    await stepUpDialog.expectClosed();
    expect(popups).toHaveLength(0);
    expect(await limitsOf(database, user)).toEqual([{ currency: "USD", perTransferMinor: 20_000n, dailyMinor: 30_000n }]);

    // A transfer over the new per-transfer limit is refused; the daily total holds across transfers.
    await transfer.goto();
    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "200.01", memo: "Over the limit" });
    await expect(transfer.errorSummary()).toContainText("The most you can send in one transfer is $200.00.");
    await transfer.page.getByLabel(/^Amount/).fill("200.00");
    await transfer.page.getByLabel("Memo (optional)").fill("Within the limit");
    await transfer.page.getByRole("button", { name: "Review transfer" }).click();
    await transfer.send();
    await expect(transfer.receipt()).toContainText("$200.00");
    await transfer.receipt().getByRole("button", { name: "Make another transfer" }).click();
    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "150.00", memo: "Past the daily total" });
    await expect(transfer.reviewError()).toContainText("daily limit of $300.00. You can send up to $100.00 more today.");
    expect(await database.transfer.count({ where: { owner: { objectId: user.oid }, memo: { in: ["Over the limit", "Past the daily total"] } } })).toBe(0);

    // Raising asks for the strongest verification, showing from → to.
    await settingsPage.goto("/settings/limits");
    await settingsPage.submitLimits({ perTransfer: "5,000.00", daily: "10,000.00" });
    await stepUpDialog.expectOpen("$200.00 → $5,000.00");
    await expect(stepUpDialog.dialog()).toContainText("$300.00 → $10,000.00");
    expect(await limitsOf(database, user)).toEqual([{ currency: "USD", perTransferMinor: 20_000n, dailyMinor: 30_000n }]);
    const popup = await stepUpDialog.verify();
    await addPasskey(popup, user.passkey);
    await new IdentityProviderPage(popup).verifyWithPasskey();
    await settingsPage.expectToast("USD limits saved: $5,000.00 per transfer, $10,000.00 per day.");
    expect(await limitsOf(database, user)).toEqual([{ currency: "USD", perTransferMinor: 500_000n, dailyMinor: 1_000_000n }]);
    expect(await outcomes(database, user, "limits.update")).toEqual(["executed", "required", "executed"]);
  });

  test("sign out other sessions: after a passkey, the other browser is signed out on its next request; this one stays @database", async ({
    anotherBrowser,
    page,
    persona,
    signIn,
    settingsPage,
    stepUpDialog,
    database,
  }) => {
    const user = await persona("passkey");
    // Another browser (its own cookies), signed in first.
    const other = await anotherBrowser();
    await signIn(user, other);

    await signIn(user);
    await settingsPage.goto("/settings/security");
    await expect(settingsPage.sessionRows()).toHaveCount(2);
    await expect(settingsPage.sessionRows().filter({ hasText: "This device" })).toHaveCount(1);
    await expect(settingsPage.sessionRows().first()).toContainText(/Chrome on Linux|Chrome on/);
    // The emulator has no self-service methods page (ENTRA_SECURITY_INFO_URL unset): no link to anywhere outside.
    await expect(page.getByRole("link", { name: /Manage your sign-in methods/ })).toHaveCount(0);
    await expect(page.getByText("Ask your administrator to add or change them.")).toBeVisible();
    await expectNoSeriousA11yViolations(page, "settings: security");

    await settingsPage.signOutOtherSessions();
    await stepUpDialog.expectOpen("Every other session (1 now), keeping this one");
    expect(await database.session.count({ where: { user: { objectId: user.oid } } })).toBe(2);
    const popup = await stepUpDialog.verify();
    await addPasskey(popup, user.passkey);
    await new IdentityProviderPage(popup).verifyWithPasskey();
    await settingsPage.expectToast("1 other session was signed out.");
    await expect(settingsPage.sessionRows()).toHaveCount(1);
    expect(await database.session.count({ where: { user: { objectId: user.oid } } })).toBe(1);

    await other.goto("/dashboard");
    await expect(other.getByRole("heading", { name: "Sign in to online banking" })).toBeVisible();
    await page.reload();
    await expect(settingsPage.sessionRows()).toHaveCount(1);
  });
});

test.describe("signing out everywhere", () => {
  test("asks for confirmation first: Cancel ends nothing", async ({ anotherBrowser, page, persona, signIn, settingsPage, database }) => {
    const user = await persona("totp");
    const other = await anotherBrowser();
    await signIn(user, other);
    await signIn(user);
    await settingsPage.goto("/settings/security");

    await settingsPage.startThenCancelSignOutEverywhere();
    await expect(page).toHaveURL(/\/settings\/security$/);
    expect(await database.session.count({ where: { user: { objectId: user.oid } } })).toBe(2);
    await other.goto("/dashboard");
    await expect(other.getByRole("heading", { level: 1, name: /overview/i })).toBeVisible();
  });


  test("ends every portal session, this one included, then the identity provider's @database", async ({ anotherBrowser, page, persona, signIn, settingsPage, database }) => {
    const user = await persona("totp");
    const other = await anotherBrowser();
    await signIn(user, other);

    await signIn(user);
    await settingsPage.goto("/settings/security");
    expect(await database.session.count({ where: { user: { objectId: user.oid } } })).toBe(2);
    await settingsPage.signOutEverywhere();
    await expect(page).toHaveURL(/\/signed-out/);
    expect(await database.session.count({ where: { user: { objectId: user.oid } } })).toBe(0);
    await other.goto("/dashboard");
    await expect(other.getByRole("heading", { name: "Sign in to online banking" })).toBeVisible();
    await page.goto("/settings");
    await expect(page.getByRole("heading", { name: "Sign in to online banking" })).toBeVisible();
  });
});
