import { test, expect } from "./fixtures";
import { expectNoSeriousA11yViolations } from "./support/accessibility";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { CHECKING, SAVINGS, accountOf } from "./support/ground-truth";
import type { Locator, Page } from "@playwright/test";

/**
 * The portal on a phone (the `phone` project in playwright.config.ts, 390×844, the only project
 * that runs this file): every page fits the width with nothing scrolling sideways and passes
 * axe, the header's menu navigates, and the step-up dialog keeps its buttons on screen, also
 * with the on-screen keyboard up.
 */

/**
 * Neither the page nor anything in its main content is wider than the screen: the document
 * does not scroll sideways, and no element in `main` reaches past either edge (a table in a
 * scrolling box would not widen the document, yet would hide its end).
 */
async function expectFitsTheWidth(page: Page, what: string) {
  const { width } = page.viewportSize()!;
  const measured = await page.evaluate(() => {
    const innerWidth = window.innerWidth;
    const describe = (element: Element) => {
      const box = element.getBoundingClientRect();
      const classes = typeof element.className === "string" && element.className ? `.${element.className.trim().split(/\s+/).slice(0, 3).join(".")}` : "";
      return `${element.tagName.toLowerCase()}${classes} [${Math.round(box.left)}, ${Math.round(box.right)}] "${(element.textContent ?? "").trim().slice(0, 40)}"`;
    };
    const outside = [...document.querySelectorAll("main *")].filter((element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && (box.left < -1 || box.right > innerWidth + 1);
    });
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, outside: outside.slice(0, 5).map(describe) };
  });
  expect(measured.innerWidth, `${what}: the layout viewport is the screen's width`).toBe(width);
  expect(measured.scrollWidth, `${what}: the page scrolls sideways`).toBeLessThanOrEqual(width);
  expect(measured.outside, `${what}: elements in main past the screen's edges`).toEqual([]);
}

/** The element lies wholly inside the viewport as it is now. */
async function expectOnScreen(page: Page, locator: Locator, what: string) {
  const box = await locator.boundingBox();
  const { width, height } = page.viewportSize()!;
  expect(box, `${what} is rendered`).not.toBeNull();
  expect(box!.x, what).toBeGreaterThanOrEqual(0);
  expect(box!.y, what).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, what).toBeLessThanOrEqual(width);
  expect(box!.y + box!.height, what).toBeLessThanOrEqual(height);
}

/** Opens each path in turn, waits for `ready`, and checks the width and axe: one step per page. */
async function checkPages(page: Page, pages: readonly { path: string; ready: () => Locator }[]) {
  for (const { path, ready } of pages) {
    await test.step(`fits a phone: ${path}`, async () => {
      await page.goto(path);
      await expect(ready()).toBeVisible();
      await expectFitsTheWidth(page, path);
      await expectNoSeriousA11yViolations(page, path);
    });
  }
}

test("every page fits a phone's width and passes axe", async ({ page, persona, signIn, dashboard, stepUpDialog, control, database }) => {
  // Sixteen pages with axe on each: more than one flow's time, for one test instead of sixteen sign-ins.
  test.slow();
  const heading = (name: string | RegExp) => () => page.getByRole("heading", { level: 1, name });
  await checkPages(page, [
    { path: "/", ready: () => page.getByRole("button", { name: "Sign in" }) },
    { path: "/signed-out", ready: heading("You have signed out") },
    { path: "/auth/error?error=ProviderRefused&code=AADSTS53003&correlation=0f8fad5b-d9cb-469f-a165-70867728950e", ready: heading(/refused this sign-in/) },
    { path: "/no-such-page", ready: heading("We can't find that page") },
  ]);

  // An admin sees every page, Policy health included; one step-up first gives Security activity rows.
  const admin = await persona("admin");
  await signIn(admin);
  await dashboard.account(CHECKING).getByRole("button", { name: "Show full number" }).click();
  const popup = await stepUpDialog.verify();
  await new IdentityProviderPage(popup).verifyWithCode(await control.totpCode(admin.oid));
  await expect(dashboard.account(CHECKING).getByRole("button", { name: "Hide" })).toBeVisible();
  await expectFitsTheWidth(page, "dashboard with a full account number");

  const checking = await accountOf(database, admin, CHECKING);
  await checkPages(page, [
    { path: "/dashboard", ready: heading(/overview/i) },
    // The charts load after the page; the width is measured with them drawn.
    { path: "/finance", ready: () => page.getByTestId("balance-chart").locator("svg").first() },
    { path: `/finance/accounts/${checking.id}`, ready: () => page.getByRole("table", { name: /Transactions on/ }) },
    { path: "/finance/accounts/acct_does_not_exist", ready: heading("Account not found") },
    { path: "/transfer", ready: () => page.getByRole("region", { name: "Recent transfers" }) },
    { path: "/settings", ready: heading("Settings") },
    { path: "/settings/payees", ready: () => page.getByRole("table", { name: "Your payees" }) },
    { path: "/settings/limits", ready: heading("Settings") },
    { path: "/settings/security", ready: () => page.getByRole("table", { name: "Your active sessions" }) },
    { path: "/security", ready: () => page.getByRole("list", { name: /Your security activity/ }) },
    { path: "/admin/policy-health", ready: heading("Policy health") },
    { path: "/no-such-page", ready: heading("We can't find that page") },
  ]);
});

test("on a phone: the header menu navigates, and the step-up dialog keeps Verify on screen with the keyboard up", async ({
  page,
  persona,
  signIn,
  transfer,
  stepUpDialog,
}) => {
  await signIn(await persona("totp"));
  const menuButton = page.getByRole("banner").getByRole("button", { name: "Menu" });
  const mainNavigation = page.getByRole("navigation", { name: "Main" });

  await test.step("the menu opens, and Escape closes it", async () => {
    await expect(mainNavigation).toBeHidden();
    await expectOnScreen(page, page.getByRole("banner"), "the header");
    expect((await page.getByRole("banner").boundingBox())!.height, "the closed header is compact").toBeLessThan(100);
    await menuButton.click();
    await expect(menuButton).toHaveAttribute("aria-expanded", "true");
    await expect(mainNavigation).toBeVisible();
    await expect(page.getByRole("banner").getByRole("button", { name: "Sign out" })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "the open header menu");
    await page.keyboard.press("Escape");
    await expect(menuButton).toHaveAttribute("aria-expanded", "false");
    await expect(mainNavigation).toBeHidden();
    await expect(menuButton).toBeFocused();
  });

  await test.step("a link in the menu navigates and closes it", async () => {
    await menuButton.press("Enter");
    await mainNavigation.getByRole("link", { name: "Transfer" }).tap();
    await expect(transfer.heading()).toBeVisible();
    await expect(menuButton).toHaveAttribute("aria-expanded", "false");
    await expect(mainNavigation).toBeHidden();
  });

  await test.step("the step-up dialog fits, with and without the on-screen keyboard", async () => {
    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1,000.00", memo: "Tuition" });
    await stepUpDialog.expectOpen("You are approving exactly this");
    const verify = stepUpDialog.dialog().getByRole("button", { name: "Verify", exact: true });
    await expect(verify).toBeEnabled();
    await expectOnScreen(page, stepUpDialog.dialog(), "the dialog");
    await expectOnScreen(page, verify, "Verify");
    // The portal asks for `interactive-widget=resizes-content`, so a keyboard shrinks the viewport
    // the page lays out in: as here, to what is left above a keyboard of about 330 px.
    await page.setViewportSize({ width: 390, height: 514 });
    await expectOnScreen(page, stepUpDialog.dialog(), "the dialog with the keyboard up");
    await expectOnScreen(page, verify, "Verify with the keyboard up");
    await expectOnScreen(page, stepUpDialog.dialog().getByRole("button", { name: "Cancel" }), "Cancel with the keyboard up");
    await stepUpDialog.cancel();
  });
});
