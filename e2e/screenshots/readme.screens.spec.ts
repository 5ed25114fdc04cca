import path from "node:path";
import { test, expect } from "../fixtures";
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
