import { expect, type Locator, type Page } from "@playwright/test";
import { fillSecret } from "../support/secrets";

/**
 * Microsoft Entra ID's own sign-in pages (login.microsoftonline.com), for the opt-in real-tenant
 * run. The emulator's pages have their own page object (e2e/pages/identity-provider.page.ts);
 * these are Microsoft's, whose layout a tenant's branding and Microsoft's releases can change.
 *
 * Rather than a fixed sequence, `complete()` looks at which step Entra shows and answers it, until
 * the window leaves Entra: Entra skips steps it already knows (the SSO session skips the password,
 * a remembered account skips the username), and a tenant's policies add or remove the second
 * factor and "Stay signed in?". The locators are Entra's long-standing form field names
 * (`loginfmt`, `passwd`, `otc`) and button ids; if Microsoft changes them, this file is the one
 * place to follow.
 */
export interface EntraCredentials {
  userPrincipalName: string;
  password: string;
  /** A currently valid authenticator-app code, when Entra asks for one (called once per prompt). */
  totpCode: () => Promise<string>;
}

type Step = "account" | "username" | "password" | "choose-method" | "code" | "stay-signed-in" | "done";

export class EntraSignInPage {
  private readonly steps: Record<Exclude<Step, "done">, Locator>;

  constructor(readonly page: Page) {
    this.steps = {
      account: page.locator("#tilesHolder [data-test-id]"),
      username: page.locator('input[name="loginfmt"]:visible'),
      password: page.locator('input[name="passwd"]:visible'),
      "choose-method": page.locator('[data-value="PhoneAppOTP"]:visible'),
      code: page.locator('input[name="otc"]:visible'),
      "stay-signed-in": page.locator("#KmsiDescription, #KmsiCheckboxField"),
    };
  }

  /**
   * Still with Entra: a popup starts as about:blank before MSAL navigates it, and Entra's pages
   * live on login.microsoftonline.com (some flows pass through login.microsoft.com or login.live.com).
   */
  private withEntra(): boolean {
    if (this.page.isClosed()) return false;
    const url = this.page.url();
    return url === "about:blank" || /(^|\.)login\.(microsoftonline|microsoft|live)\.com$/.test(new URL(url).hostname);
  }

  /** Which step Entra shows now; "done" once the window has left Entra (or closed). */
  private async step(): Promise<Step | "loading"> {
    if (!this.withEntra()) return "done";
    for (const [step, locator] of Object.entries(this.steps) as [Exclude<Step, "done">, Locator][]) {
      if (await locator.first().isVisible().catch(() => false)) return step;
    }
    return "loading";
  }

  /** Waits until Entra shows one of its steps, or the window has left Entra. */
  private async nextStep(): Promise<Step> {
    let current: Step | "loading" = "loading";
    await expect
      .poll(
        async () => {
          current = await this.step();
          return current !== "loading";
        },
        { message: "Entra shows a sign-in step or returns to the portal", timeout: 30_000 },
      )
      .toBe(true);
    return current as Step;
  }

  /**
   * Answers every step Entra asks for until it hands back to the portal: the account, the
   * password, the authenticator-app code (choosing it when Entra offers several methods) and
   * "Stay signed in?" (no). Fails on a step it cannot answer (e.g. only a passkey offered).
   */
  async complete(credentials: EntraCredentials): Promise<void> {
    for (let answered = 0; answered < 8; answered++) {
      const step = await this.nextStep();
      switch (step) {
        case "done":
          return;
        case "account":
          await this.page.locator(`#tilesHolder [data-test-id="${credentials.userPrincipalName}"]`).click();
          break;
        case "username":
          await this.steps.username.fill(credentials.userPrincipalName);
          await this.page.locator("#idSIButton9").click();
          break;
        case "password":
          await fillSecret(this.steps.password, credentials.password);
          await this.page.locator("#idSIButton9").click();
          break;
        case "choose-method":
          await this.steps["choose-method"].first().click();
          break;
        case "code":
          await this.steps.code.fill(await credentials.totpCode());
          await this.page.locator("#idSubmit_SAOTCC_Continue").click();
          break;
        case "stay-signed-in":
          await this.page.locator("#idBtn_Back").click();
          break;
      }
      // Wait for Entra to move on from the step just answered before looking again.
      await expect(this.steps[step].first()).toBeHidden({ timeout: 30_000 }).catch(() => undefined);
    }
    throw new Error(`Entra kept asking after 8 steps; last page: ${this.page.url()}`);
  }
}
