import { test, expect } from "./fixtures";
import { expectNoSeriousA11yViolations } from "./support/accessibility";
import { HomePage } from "./pages/home.page";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { StepUpDialogPage } from "./pages/step-up-dialog.page";
import { AuthorizationRequest } from "./support/authorize";

/** axe on every page a person meets, the portal's and the identity provider's (the console's: console.spec.ts). */
test.describe("accessibility @a11y", () => {
  test("public pages: sign-in, signed out, sign-in error with an AADSTS code", async ({ page }) => {
    await page.goto("/");
    await expectNoSeriousA11yViolations(page, "landing page");
    await page.goto("/?ended=unknown");
    await new HomePage(page).expectSessionEnded("signed out on another device");
    await expectNoSeriousA11yViolations(page, "landing page after a session ended");
    await page.goto("/signed-out");
    await expectNoSeriousA11yViolations(page, "signed-out page");
    await page.goto("/auth/error?error=ProviderRefused&code=AADSTS53003&correlation=0f8fad5b-d9cb-469f-a165-70867728950e");
    await expect(page.getByRole("heading", { name: "The sign-in service refused this sign-in" })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "sign-in error page");
  });

  test("an address the portal doesn't have: a 404 in the portal's own styles that says where to go", async ({ page }) => {
    const blocked: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1, name: "We can't find that page" })).toBeVisible();
    const overview = page.getByRole("link", { name: "Go to your overview" });
    // Styled by the stylesheet (the brand button), not left bare by a blocked inline style.
    await expect(overview).toHaveCSS("background-color", "rgb(23, 97, 61)");
    expect(blocked).toEqual([]);
    await expectNoSeriousA11yViolations(page, "not found");
    await overview.click();
    // Without a session the overview sends them to sign in.
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  });

  test("the identity provider's pages: username, password with an error, code entry", async ({ page, persona, home, identityProvider }) => {
    const user = await persona("totp");
    await home.goto();
    await home.startSignIn();
    await expect(page.getByLabel("Email or username")).toBeVisible();
    await expectNoSeriousA11yViolations(page, "identity provider: username");
    await identityProvider.signIn({ ...user, password: "wrong" });
    await identityProvider.expectError("AADSTS50126");
    await expectNoSeriousA11yViolations(page, "identity provider: password with error");
  });

  test("signed in: the dashboard, and the step-up dialog and its popup", async ({ page, persona, home, identityProvider, dashboard, stepUpDialog }) => {
    const user = await persona("totp");
    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn(user);
    await dashboard.expectSignedInAs(user.displayName);
    await expectNoSeriousA11yViolations(page, "dashboard");

    await dashboard.account("Everyday Checking").getByRole("button", { name: "Show full number" }).click();
    await stepUpDialog.expectOpen(/Verify to see full account numbers/);
    await expectNoSeriousA11yViolations(page, "step-up dialog");
    const popup = await stepUpDialog.verify();
    await expect(new IdentityProviderPage(popup).codeField()).toBeVisible();
    await expectNoSeriousA11yViolations(popup, "identity provider: code entry in the popup");
  });

  test("finance: the overview with its charts and tables, an account's history and statements, an empty result, not found", async ({
    page,
    persona,
    signIn,
    finance,
    account,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    await finance.openFromNavigation();
    // Wait for the charts: they load after the page, and axe must see them too.
    await expect(finance.spendingChart().or(finance.spending().getByText(/No spending in/))).toBeVisible();
    await expect(finance.balanceChart().locator("svg").first()).toBeVisible();
    await expectNoSeriousA11yViolations(page, "finance overview");

    await finance.openAccount("Everyday Checking");
    await expect(account.rows().first()).toBeVisible();
    await expectNoSeriousA11yViolations(page, "account history");

    await account.filter({ q: "no such merchant anywhere" });
    await expect(account.history()).toContainText("No transactions match these filters.");
    await expectNoSeriousA11yViolations(page, "account history, empty result");

    const { id } = await database.bankAccount.findFirstOrThrow({ where: { name: "Everyday Checking", owner: { objectId: user.oid } }, select: { id: true } });
    await account.goto(id, "?from=2026-02-30");
    await expect(account.history().getByRole("alert")).toBeVisible();
    await expectNoSeriousA11yViolations(page, "account history, invalid filters");

    await account.goto("acct_does_not_exist");
    await expect(account.notFound()).toBeVisible();
    await expectNoSeriousA11yViolations(page, "account not found");
  });

  test("the idle-timeout warning", async ({ page, persona, signIn, dashboard }) => {
    const user = await persona("totp");
    await page.clock.install();
    await signIn(user);
    await dashboard.fastForwardToIdleWarning();
    await expectNoSeriousA11yViolations(page, "idle warning");
  });

  test("settings, security activity and policy health (admin)", async ({ page, persona, signIn, settingsPage, securityActivity, policyHealth }) => {
    const admin = await persona("admin");
    await signIn(admin);
    for (const section of ["Profile", "Payees", "Limits", "Security"] as const) {
      await settingsPage.open(section);
      await expectNoSeriousA11yViolations(page, `settings: ${section}`);
    }
    await settingsPage.sessions().getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(settingsPage.signOutEverywhereConfirmation()).toBeVisible();
    await expectNoSeriousA11yViolations(page, "settings: the sign-out-everywhere confirmation");
    await settingsPage.signOutEverywhereConfirmation().getByRole("button", { name: "Cancel" }).click();
    await securityActivity.openFromNavigation();
    await expectNoSeriousA11yViolations(page, "security activity");
    await policyHealth.openFromNavigation();
    await expectNoSeriousA11yViolations(page, "policy health");
  });

  test("the identity provider's other pages: method choice, passkey, and the dialog's error state after a closed popup", async ({
    page,
    persona,
    signIn,
    dashboard,
    stepUpDialog,
  }) => {
    await signIn(await persona("totp+passkey"));
    await dashboard.account("Everyday Checking").getByRole("button", { name: "Show full number" }).click();
    const popup = await stepUpDialog.verify();
    await expect(popup.getByRole("heading", { name: "Verify your identity" })).toBeVisible();
    await expectNoSeriousA11yViolations(popup, "identity provider: method choice");
    await popup.getByRole("button", { name: "Use a passkey" }).click();
    await expect(popup.getByRole("heading", { name: "Use a passkey" })).toBeVisible();
    await expectNoSeriousA11yViolations(popup, "identity provider: passkey");
    await popup.close();
    await stepUpDialog.expectError("Verification was cancelled", "Try again");
    await expectNoSeriousA11yViolations(page, "step-up dialog: error");
  });

  test("the identity provider's other pages: text message, registration interrupt, password change", async ({
    persona,
    signIn,
    anotherBrowser,
    dashboard,
    stepUpDialog,
    control,
  }) => {
    await signIn(await persona("sms"));
    await dashboard.account("Everyday Checking").getByRole("button", { name: "Show full number" }).click();
    const sms = await stepUpDialog.verify();
    await expect(sms.getByText(/We texted your phone/)).toBeVisible();
    await expectNoSeriousA11yViolations(sms, "identity provider: text message code");
    await sms.close();

    const newcomer = await anotherBrowser();
    await signIn(await persona("no-mfa"), newcomer);
    await newcomer.getByRole("region", { name: "Accounts" }).getByRole("listitem").filter({ hasText: "Everyday Checking" }).getByRole("button", { name: "Show full number" }).click();
    const registration = await new StepUpDialogPage(newcomer).verify();
    await new IdentityProviderPage(registration).expectRegistrationInterrupt({ authenticatorApp: true, passkey: true });
    await expectNoSeriousA11yViolations(registration, "identity provider: registration interrupt");

    const risky = await persona("risky-user");
    const leaked = await anotherBrowser();
    await leaked.goto("/");
    await leaked.getByRole("button", { name: "Sign in" }).click();
    const identityProvider = new IdentityProviderPage(leaked);
    await identityProvider.signIn(risky);
    await identityProvider.enterCode(await control.totpCode(risky.oid));
    await expect(leaked.getByRole("heading", { name: "Update your password" })).toBeVisible();
    await expectNoSeriousA11yViolations(leaked, "identity provider: password change");
  });

  test("the identity provider's error page, and the transfer form", async ({ page, persona, signIn, transfer, settings }) => {
    // An authorize request from a client the directory does not know cannot go back to it: Entra
    // (and the emulator) show their own error page.
    const authorize = new URL(`${settings.emulatorOrigin}/${settings.tenantId}/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({ client_id: "00000000-0000-0000-0000-000000000000", response_type: "code", redirect_uri: "https://app.invalid/callback", scope: "openid" }).toString();
    await page.goto(authorize.toString());
    await expect(page.getByText("AADSTS700016")).toBeVisible();
    await expectNoSeriousA11yViolations(page, "identity provider: error page");

    await signIn(await persona("totp"));
    await transfer.goto();
    await expectNoSeriousA11yViolations(page, "transfer form");
  });
  test("the identity provider's account picker and error code page", async ({ page, persona, signIn, settings }) => {
    await signIn(await persona("totp"));
    await page.goto(new AuthorizationRequest(settings, { prompt: "select_account" }).url());
    await expect(page.getByRole("heading", { name: "Pick an account" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Use another account" })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "identity provider: account picker");

    await page.goto(`${settings.emulatorOrigin}/error?code=50076`);
    await expect(page.getByText("AADSTS50076")).toBeVisible();
    await expectNoSeriousA11yViolations(page, "identity provider: error code lookup");
  });
});

