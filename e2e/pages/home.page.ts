import { expect, type Page } from "@playwright/test";

/** The portal's public landing page with the sign-in button. */
export class HomePage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/");
    await expect(this.page.getByRole("heading", { name: "Sign in to online banking" })).toBeVisible();
  }

  async startSignIn() {
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }
}
