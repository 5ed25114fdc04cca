import { expect, type Page } from "@playwright/test";
import { step } from "../support/step";

/** The portal's sign-in error page (app/auth/error), where a failed or refused sign-in lands. */
export class SignInErrorPage {
  constructor(readonly page: Page) {}

  /** The identity provider refused the sign-in: the page names the AADSTS code. */
  @step((code: string) => `expect the sign-in refused with ${code}`)
  async expectRefused(code: string) {
    await expect(this.page.getByRole("heading", { name: "The sign-in service refused this sign-in" })).toBeVisible();
    await expect(this.page.getByRole("alert").filter({ hasText: code })).toBeVisible();
  }

  /** The correlation id the page shows (one per sign-in attempt). */
  @step("read the correlation id")
  async correlationId(): Promise<string> {
    const value = this.page.getByRole("definition").filter({ hasText: /^[0-9a-f-]{36}$/ });
    await expect(value).toBeVisible();
    return (await value.innerText()).trim();
  }

  @step("try signing in again")
  async tryAgain() {
    await this.page.getByRole("button", { name: "Try again" }).click();
  }

  /** Starts a sign-in in which the identity provider asks which account, instead of reusing its session. */
  @step("sign in with another account")
  async signInWithAnotherAccount() {
    await this.page.getByRole("button", { name: "Sign in with another account" }).click();
  }
}
