import { test, expect } from "./fixtures";
import { HomePage } from "./pages/home.page";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { SignInErrorPage } from "./pages/sign-in-error.page";
import { expectNoSeriousA11yViolations } from "./support/accessibility";

/**
 * The admin "Policy health" page: admins (app role Portal.Admin in the ID token) see the policy
 * table with each context's enforcing Conditional Access policies read through Graph; anyone else
 * gets the same 404 as an unknown page, and no link to it.
 */
test.describe("policy health", () => {
  test("an admin sees the operations, the seeded policies as enforcing, and the sign-in log views @database", async ({ page, persona, signIn, policyHealth }) => {
    const admin = await persona("admin");
    await signIn(admin);
    await policyHealth.openFromNavigation();
    await expect(page.getByRole("note")).toHaveCount(0);
    await expect(policyHealth.contextRow("c1")).toContainText("Enforced");
    await expect(policyHealth.contextRow("c1")).toContainText("c1 Approve a transfer: MFA every time");
    await expect(policyHealth.contextRow("c2")).toContainText("c2 Change security settings: phishing-resistant MFA every time");
    await expect(policyHealth.contextRow("c3")).toContainText("c3 View statements: MFA within one hour");
    for (const operation of ["transfer.create", "security.update", "limits.update", "finance.viewStatements"]) {
      await expect(policyHealth.operationsTable()).toContainText(operation);
    }
    await expect(policyHealth.operationsTable().getByRole("row", { name: /Raising a transfer limit/ })).toContainText("c2");
    await expect(policyHealth.operationsTable().getByRole("row", { name: /Lowering a transfer limit/ })).toContainText("Nothing");
    // The shared emulator may or may not have had MFA-required or blocked sign-ins in the last day:
    // either one quiet line, or only the hours that had any (never 24 rows of zeros).
    if (await policyHealth.quietDay().isVisible()) {
      await expect(policyHealth.hourlyTable()).toHaveCount(0);
    } else {
      const rows = policyHealth.hourlyTable().getByRole("row");
      expect(await rows.count()).toBeLessThanOrEqual(25);
      for (const row of (await rows.all()).slice(1)) expect((await row.getByRole("cell").allInnerTexts()).some((count) => Number.parseInt(count, 10) > 0)).toBe(true);
    }
    await expectNoSeriousA11yViolations(page, "policy health");
  });

  test("a sign-in blocked by Conditional Access shows in the day's hours: the quiet line gives way to the busy hours and their chart", async ({ page, browser, persona, signIn, policyHealth }) => {
    // The blocked attempt in a browser of its own, so the admin's sign-in starts afresh.
    const blocked = await persona("blocked");
    const elsewhere = await browser.newContext();
    const other = await elsewhere.newPage();
    const home = new HomePage(other);
    await home.goto();
    await home.startSignIn();
    await new IdentityProviderPage(other).signIn(blocked);
    await new SignInErrorPage(other).expectRefused("AADSTS53003");
    await elsewhere.close();

    const admin = await persona("admin");
    await signIn(admin);
    await policyHealth.goto();
    await expect(policyHealth.quietDay()).toHaveCount(0);
    const blockedCounts = await policyHealth.hourlyTable().getByRole("row").evaluateAll((rows) => rows.slice(1).map((row) => Number.parseInt(row.querySelectorAll("td")[1]?.textContent ?? "0", 10)));
    expect(blockedCounts.length).toBeGreaterThan(0);
    expect(blockedCounts.length).toBeLessThanOrEqual(24);
    expect(blockedCounts.some((count) => count >= 1)).toBe(true);
    await page.getByRole("heading", { name: /MFA-required and blocked sign-ins/ }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: test.info().outputPath("policy-health-busy.png"), fullPage: true });
  });

  test("anyone else gets the 404 of an unknown page, and no link", async ({ page, persona, signIn }) => {
    const user = await persona("totp");
    await signIn(user);
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Policy health" })).toHaveCount(0);
    const admin = await page.goto("/admin/policy-health");
    const unknownBody = async () => (await page.locator("body").innerText()).trim();
    expect(admin?.status()).toBe(404);
    const adminText = await unknownBody();
    const unknown = await page.goto("/admin/no-such-page");
    expect(unknown?.status()).toBe(404);
    expect(await unknownBody()).toBe(adminText);
    await expect(page.getByRole("heading", { name: "Policy health" })).toHaveCount(0);
  });
});
