import { test, expect } from "./fixtures";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { StepUpDialogPage } from "./pages/step-up-dialog.page";
import { TransferPage } from "./pages/transfer.page";
import { SAVINGS, CHECKING, accountOf, approvalsOf, transfersOf, usd, watchPopups } from "./support/ground-truth";
import type { Page } from "@playwright/test";

/** Another tab of the same browser (same cookies, same storage), with its transfer page and dialog. */
async function secondTab(page: Page) {
  const tab = await page.context().newPage();
  return { tab, transfer: new TransferPage(tab), dialog: new StepUpDialogPage(tab) };
}

/**
 * Several tabs, one person (docs/step-up.md, "Several tabs, one person"): two pages of one
 * browser context share the session, as two tabs do.
 * - Each tab's approval stays open until that tab uses or cancels it: approving in one tab never
 *   spends the other's.
 * - One identity-provider window at a time: while one tab's is open, the other tab's dialog says
 *   so, opens nothing, and becomes usable when that verification ends, without a reload.
 */
test.describe("step-up in several tabs @step-up @database", () => {
  test("a transfer started in each tab: each approval runs its own transfer once, whichever is approved first", async ({
    page,
    persona,
    signIn,
    transfer,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const savings = await accountOf(database, user, SAVINGS);
    const { tab: tabB, transfer: transferB, dialog: dialogB } = await secondTab(page);

    await transfer.goto();
    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1,000.00", memo: "Tab A" });
    await stepUpDialog.expectOpen("$1,000.00");
    await transferB.goto();
    await transferB.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1,100.00", memo: "Tab B" });
    await dialogB.expectOpen("$1,100.00");
    expect(await approvalsOf(database, user, "transfer.create")).toEqual(["open", "open"]);

    const popupA = await stepUpDialog.verify();
    await new IdentityProviderPage(popupA).enterCode(await control.totpCode(user.oid));
    await stepUpDialog.expectClosed();
    await transfer.expectReceipt({ amount: "$1,000.00", newBalance: usd(savings.balanceMinor - 100_000n) });

    // Tab A's verification is still fresh at the identity provider, which would approve B
    // without asking; make it old, so B's window asks for its own code.
    await control.ageAuthentication(user.oid, 3_601);
    const popupB = await dialogB.verify();
    await new IdentityProviderPage(popupB).enterCode(await control.totpCode(user.oid));
    await dialogB.expectClosed();
    await transferB.expectReceipt({ amount: "$1,100.00", newBalance: usd(savings.balanceMinor - 210_000n) });

    expect(await transfersOf(database, user, { memo: "Tab A" })).toEqual([{ amountMinor: 100_000n, status: "completed", memo: "Tab A" }]);
    expect(await transfersOf(database, user, { memo: "Tab B" })).toEqual([{ amountMinor: 110_000n, status: "completed", memo: "Tab B" }]);
    expect((await accountOf(database, user, SAVINGS)).balanceMinor).toBe(savings.balanceMinor - 210_000n);
    expect(await approvalsOf(database, user, "transfer.create")).toEqual(["used", "used"]);
    await tabB.close();
  });

  test("while one tab's verification window is open the other tab waits and opens none; after it, that tab verifies", async ({
    page,
    persona,
    signIn,
    transfer,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const savings = await accountOf(database, user, SAVINGS);
    const { tab: tabB, transfer: transferB, dialog: dialogB } = await secondTab(page);
    const popupsOfB = watchPopups(tabB);

    await transfer.goto();
    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1,200.00", memo: "First" });
    await transferB.goto();
    await transferB.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1,300.00", memo: "Second" });
    await dialogB.expectOpen("$1,300.00");

    const popupA = await stepUpDialog.verify();
    await expect(new IdentityProviderPage(popupA).codeField()).toBeVisible();
    await dialogB.expectWaitingForOtherTab();
    expect(popupsOfB).toHaveLength(0);

    await new IdentityProviderPage(popupA).enterCode(await control.totpCode(user.oid));
    await transfer.expectReceipt({ amount: "$1,200.00", newBalance: usd(savings.balanceMinor - 120_000n) });

    await control.ageAuthentication(user.oid, 3_601);
    const popupB = await dialogB.verify();
    expect(popupsOfB).toHaveLength(1);
    await new IdentityProviderPage(popupB).enterCode(await control.totpCode(user.oid));
    await transferB.expectReceipt({ amount: "$1,300.00", newBalance: usd(savings.balanceMinor - 250_000n) });
    expect(await transfersOf(database, user, { memo: "First" })).toEqual([{ amountMinor: 120_000n, status: "completed", memo: "First" }]);
    expect(await transfersOf(database, user, { memo: "Second" })).toEqual([{ amountMinor: 130_000n, status: "completed", memo: "Second" }]);
    await tabB.close();
  });

  test("a tab that closes with its window open frees the other tab; Cancel ends only its own tab's approval", async ({
    page,
    persona,
    signIn,
    transfer,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const savings = await accountOf(database, user, SAVINGS);
    const { tab: tabB, transfer: transferB, dialog: dialogB } = await secondTab(page);

    await transferB.goto();
    await transferB.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1,400.00", memo: "Abandoned" });
    await transfer.goto();
    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1,500.00", memo: "Kept" });
    const popupB = await dialogB.verify();
    await expect(new IdentityProviderPage(popupB).codeField()).toBeVisible();
    await stepUpDialog.expectWaitingForOtherTab();

    // No message from tab B when it goes: the browser releases its lock.
    await tabB.close();
    await popupB.close();
    const popupA = await stepUpDialog.verify();
    await new IdentityProviderPage(popupA).enterCode(await control.totpCode(user.oid));
    await transfer.expectReceipt({ amount: "$1,500.00", newBalance: usd(savings.balanceMinor - 150_000n) });
    expect(await transfersOf(database, user, { memo: "Abandoned" })).toEqual([]);

    await transfer.goto();
    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1,600.00", memo: "Cancelled" });
    await stepUpDialog.expectOpen("$1,600.00");
    await stepUpDialog.cancel();
    await expect.poll(() => approvalsOf(database, user, "transfer.create")).toEqual(["open", "used", "cancelled"]);
    expect(await transfersOf(database, user, { memo: "Cancelled" })).toEqual([]);
  });
});
