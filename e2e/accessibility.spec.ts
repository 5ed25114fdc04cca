import { test, expect } from "./fixtures";
import { expectNoSeriousA11yViolations } from "./support/accessibility";
import { IdentityProviderPage } from "./pages/identity-provider.page";

/** axe on every page a person meets so far, the portal's and the identity provider's. */
test.describe("accessibility @a11y", () => {
  test("public pages: sign-in, signed out, sign-in error with an AADSTS code", async ({ page }) => {
    await page.goto("/");
    await expectNoSeriousA11yViolations(page, "landing page");
    await page.goto("/signed-out");
    await expectNoSeriousA11yViolations(page, "signed-out page");
    await page.goto("/auth/error?error=ProviderRefused&code=AADSTS53003&correlation=0f8fad5b-d9cb-469f-a165-70867728950e");
    await expect(page.getByRole("heading", { name: "The sign-in service refused this sign-in" })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "sign-in error page");
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
});
