import { expect, type Page } from "@playwright/test";

/**
 * The emulator's sign-in pages, as a person sees them. The labels are the ones
 * emulator/README.md promises; a real Entra ID tenant's pages differ (the real-tenant project
 * uses its own page object).
 */
export class IdentityProviderPage {
  constructor(readonly page: Page) {}

  /** Username, then password. */
  async signIn({ userPrincipalName, password }: { userPrincipalName: string; password: string }) {
    await this.page.getByLabel("Email or username").fill(userPrincipalName);
    await this.page.getByRole("button", { name: "Next" }).click();
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  /** After a wrong password: the password page stays, with its error, for another try. */
  async retryPassword(password: string) {
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  /** Chooses the authenticator app and enters a code. */
  async verifyWithCode(code: string) {
    const choice = this.page.getByRole("button", { name: /authenticator app/i });
    if (await choice.isVisible()) await choice.click();
    await this.page.getByLabel("Enter code").fill(code);
    await this.page.getByRole("button", { name: "Verify" }).click();
  }

  /** The error the identity provider shows (e.g. AADSTS50126 for a wrong password). */
  async expectError(code: string) {
    await expect(this.page.getByRole("alert")).toContainText(code);
  }
}
