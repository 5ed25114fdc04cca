import { expect, type Page } from "@playwright/test";

/** The portal's public landing page with the sign-in button. */
export class HomePage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/");
    await expect(this.page.getByRole("heading", { name: "Sign in to online banking" })).toBeVisible();
  }

  /** The landing page says the session ended, and why (`because`: the reason's wording). */
  async expectSessionEnded(because: string | RegExp) {
    const notice = this.page.getByRole("status").filter({ hasText: "Your session ended. Sign in again to continue." });
    await expect(notice).toBeVisible();
    await expect(notice).toContainText(because);
  }

  async startSignIn() {
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }
}
