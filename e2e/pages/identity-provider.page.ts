import { expect, type Page, type Response } from "@playwright/test";
import { fillSecret } from "../support/secrets";
import { step } from "../support/step";

/**
 * The emulator's sign-in pages, as a person sees them. The labels are the ones
 * emulator/README.md promises; a real Entra ID tenant's pages differ (the real-tenant project
 * uses its own page object).
 */
export class IdentityProviderPage {
  constructor(readonly page: Page) {}

  /** Username, then password. */
  @step((user: { userPrincipalName: string }) => `sign in at the identity provider as ${user.userPrincipalName}`)
  async signIn({ userPrincipalName, password }: { userPrincipalName: string; password: string }) {
    await this.page.getByLabel("Email or username").fill(userPrincipalName);
    await this.page.getByRole("button", { name: "Next" }).click();
    await fillSecret(this.page.getByLabel("Password"), password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  /** On the password page of a hinted user: "Use another account", back to the username page. */
  @step("choose another account")
  async useAnotherAccount() {
    await expect(this.page.getByRole("heading", { name: "Enter password" })).toBeVisible();
    await this.page.getByRole("button", { name: "Use another account" }).click();
    await expect(this.page.getByLabel("Email or username")).toBeVisible();
  }

  /** The password page for the hinted user (the identity provider's session has ended): just the password. */
  @step("sign in again with the password")
  async enterPassword(password: string) {
    await expect(this.page.getByRole("heading", { name: "Enter password" })).toBeVisible();
    await fillSecret(this.page.getByLabel("Password"), password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  /** After a wrong password: the password page stays, with its error, for another try. */
  @step("try the password again")
  async retryPassword(password: string) {
    await fillSecret(this.page.getByLabel("Password"), password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  /** Chooses the authenticator app and enters a code. */
  @step("verify with an authenticator code")
  async verifyWithCode(code: string) {
    // Wait for whichever page comes (the code page, or the method choice for people with two
    // methods) before deciding: checking visibility at once could race the navigation.
    const codeField = this.page.getByLabel("Enter code");
    const choicePage = this.page.getByRole("heading", { name: "Verify your identity" });
    await expect(codeField.or(choicePage)).toBeVisible();
    if (await choicePage.isVisible()) await this.page.getByRole("button", { name: /authenticator app/i }).click();
    await codeField.fill(code);
    await this.page.getByRole("button", { name: "Verify" }).click();
  }

  /** The error the identity provider shows (e.g. AADSTS50126 for a wrong password). */
  @step((code: string) => `expect the identity provider to show ${code}`)
  async expectError(code: string) {
    await expect(this.page.getByRole("alert")).toContainText(code);
  }

  /** The authenticator-app code page ("Enter code"), reached straight or from the method choice. */
  codeField() {
    return this.page.getByLabel("Enter code");
  }

  /** On the code page: types a code and presses Verify (no method choice; see verifyWithCode). */
  @step("enter the authenticator code")
  async enterCode(code: string) {
    await expect(this.page.getByRole("heading", { name: "Enter code" })).toBeVisible();
    await this.codeField().fill(code);
    await this.page.getByRole("button", { name: "Verify" }).click();
  }

  /** After a wrong code: the code page says so; `attemptsLeft` is the lockout warning, if any. */
  @step("expect the code to be rejected")
  async expectCodeRejected({ attemptsLeft }: { attemptsLeft?: number } = {}) {
    await expect(this.page.getByRole("alert").filter({ hasText: "That code didn't work" })).toBeVisible();
    const warning = this.page.getByRole("alert").filter({ hasText: /attempts? left before your authenticator app is locked/ });
    if (attemptsLeft === undefined) {
      await expect(warning).toHaveCount(0);
    } else {
      await expect(warning).toHaveText(`${attemptsLeft} attempt${attemptsLeft === 1 ? "" : "s"} left before your authenticator app is locked for 10 minutes.`);
    }
  }

  /** The authenticator app is locked (AADSTS50053): the page says so and offers no way to type a code. */
  @step("expect the authenticator app to be locked")
  async expectLocked() {
    await expect(this.page.getByRole("alert").filter({ hasText: "AADSTS50053" })).toBeVisible();
    await expect(this.codeField()).toBeDisabled();
    await expect(this.page.getByRole("button", { name: "Verify" })).toBeDisabled();
  }

  /**
   * Types a wrong code five times: the first two are refused plainly, the next two warn how many
   * tries are left, the fifth locks the authenticator app.
   */
  @step("enter wrong codes until the authenticator app locks")
  async lockOutWithWrongCode(wrong: string) {
    for (const attemptsLeft of [undefined, undefined, 2, 1]) {
      await this.enterCode(wrong);
      await this.expectCodeRejected({ attemptsLeft });
    }
    await this.enterCode(wrong);
    await this.expectLocked();
  }

  /**
   * Submits a code on a locked code page anyway, as someone editing the page (or posting the
   * form by hand) would: the disabled field is only a hint, the identity provider must refuse.
   */
  @step("force a code past the lock")
  async forceCodeWhileLocked(code: string): Promise<Response> {
    const field = this.codeField();
    const verify = this.page.getByRole("button", { name: "Verify" });
    await field.evaluate((input: HTMLInputElement) => (input.disabled = false));
    await verify.evaluate((button: HTMLButtonElement) => (button.disabled = false));
    await field.fill(code);
    const answered = this.page.waitForResponse((response) => response.request().method() === "POST" && new URL(response.url()).pathname.endsWith("/login/totp"));
    await verify.click();
    return answered;
  }

  /**
   * Verifies with the passkey held by the page's virtual authenticator (see
   * e2e/support/virtual-authenticator.ts). Chooses "Use a passkey" first when the identity
   * provider shows the method choice.
   */
  @step("verify with a passkey")
  async verifyWithPasskey() {
    const passkeyPage = this.page.getByRole("heading", { name: "Use a passkey" });
    const choicePage = this.page.getByRole("heading", { name: "Verify your identity" });
    await expect(passkeyPage.or(choicePage)).toBeVisible();
    if (await choicePage.isVisible()) await this.page.getByRole("button", { name: "Use a passkey" }).click();
    await expect(passkeyPage).toBeVisible();
    await this.page.getByRole("button", { name: "Use a passkey" }).click();
  }

  /**
   * After "Use a passkey" found none (the virtual authenticator holds no passkey for this user):
   * the page says no passkey was used, and `next` is what it says to do instead.
   */
  @step("expect no passkey to have been used")
  async expectPasskeyNotUsed(next: string | RegExp) {
    await expect(this.page.getByRole("alert")).toContainText("No passkey was used");
    await expect(this.page.getByText(next)).toBeVisible();
  }

  /**
   * A request the person has no method for, when they already have another one: the code page
   * says what the request needs, and asks for that method first.
   */
  @step((needs: string) => `expect to be asked to verify before adding ${needs}`)
  async expectAskedToVerifyBeforeAdding(needs: string) {
    await expect(this.page.getByRole("heading", { name: "Enter code" })).toBeVisible();
    await expect(this.page.getByText(`This request needs ${needs}. Verify with a method you already have first; then you can add it.`)).toBeVisible();
  }

  /** In the registration interrupt: creates a passkey with the page's (virtual) authenticator. */
  @step("register a passkey")
  async registerPasskey() {
    await this.page.getByRole("button", { name: "Register a passkey" }).click();
  }

  /** The AADSTS50079 interrupt, offering exactly the given ways to register. */
  @step("expect to be asked to register a method")
  async expectRegistrationInterrupt(offers: { authenticatorApp: boolean; passkey: boolean }) {
    await expect(this.page.getByRole("heading", { name: "More information required" })).toBeVisible();
    await expect(this.page.getByText("(AADSTS50079)")).toBeVisible();
    await expect(this.page.getByRole("heading", { name: "Authenticator app" })).toHaveCount(offers.authenticatorApp ? 1 : 0);
    await expect(this.codeField()).toHaveCount(offers.authenticatorApp ? 1 : 0);
    await expect(this.page.getByRole("button", { name: "Register a passkey" })).toHaveCount(offers.passkey ? 1 : 0);
  }

  /**
   * In the registration interrupt: adds the authenticator app from the secret the page shows
   * and proves it with a code computed from that secret. Returns the secret.
   */
  @step("register an authenticator app")
  async registerAuthenticatorApp(codeFor: (secret: string) => string | Promise<string>): Promise<string> {
    await expect(this.page.getByRole("heading", { name: "More information required" })).toBeVisible();
    // `#totp-secret` is one of the stable page hooks listed in emulator/README.md.
    const secret = (await this.page.locator("#totp-secret").innerText()).trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await this.codeField().fill(await codeFor(secret));
    await this.page.getByRole("button", { name: "Verify" }).click();
    return secret;
  }

  /** The secure password change a user-risk policy asks for (after the second factor). */
  @step("change the password")
  async changePassword(newPassword: string) {
    await expect(this.page.getByRole("heading", { name: "Update your password" })).toBeVisible();
    await fillSecret(this.page.getByLabel("New password"), newPassword, "enter the new password");
    await fillSecret(this.page.getByLabel("Confirm password"), newPassword, "confirm the new password");
    await this.page.getByRole("button", { name: "Update password" }).click();
  }

  /** Presses Cancel on any sign-in page (the app gets access_denied). */
  @step("cancel at the identity provider")
  async cancel() {
    await this.page.getByRole("button", { name: "Cancel" }).click();
  }
}
