import { expect, type Page } from "@playwright/test";
import { step } from "../support/step";

/** The signed-in dashboard: balances and recent activity. */
export class DashboardPage {
  constructor(readonly page: Page) {}

  @step("open the dashboard")
  async goto() {
    await this.page.goto("/dashboard");
  }

  /** The dashboard is showing for this person. */
  @step((displayName: string) => `expect the dashboard of ${displayName}`)
  async expectSignedInAs(displayName: string) {
    await expect(this.page.getByRole("heading", { level: 1, name: /overview/i })).toBeVisible();
    await expect(this.page.getByRole("banner")).toContainText(displayName);
  }

  /** The account card or row with this name (e.g. "Everyday Checking"). */
  account(name: string | RegExp) {
    return this.page.getByRole("region", { name: "Accounts" }).getByRole("listitem").filter({ hasText: name });
  }

  /** The strength badge in the header ("Password only", "Multi-factor, within the hour", …). */
  strengthBadge() {
    return this.page.getByRole("banner").getByTestId("session-strength");
  }

  /** The warning shown shortly before the idle timeout signs the person out. */
  idleWarning() {
    return this.page.getByRole("alertdialog", { name: "You'll be signed out soon" });
  }

  /**
   * Moves the page's clock (installed with `page.clock.install()`) to 90 seconds before the idle
   * timeout, where the warning shows. The warning's timers are set when the page has hydrated,
   * which can be just after the jump: those timers then count from the new time, so the jump is
   * made again. A second jump still lands inside the warning's two minutes, well before the page
   * reloads at the timeout.
   */
  @step("stay idle until the sign-out warning")
  async fastForwardToIdleWarning() {
    await expect(async () => {
      await this.page.clock.fastForward("28:30");
      await expect(this.idleWarning()).toBeVisible({ timeout: 3_000 });
    }).toPass({ timeout: 15_000 });
  }

  /** In the idle warning: "Stay signed in". */
  @step("stay signed in")
  async staySignedIn() {
    await this.idleWarning().getByRole("button", { name: "Stay signed in" }).click();
  }

  @step("sign out")
  async signOut() {
    await this.page.getByRole("button", { name: "Sign out" }).click();
  }
}
