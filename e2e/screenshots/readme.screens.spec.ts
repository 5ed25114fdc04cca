import path from "node:path";
import { test, expect } from "../fixtures";
import { ConsolePage } from "../pages/console.page";
import { IdentityProviderPage } from "../pages/identity-provider.page";

const out = (name: string) => path.join(import.meta.dirname, "..", "..", "docs", "screenshots", `${name}.png`);

test("README screenshots: sign-in, dashboard, step-up dialog, the identity provider's popup, the result, a transfer approval", async ({
  page,
  persona,
  home,
  identityProvider,
  dashboard,
  stepUpDialog,
  control,
  transfer,
}) => {
  const user = await persona("totp");
  await home.goto();
  await page.screenshot({ path: out("landing") });

  await home.startSignIn();
  await expect(page.getByLabel("Email or username")).toBeVisible();
  await page.screenshot({ path: out("identity-provider-sign-in") });

  await identityProvider.signIn(user);
  await dashboard.expectSignedInAs(user.displayName);
  await page.screenshot({ path: out("dashboard") });

  await dashboard.account("Everyday Checking").getByRole("button", { name: "Show full number" }).click();
  await stepUpDialog.expectOpen(/Verify to see full account numbers/);
  await expect(stepUpDialog.dialog().getByRole("button", { name: "Verify", exact: true })).toBeEnabled();
  await page.screenshot({ path: out("step-up-dialog") });

  const popup = await stepUpDialog.verify();
  await popup.setViewportSize({ width: 520, height: 640 });
  const popupPage = new IdentityProviderPage(popup);
  await expect(popupPage.codeField()).toBeVisible();
  await popup.screenshot({ path: out("step-up-popup") });
  await popupPage.enterCode(await control.totpCode(user.oid));

  await expect(dashboard.account("Everyday Checking").getByRole("button", { name: "Hide" })).toBeVisible();
  await page.screenshot({ path: out("revealed") });

  await transfer.goto();
  await transfer.submitTransfer({ from: "High-Yield Savings", to: "Everyday Checking", amount: "1,500.00", memo: "Tuition" });
  await stepUpDialog.expectOpen("You are approving exactly this");
  await expect(stepUpDialog.dialog().getByRole("button", { name: "Verify", exact: true })).toBeEnabled();
  await page.screenshot({ path: out("transfer-approval") });
});

test("README screenshots: every other page (finance, an account, settings, security activity, policy health, the emulator's console)", async ({
  page,
  persona,
  signIn,
  finance,
  settingsPage,
  securityActivity,
  policyHealth,
  stepUpDialog,
  control,
  settings,
  browser,
}) => {
  // An admin sees every page of the portal, Policy health included.
  const admin = await persona("admin");
  await signIn(admin);
  // One step-up first, so Security activity has something to show.
  await page.getByRole("region", { name: "Accounts" }).getByRole("listitem").filter({ hasText: "Everyday Checking" }).getByRole("button", { name: "Show full number" }).click();
  const popup = await stepUpDialog.verify();
  await new IdentityProviderPage(popup).verifyWithCode(await control.totpCode(admin.oid));
  await expect(page.getByRole("button", { name: "Hide" })).toBeVisible();
  await finance.goto();
  await page.screenshot({ path: out("finance"), fullPage: true });
  await finance.openAccount("Everyday Checking");
  await page.screenshot({ path: out("account") });
  await settingsPage.goto("/settings/payees");
  await page.screenshot({ path: out("settings-payees") });
  await settingsPage.goto("/settings/limits");
  await page.screenshot({ path: out("settings-limits") });
  await settingsPage.goto("/settings/security");
  await page.screenshot({ path: out("settings-security") });
  await securityActivity.goto();
  await page.screenshot({ path: out("security-activity") });
  await policyHealth.goto();
  await expect(policyHealth.heading()).toBeVisible();
  await page.screenshot({ path: out("policy-health"), fullPage: true });

  // The emulator's console, in a browser of its own (its own admin role and session).
  const consoleAdmin = await control.createUser({ displayName: "Console Admin", methods: ["totp"], roles: ["Emulator.Admin"] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const console = new ConsolePage(await context.newPage(), settings.emulatorOrigin);
  await console.signIn(consoleAdmin);
  await console.expectSection("Users", consoleAdmin.displayName);
  await console.open("Sign-in logs");
  await console.page.screenshot({ path: out("emulator-console") });
  await context.close();
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test("README screenshots on a phone: the dashboard with its menu open, a transfer approval", async ({ page, persona, signIn, stepUpDialog, transfer }) => {
    await signIn(await persona("totp"));
    await page.getByRole("banner").getByRole("button", { name: "Menu" }).click();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await page.screenshot({ path: out("phone-dashboard") });

    await transfer.goto();
    await transfer.submitTransfer({ from: "High-Yield Savings", to: "Everyday Checking", amount: "1,500.00", memo: "Tuition" });
    await stepUpDialog.expectOpen("You are approving exactly this");
    await expect(stepUpDialog.dialog().getByRole("button", { name: "Verify", exact: true })).toBeEnabled();
    await page.screenshot({ path: out("phone-transfer-approval") });
  });
});
