import { expect, type Page } from "@playwright/test";

/** The signed-in dashboard: balances and recent activity. */
export class DashboardPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/dashboard");
  }

  /** The dashboard is showing for this person. */
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

  /** In the idle warning: "Stay signed in". */
  async staySignedIn() {
    await this.idleWarning().getByRole("button", { name: "Stay signed in" }).click();
  }

  async signOut() {
    await this.page.getByRole("button", { name: "Sign out" }).click();
  }
}
