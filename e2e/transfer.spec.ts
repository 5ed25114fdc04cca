import type { Request } from "@playwright/test";
import { test, expect } from "./fixtures";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { expectNoSeriousA11yViolations } from "./support/accessibility";
import { CHECKING, SAVINGS, accountOf, auditOutcomes, transfersOf, usd, watchPopups } from "./support/ground-truth";
import { addPasskey } from "./support/virtual-authenticator";

/**
 * Transfers (transfer.create, transaction-bound from the policy's threshold): below it the
 * transfer runs at once; from it, the step-up dialog shows the server's stored payload and the
 * identity provider's popup verifies this approval, and a captured approval cannot be replayed.
 * Every way a transfer's step-up can end (closed, denied, blocked, hung, tampered, …) is in
 * step-up-matrix.spec.ts. Ground truth is the database, read through the `database` fixture.
 */


test.describe("transfers", () => {
  test("below the threshold a transfer runs without any popup, and the receipt and balances agree @database", async ({
    page,
    persona,
    signIn,
    transfer,
    stepUpDialog,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    await transfer.openFromNavigation();
    const savings = await accountOf(database, user, SAVINGS);
    const checking = await accountOf(database, user, CHECKING);
    const popups: unknown[] = [];
    page.on("popup", (popup) => popups.push(popup));

    await transfer.review({ from: SAVINGS, to: CHECKING, amount: "12.34", memo: "Lunch money" });
    await expect(transfer.reviewStep()).toContainText("$12.34");
    await expect(transfer.reviewStep()).toContainText("Lunch money");
    await expect(transfer.reviewStep().getByRole("heading", { name: "Review your transfer" })).toBeFocused();
    await expectNoSeriousA11yViolations(page, "transfer review step");
    await transfer.send();

    await transfer.expectReceipt({ amount: "$12.34", newBalance: usd(savings.balanceMinor - 1234n) });
    await stepUpDialog.expectClosed();
    expect(popups).toHaveLength(0);
    expect((await accountOf(database, user, SAVINGS)).balanceMinor).toBe(savings.balanceMinor - 1234n);
    expect((await accountOf(database, user, CHECKING)).balanceMinor).toBe(checking.balanceMinor + 1234n);
    expect(await transfersOf(database, user)).toEqual(expect.arrayContaining([{ amountMinor: 1234n, status: "completed", memo: "Lunch money" }]));
    await expect(page.getByRole("region", { name: "Recent transfers" })).toContainText("$12.34");
    await expectNoSeriousA11yViolations(page, "transfer receipt");
  });

  test("bad input: every field error at once, input kept, nothing sent", async ({ signIn, persona, transfer, database }) => {
    const user = await persona("no-mfa");
    await signIn(user);
    await transfer.goto();
    const before = await transfersOf(database, user);

    await transfer.page.getByLabel(/^Amount/).fill("12.345");
    await transfer.page.getByLabel("Memo (optional)").fill("x".repeat(141));
    await transfer.page.getByRole("button", { name: "Review transfer" }).click();

    await expect(transfer.errorSummary()).toBeFocused();
    await expect(transfer.errorSummary()).toContainText("To: Choose where to send the money.");
    await expect(transfer.errorSummary()).toContainText("Amount: USD amounts have at most 2 decimal places.");
    await expect(transfer.errorSummary()).toContainText("Memo: Keep the memo to 140 characters or fewer.");
    await expect(transfer.page.getByLabel(/^Amount/)).toHaveValue("12.345");
    await expect(transfer.page.getByLabel(/^Amount/)).toHaveAttribute("aria-invalid", "true");
    await expectNoSeriousA11yViolations(transfer.page, "transfer form with errors");
    expect(await transfersOf(database, user)).toEqual(before);
  });
});

test.describe("checked before verification @database", () => {
  test("more than the balance is refused on the review with the reason: no dialog, no popup, nothing sent", async ({
    page,
    persona,
    signIn,
    transfer,
    stepUpDialog,
    database,
  }) => {
    const user = await persona("passkey");
    await signIn(user);
    await transfer.goto();
    const popups = watchPopups(page);
    // From the account with the smaller seeded balance (the larger can be past the per-transfer
    // limit, which would refuse it for that reason instead): above the step-up threshold, only
    // the balance refuses it.
    const [fromName, toName] = (await accountOf(database, user, CHECKING)).balanceMinor <= (await accountOf(database, user, SAVINGS)).balanceMinor ? [CHECKING, SAVINGS] : [SAVINGS, CHECKING];
    const checking = await accountOf(database, user, fromName);
    const amount = checking.balanceMinor + 100_000n;

    await transfer.submitTransfer({ from: fromName, to: toName, amount: usd(amount).replace("$", ""), memo: "Too much" });
    // Past the per-transfer limit (25,000.00) the limit refuses it first: before any dialog too.
    if (amount <= 2_500_000n) await expect(transfer.reviewError()).toContainText("There isn't enough money in this account for this transfer. Nothing was sent.");
    else await expect(page.getByText("The most you can send in one transfer is $25,000.00.").first()).toBeVisible();
    await stepUpDialog.expectClosed();
    expect(popups).toHaveLength(0);
    expect(await auditOutcomes(database, user, "transfer.create")).toContain("rejected:precheck");
    expect((await accountOf(database, user, fromName)).balanceMinor).toBe(checking.balanceMinor);
    expect(await transfersOf(database, user, { memo: "Too much" })).toEqual([]);
  });
});

test.describe("transfers with step-up @step-up", () => {
  test("below the threshold, the transfer that would take the day's unverified total past 1,000.00 asks for an authenticator code @database", async ({
    persona,
    signIn,
    transfer,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    await transfer.goto();
    const savings = await accountOf(database, user, SAVINGS);

    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "999.00", memo: "Within the allowance" });
    await transfer.expectReceipt({ amount: "$999.00", newBalance: usd(savings.balanceMinor - 99_900n) });
    await stepUpDialog.expectClosed();

    await transfer.goto();
    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1.01", memo: "Past the allowance" });
    await stepUpDialog.expectOpen("Verified with a second factor for this action");
    await expect(stepUpDialog.dialog()).toContainText("$1.01");
    expect(await transfersOf(database, user, { memo: "Past the allowance" })).toEqual([]);

    const popup = await stepUpDialog.verify();
    await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));
    await transfer.expectReceipt({ amount: "$1.01", newBalance: usd(savings.balanceMinor - 99_900n - 101n) });
    expect(await transfersOf(database, user, { memo: "Past the allowance" })).toEqual([{ amountMinor: 101n, status: "completed", memo: "Past the allowance" }]);
  });

  test("from the threshold: the dialog shows the exact payload, a TOTP popup approves it, and it runs once @database", async ({
    persona,
    signIn,
    transfer,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    await transfer.goto();
    const savings = await accountOf(database, user, SAVINGS);
    const checking = await accountOf(database, user, CHECKING);

    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1,000.00", memo: "Tuition" });
    await stepUpDialog.expectOpen("You are approving exactly this");
    // The server's stored payload, not the form's copy (amount, source, destination, memo), its
    // ids named from the page's own accounts; no raw ids and no idempotency key.
    for (const text of ["$1,000.00", SAVINGS, CHECKING, "Tuition", "Verified with a second factor for this action"]) {
      await expect(stepUpDialog.dialog()).toContainText(text);
    }
    for (const id of [savings.id, checking.id]) await expect(stepUpDialog.dialog()).not.toContainText(id);
    await expect(stepUpDialog.dialog()).not.toContainText(/Idempotency/i);
    expect(await transfersOf(database, user)).not.toContainEqual(expect.objectContaining({ memo: "Tuition" }));

    const popup = await stepUpDialog.verify();
    await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));
    await expect.poll(() => popup.isClosed(), { message: "the popup closes itself" }).toBe(true);

    await stepUpDialog.expectClosed();
    await transfer.expectReceipt({ amount: "$1,000.00", newBalance: usd(savings.balanceMinor - 100_000n) });
    expect((await accountOf(database, user, SAVINGS)).balanceMinor).toBe(savings.balanceMinor - 100_000n);
    expect((await accountOf(database, user, CHECKING)).balanceMinor).toBe(checking.balanceMinor + 100_000n);
    expect((await transfersOf(database, user)).filter((t) => t.memo === "Tuition")).toEqual([{ amountMinor: 100_000n, status: "completed", memo: "Tuition" }]);
    await expect(transfer.recentVerificationNote(), "verified in this approval's own window").toHaveCount(0);

    // A second approval within the identity provider's five-minute tolerance for "every time":
    // its window closes by itself, and the page says why instead of leaving it unexplained.
    await transfer.makeAnother();
    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1,200.00", memo: "Books" });
    const second = await stepUpDialog.verify();
    await expect.poll(() => second.isClosed(), { message: "no prompt: the recent verification counts" }).toBe(true);
    await transfer.expectReceipt({ amount: "$1,200.00", newBalance: usd(savings.balanceMinor - 220_000n) });
    await expect(transfer.recentVerificationNote()).toContainText("you weren't asked again");
  });

  test("cancelling the dialog moves nothing and returns to the review @database", async ({ signIn, persona, transfer, stepUpDialog, database }) => {
    const user = await persona("totp");
    await signIn(user);
    await transfer.goto();
    const savings = await accountOf(database, user, SAVINGS);

    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1500", memo: "Cancelled" });
    await stepUpDialog.expectOpen("$1,500.00");
    await stepUpDialog.cancel();
    await expect(transfer.reviewStep().getByRole("button", { name: "Send transfer" })).toBeFocused();
    expect((await accountOf(database, user, SAVINGS)).balanceMinor).toBe(savings.balanceMinor);
    expect((await transfersOf(database, user)).filter((t) => t.memo === "Cancelled")).toEqual([]);
  });

  test("as the person types, the form says what the transfer will ask for and why, before anything is sent", async ({ persona, signIn, transfer, database }) => {
    const user = await persona("passkey");
    await signIn(user);
    // Loaded: the person's methods, streamed with the page, are known to the form by now.
    await transfer.goto();
    const newPayee = await database.payee.findFirstOrThrow({
      where: { owner: { objectId: user.oid }, transfers: { none: { status: "completed" } } },
      select: { name: true },
      orderBy: { name: "asc" },
    });
    const cases: [string, string, RegExp][] = [
      [CHECKING, "12.34", /runs without asking you to verify/],
      [CHECKING, "1,500.00", /verify with a second factor .*: it is 1,000\.00 USD or more/],
      [CHECKING, "10,000.00", /verify with a passkey: it is 10,000\.00 USD or more/],
      [newPayee.name, "5.00", /verify with a passkey: it is your first payment to this payee/],
    ];
    for (const [to, amount, expected] of cases) {
      await transfer.fill({ from: SAVINGS, to, amount });
      await expect(transfer.stepUpHint()).toHaveText(expected);
      // They have a passkey: nothing about lacking one.
      await expect(transfer.stepUpHint()).not.toContainText("You have no");
      await expect(transfer.stepUpHint().getByRole("link")).toHaveCount(0);
    }
    expect(await auditOutcomes(database, user, "transfer.create"), "only typed: nothing was asked of the server").toEqual([]);
  });

  test("a person without a passkey is told before sending that this transfer needs one, and how to add one; sending stays possible", async ({
    persona,
    signIn,
    transfer,
    settingsPage,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    await transfer.goto();
    const newPayee = await database.payee.findFirstOrThrow({
      where: { owner: { objectId: user.oid }, transfers: { none: { status: "completed" } } },
      select: { name: true },
      orderBy: { name: "asc" },
    });

    await transfer.fill({ from: SAVINGS, to: newPayee.name, amount: "5.00" });
    await expect(transfer.stepUpHint()).toHaveText(
      "You'll be asked to verify with a passkey: it is your first payment to this payee. You have no passkey yet: when you verify, the sign-in window lets you register one, after you confirm with your authenticator app. How to add a passkey",
    );
    // Her authenticator app is all a transfer from the threshold needs: nothing is missing there.
    await transfer.fill({ from: SAVINGS, to: CHECKING, amount: "1,500.00" });
    await expect(transfer.stepUpHint()).toHaveText(/verify with a second factor .*: it is 1,000\.00 USD or more\.$/);
    await expect(transfer.stepUpHint().getByRole("link")).toHaveCount(0);

    // A hint, not a gate: the transfer can still be reviewed and sent (the identity provider offers the passkey then).
    await transfer.review({ from: SAVINGS, to: newPayee.name, amount: "5.00", memo: "First payment" });
    await expect(transfer.reviewStep().getByRole("button", { name: "Send transfer" })).toBeEnabled();
    expect(await auditOutcomes(database, user, "transfer.create"), "nothing was sent").toEqual([]);

    await transfer.reviewStep().getByRole("button", { name: "Edit" }).click();
    await expect(transfer.addMethodLink("passkey")).toBeVisible();
    await expectNoSeriousA11yViolations(transfer.page, "transfer form: no passkey yet");
    await transfer.addMethodLink("passkey").click();
    await expect(settingsPage.addMethodHelp()).toBeVisible();
    await expect(transfer.page).toHaveURL(/\/settings\/security#add-a-method$/);
  });

  test("a payee with no completed transfer needs a passkey (c2), even for a small amount @database", async ({
    persona,
    signIn,
    transfer,
    stepUpDialog,
    database,
  }) => {
    const user = await persona("passkey");
    await signIn(user);
    await transfer.goto();
    const savings = await accountOf(database, user, SAVINGS);
    const payee = await database.payee.findFirstOrThrow({
      where: { owner: { objectId: user.oid }, transfers: { none: { status: "completed" } } },
      select: { id: true, name: true },
      orderBy: { name: "asc" },
    });

    await transfer.submitTransfer({ from: SAVINGS, to: payee.name, amount: "25.00", memo: "First payment" });
    await stepUpDialog.expectOpen("$25.00");
    await expect(stepUpDialog.dialog()).toContainText(payee.name);
    await expect(stepUpDialog.dialog()).not.toContainText(payee.id);
    await expect(stepUpDialog.dialog()).toContainText("Verified with a phishing-resistant passkey for this action");

    const popup = await stepUpDialog.verify();
    await addPasskey(popup, user.passkey);
    await new IdentityProviderPage(popup).verifyWithPasskey();

    await transfer.expectReceipt({ amount: "$25.00", newBalance: usd(savings.balanceMinor - 2500n) });
    await expect(transfer.receipt()).toContainText(payee.name);
    expect(await database.transfer.count({ where: { payeeId: payee.id, status: "completed" } })).toBe(1);
  });

  test("a captured approval replayed, as it was or with another amount, moves nothing more: the approval is used up @database", async ({
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
    await transfer.goto();
    const savings = await accountOf(database, user, SAVINGS);
    // The browser's retry: the server action call that carries the proof (token + pending operation).
    const retries: Request[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && request.headers()["next-action"] && (request.postData() ?? "").includes('"pendingOperationId"')) retries.push(request);
    });

    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1,000.00", memo: "Replayed" });
    const popup = await stepUpDialog.verify();
    await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));
    await transfer.expectReceipt({ amount: "$1,000.00", newBalance: usd(savings.balanceMinor - 100_000n) });
    expect(retries).toHaveLength(1);

    // An attacker (or a confused proxy) sends the very same request again, cookies and all.
    const captured = retries[0]!;
    const headers = await captured.allHeaders();
    const replay = (data: string) =>
      page.request.post(captured.url(), {
        headers: Object.fromEntries(["next-action", "next-router-state-tree", "content-type", "accept", "origin"].filter((name) => headers[name]).map((name) => [name, headers[name]!])),
        data,
      });
    const body = captured.postData()!;
    expect((await replay(body)).ok()).toBe(true);
    expect(await transfersOf(database, user, { memo: "Replayed" })).toEqual([{ amountMinor: 100_000n, status: "completed", memo: "Replayed" }]);

    // The same proof for a larger amount under the same form's idempotency key: the key already
    // sent another transfer, so the precheck refuses it before the approval is even looked at.
    // (Before execution, a changed amount is answered with a new challenge: test/transfers/step-up.test.ts.)
    expect(body).toContain('"amount":"1,000.00"');
    expect((await replay(body.replace('"amount":"1,000.00"', '"amount":"9,000.00"'))).ok()).toBe(true);
    expect(await transfersOf(database, user, { memo: "Replayed" })).toHaveLength(1);
    expect((await accountOf(database, user, SAVINGS)).balanceMinor).toBe(savings.balanceMinor - 100_000n);
    const outcomes = await auditOutcomes(database, user, "transfer.create");
    expect(outcomes.filter((outcome) => outcome === "executed")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "rejected:already_used")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "rejected:precheck")).toHaveLength(1);
  });

});
