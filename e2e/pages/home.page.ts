import { expect, type Page } from "@playwright/test";
import { step } from "../support/step";

/** The portal's public landing page with the sign-in button. */
export class HomePage {
  constructor(readonly page: Page) {}

  @step("open the portal")
  async goto() {
    await this.page.goto("/");
    await expect(this.page.getByRole("heading", { name: "Sign in to online banking" })).toBeVisible();
  }

  /** The landing page says the session ended, and why (`because`: the reason's wording). */
  @step("expect the session-ended notice")
  async expectSessionEnded(because: string | RegExp) {
    const notice = this.page.getByRole("status").filter({ hasText: "Your session ended. Sign in again to continue." });
    await expect(notice).toBeVisible();
    await expect(notice).toContainText(because);
  }

  @step("press Sign in")
  async startSignIn() {
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }
}
