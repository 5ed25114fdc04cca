import type { PrismaClient } from "../lib/generated/prisma/client";
import { test, expect } from "./fixtures";
import { DashboardPage } from "./pages/dashboard.page";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { StepUpDialogPage } from "./pages/step-up-dialog.page";
import { CHECKING, SAVINGS, accountOf, auditOutcomes, groupDigits as grouped, transfersOf, watchPopups } from "./support/ground-truth";
import { blockPopups } from "./support/popups";
import { addPasskey, addVirtualAuthenticator } from "./support/virtual-authenticator";

/**
 * No dead ends: the ways a step-up can go wrong in the browser that are not the identity
 * provider's answer (see step-up.spec.ts for those), each ending in the operation done exactly
 * once or in nothing done, never in a stuck dialog.
 * - The popup is blocked: the dialog offers to continue in this window (a full-page redirect);
 *   back from the identity provider the kept request waits for a click, and runs once.
 * - The page is reloaded while its popup is open: MSAL closes that popup; Verify starts afresh.
 * - The person verifies as someone else in the popup: the dialog names both accounts, nothing
 *   runs, and "Sign in as <the session's user>" asks the identity provider for a fresh sign-in.
 * - A tab opened from a tab mid-verification waits while the first tab's window is open (one at
 *   a time, step-up-tabs.spec.ts); after it, Verify opens its own window at once, although that
 *   tab's copy of sessionStorage still carries MSAL's "interaction in progress" mark (a leftover
 *   this page takes over: acquireTokenInPopup in lib/step-up/client/msal.ts).
 * - No passkey on this device for an action that needs one: the identity provider says what the
 *   request needs, the dialog says it too, and the way forward (registering a passkey after
 *   proving a method the account has, or the device that holds the passkey) runs the action once.
 */

test.describe("step-up recovery: a blocked popup continues in this window @step-up", () => {
  test("full account number: verify by redirect, then nothing shows until Continue, which shows it once", async ({
    page,
    persona,
    signIn,
    dashboard,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await blockPopups(page);
    await signIn(user);
    const { fullNumber } = await accountOf(database, user, CHECKING);
    const popups = watchPopups(page);

    await dashboard.account(CHECKING).getByRole("button", { name: "Show full number" }).click();
    await stepUpDialog.expectOpen("Verify to see full account numbers");
    await stepUpDialog.dialog().getByRole("button", { name: "Verify", exact: true }).click();
    await stepUpDialog.expectError("Your browser blocked the verification window", "Continue in this window");

    await stepUpDialog.continueInWindow();
    // The whole tab is at the identity provider now; its SSO session asks only for the code.
    const identityProvider = new IdentityProviderPage(page);
    await identityProvider.enterCode(await control.totpCode(user.oid));

    // Back on the dashboard with a proof, but a page load never runs the request by itself.
    await expect(page).toHaveURL(/\/dashboard/);
    await stepUpDialog.expectResumable();
    await expect(page.locator("body")).not.toContainText(grouped(fullNumber));
    expect(await auditOutcomes(database, user, "finance.viewStatements")).toEqual(["required"]);

    await stepUpDialog.resume();
    await stepUpDialog.expectClosed();
    await expect(dashboard.account(CHECKING)).toContainText(grouped(fullNumber));
    expect(await auditOutcomes(database, user, "finance.viewStatements")).toEqual(["required", "satisfied", "executed"]);
    expect(popups).toHaveLength(0);

    // The kept request was used up: reloading shows no dialog and runs nothing again.
    await page.reload();
    await expect(dashboard.account(CHECKING).getByRole("button", { name: "Show full number" })).toBeVisible();
    await stepUpDialog.expectClosed();
    expect(await auditOutcomes(database, user, "finance.viewStatements")).toEqual(["required", "satisfied", "executed"]);
  });

  test("transfer: the approval survives the redirect and runs exactly once, on Continue @database", async ({
    page,
    persona,
    signIn,
    transfer,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await blockPopups(page);
    await signIn(user);
    await transfer.goto();
    const savings = await accountOf(database, user, SAVINGS);

    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1500", memo: "By redirect" });
    await stepUpDialog.expectOpen("$1,500.00");
    await stepUpDialog.dialog().getByRole("button", { name: "Verify", exact: true }).click();
    await stepUpDialog.expectError("Your browser blocked the verification window", "Continue in this window");

    await stepUpDialog.continueInWindow();
    await new IdentityProviderPage(page).enterCode(await control.totpCode(user.oid));

    await expect(page).toHaveURL(/\/transfer/);
    await stepUpDialog.expectResumable();
    // The dialog still names exactly what will run; nothing has moved yet.
    await expect(stepUpDialog.dialog()).toContainText("$1,500.00");
    await expect(stepUpDialog.dialog()).toContainText("By redirect");
    expect(await transfersOf(database, user, { memo: "By redirect" })).toEqual([]);
    expect((await accountOf(database, user, SAVINGS)).balanceMinor).toBe(savings.balanceMinor);

    await stepUpDialog.resume();
    await transfer.expectReceipt({
      amount: "$1,500.00",
      newBalance: new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(Number(savings.balanceMinor - 150_000n) / 100),
    });
    expect(await transfersOf(database, user, { memo: "By redirect" })).toEqual([{ amountMinor: 150_000n, status: "completed", memo: "By redirect" }]);

    // Reloading runs nothing again: the kept request left the tab when the page came back.
    await page.reload();
    await expect(page.getByRole("heading", { level: 1, name: "Transfer" })).toBeVisible();
    await stepUpDialog.expectClosed();
    expect(await transfersOf(database, user, { memo: "By redirect" })).toHaveLength(1);
    expect((await accountOf(database, user, SAVINGS)).balanceMinor).toBe(savings.balanceMinor - 150_000n);
  });
});

test.describe("step-up recovery: an interaction left in this tab @step-up", () => {
  test("reloading while the popup is open closes that popup, and the next Verify starts afresh", async ({
    page,
    persona,
    signIn,
    dashboard,
    stepUpDialog,
    control,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const show = () => dashboard.account(CHECKING).getByRole("button", { name: "Show full number" });

    await show().click();
    const abandoned = await stepUpDialog.verify();
    await expect(new IdentityProviderPage(abandoned).codeField()).toBeVisible();
    await page.reload();
    // MSAL closes its popup when the page that watches it unloads. The mark of its interaction may
    // stay in sessionStorage (when the page goes before MSAL sees the window close): the next
    // Verify takes it over.
    await expect.poll(() => abandoned.isClosed(), { message: "the abandoned popup is closed" }).toBe(true);

    await show().click();
    const popup = await stepUpDialog.verify();
    await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));
    await stepUpDialog.expectClosed();
    await expect(dashboard.account(CHECKING).getByRole("button", { name: "Hide" })).toBeVisible();
  });

  test("a tab opened from a tab mid-verification waits for it, then verifies in its own window despite MSAL's inherited 'in progress' mark", async ({
    page,
    persona,
    signIn,
    dashboard,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const { fullNumber } = await accountOf(database, user, CHECKING);

    await dashboard.account(CHECKING).getByRole("button", { name: "Show full number" }).click();
    const firstPopup = await stepUpDialog.verify();
    await expect(new IdentityProviderPage(firstPopup).codeField()).toBeVisible();

    // A window the page opens gets a copy of its sessionStorage (as "Duplicate tab" does), where
    // MSAL keeps the mark of the interaction the first tab is still running.
    const [secondTab] = await Promise.all([page.waitForEvent("popup"), page.evaluate(() => void window.open(window.location.href))]);
    const secondDashboard = new DashboardPage(secondTab);
    const secondDialog = new StepUpDialogPage(secondTab);
    await secondDashboard.account(CHECKING).getByRole("button", { name: "Show full number" }).click();
    await secondDialog.expectOpen("Verify to see full account numbers");
    await secondDialog.expectWaitingForOtherTab();

    // The first tab's verification ends (its window closed): the second tab verifies now, although
    // its sessionStorage still says an interaction is in progress (copied from the first tab).
    await firstPopup.close();
    expect(await secondTab.evaluate(() => sessionStorage.getItem("msal.interaction.status")), "the inherited mark").not.toBeNull();
    await expect(secondTab.locator("body")).not.toContainText(grouped(fullNumber));
    const popup = await secondDialog.verify();
    await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));
    await secondDialog.expectClosed();
    await expect(secondDashboard.account(CHECKING)).toContainText(grouped(fullNumber));
    await secondTab.close();
  });
});

test.describe("step-up recovery: verified as someone else @step-up", () => {
  test("the dialog names both accounts and runs nothing; 'Sign in as …' verifies the right person, and only then the number shows", async ({
    page,
    persona,
    signIn,
    dashboard,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    const someoneElse = await persona("totp");
    await signIn(user);
    const { fullNumber } = await accountOf(database, user, CHECKING);
    // The identity provider's own session ends (its cookie only): its next page asks who you are.
    await page.context().clearCookies({ name: "estsemu" });

    await dashboard.account(CHECKING).getByRole("button", { name: "Show full number" }).click();
    const popup = await stepUpDialog.verify();
    const popupIdentityProvider = new IdentityProviderPage(popup);
    // The hint names the signed-in person; a person at this keyboard can still choose another account.
    await popupIdentityProvider.useAnotherAccount();
    await popupIdentityProvider.signIn(someoneElse);
    await popupIdentityProvider.enterCode(await control.totpCode(someoneElse.oid));

    await stepUpDialog.expectError(`You verified as ${someoneElse.userPrincipalName}; continue as ${user.userPrincipalName}.`, `Sign in as ${user.userPrincipalName}`);
    await expect(page.locator("body")).not.toContainText(grouped(fullNumber));
    // The browser never sent the other person's token: the server saw only the first challenge.
    expect(await auditOutcomes(database, user, "finance.viewStatements")).toEqual(["required"]);

    const [again] = await Promise.all([page.waitForEvent("popup"), stepUpDialog.dialog().getByRole("button", { name: `Sign in as ${user.userPrincipalName}` }).click()]);
    const againIdentityProvider = new IdentityProviderPage(again);
    // prompt=login with the right hint: the password page for the session's user.
    await againIdentityProvider.enterPassword(user.password);
    await againIdentityProvider.enterCode(await control.totpCode(user.oid));
    await stepUpDialog.expectClosed();
    await expect(dashboard.account(CHECKING)).toContainText(grouped(fullNumber));
    expect(await auditOutcomes(database, user, "finance.viewStatements")).toEqual(["required", "satisfied", "executed"]);
  });
});

/** The person's payees of that name in the portal's database, removed ones included. */
function payeesNamed(database: PrismaClient, user: { oid: string }, name: string) {
  return database.payee.findMany({ where: { owner: { objectId: user.oid }, name }, select: { name: true, removedAt: true } });
}

test.describe("step-up recovery: no passkey on this device @step-up", () => {
  test("an account with only an authenticator app adds a payee: told a passkey is needed, proves the app, registers a passkey, and the payee is added once", async ({
    persona,
    signIn,
    settingsPage,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    await settingsPage.goto("/settings/payees");
    await settingsPage.submitPayee({ name: "Passkey Newcomer Ltd", bankName: "Contoso Bank", accountNumber: "5566778899" });
    await stepUpDialog.expectOpen("Passkey Newcomer Ltd");

    // The password alone adds nothing: the identity provider asks for the app first, and says why.
    const first = await stepUpDialog.verify();
    await new IdentityProviderPage(first).expectAskedToVerifyBeforeAdding("a passkey");
    await new IdentityProviderPage(first).cancel();
    await stepUpDialog.expectError(/Verification was cancelled\. .*This action needs a passkey\. No passkey on this device\? Try again/, "Try again");
    expect(await payeesNamed(database, user, "Passkey Newcomer Ltd")).toEqual([]);

    const popup = await stepUpDialog.tryAgain();
    const identityProvider = new IdentityProviderPage(popup);
    await identityProvider.expectAskedToVerifyBeforeAdding("a passkey");
    await identityProvider.enterCode(await control.totpCode(user.oid));
    await identityProvider.expectRegistrationInterrupt({ authenticatorApp: false, passkey: true });
    // An authenticator with nothing on it: the passkey is created now, on this device.
    await addVirtualAuthenticator(popup);
    await identityProvider.registerPasskey();

    await stepUpDialog.expectClosed();
    await settingsPage.expectToast("Payee added. Passkey Newcomer Ltd, Contoso Bank (•••• 8899).");
    expect(await payeesNamed(database, user, "Passkey Newcomer Ltd")).toHaveLength(1);
    expect(await auditOutcomes(database, user, "settings.payee")).toEqual(["added"]);
  });

  test("a passkey kept on another device: the identity provider says only a passkey will do, and the device holding it completes the payee once", async ({
    persona,
    signIn,
    settingsPage,
    stepUpDialog,
    database,
  }) => {
    const user = await persona("passkey");
    await signIn(user);
    await settingsPage.goto("/settings/payees");
    await settingsPage.submitPayee({ name: "Elsewhere Passkey Ltd", bankName: "Fabrikam Bank", accountNumber: "1122334455" });
    await stepUpDialog.expectOpen("Elsewhere Passkey Ltd");

    const first = await stepUpDialog.verify();
    await addVirtualAuthenticator(first);
    const onThisDevice = new IdentityProviderPage(first);
    await onThisDevice.verifyWithPasskey();
    await onThisDevice.expectPasskeyNotUsed("This request needs a passkey; no other method will do.");
    await onThisDevice.cancel();
    await stepUpDialog.expectError("This action needs a passkey.", "Try again");
    expect(await payeesNamed(database, user, "Elsewhere Passkey Ltd")).toEqual([]);

    const popup = await stepUpDialog.tryAgain();
    await addPasskey(popup, user.passkey);
    await new IdentityProviderPage(popup).verifyWithPasskey();
    await stepUpDialog.expectClosed();
    await settingsPage.expectToast(/Payee added\. Elsewhere Passkey Ltd/);
    expect(await payeesNamed(database, user, "Elsewhere Passkey Ltd")).toHaveLength(1);
    expect(await auditOutcomes(database, user, "settings.payee")).toEqual(["added"]);
  });
});
