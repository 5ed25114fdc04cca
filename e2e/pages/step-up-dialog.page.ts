import { expect, type Page } from "@playwright/test";
import { step } from "../support/step";

/**
 * The portal's step-up dialog (components/step-up/step-up-dialog.tsx): what is being approved,
 * the Verify button that opens the identity provider's popup, and the ways forward from errors.
 */
export class StepUpDialogPage {
  constructor(readonly page: Page) {}

  /** The open dialog, by its accessible name (session-bound or transaction-bound heading). */
  dialog() {
    return this.page.getByRole("dialog", { name: /Verify it's you|Approve this request/ });
  }

  /** The dialog is open, explaining what the verification is for. */
  @step("expect the step-up dialog")
  async expectOpen(purpose: string | RegExp) {
    await expect(this.dialog()).toBeVisible();
    await expect(this.dialog()).toContainText(purpose);
  }

  /** Presses Verify and returns the identity provider's popup. */
  @step("press Verify")
  async verify(): Promise<Page> {
    return this.openPopupWith("Verify");
  }

  /** From an error state: presses "Try again" and returns the new popup. */
  @step("press Try again")
  async tryAgain(): Promise<Page> {
    return this.openPopupWith("Try again");
  }

  /** The dialog shows an error (role=alert) with this text and a way forward. */
  @step((message: string | RegExp) => `expect the dialog to say “${String(message)}”`)
  async expectError(message: string | RegExp, wayForward: string | RegExp = "Try again") {
    await expect(this.dialog().getByRole("alert")).toContainText(message);
    await expect(this.dialog().getByRole("button", { name: wayForward })).toBeVisible();
  }

  /**
   * After a blocked popup: "Continue in this window" navigates this page to the identity provider
   * (the request is kept in the tab's sessionStorage); resolves once the navigation has started.
   */
  @step("continue in this window")
  async continueInWindow() {
    await this.dialog().getByRole("button", { name: "Continue in this window" }).click();
  }

  /** Back from the identity provider in this window: verified, waiting for Continue (nothing has run yet). */
  @step("expect the dialog to be ready to continue")
  async expectResumable() {
    await expect(this.dialog()).toBeVisible();
    await expect(this.dialog().getByRole("status")).toContainText("You verified in this window");
    await expect(this.dialog().getByRole("button", { name: "Continue", exact: true })).toBeFocused();
  }

  /** Runs the kept request with the proof from the redirect. */
  @step("continue the request")
  async resume() {
    await this.dialog().getByRole("button", { name: "Continue", exact: true }).click();
  }

  /** Another tab has the identity provider's window open: the dialog says so and Verify waits. */
  @step("expect the dialog to wait for the other tab")
  async expectWaitingForOtherTab() {
    await expect(this.dialog().getByRole("status")).toContainText("A verification is already open in another tab");
    await expect(this.dialog().getByRole("button", { name: "Verify", exact: true })).toBeDisabled();
  }

  @step("cancel the step-up dialog")
  async cancel() {
    await this.dialog().getByRole("button", { name: "Cancel" }).click();
    await this.expectClosed();
  }

  @step("expect the step-up dialog to close")
  async expectClosed() {
    await expect(this.dialog()).toBeHidden();
  }

  private async openPopupWith(button: string): Promise<Page> {
    const verifyButton = this.dialog().getByRole("button", { name: button, exact: true });
    await expect(verifyButton).toBeEnabled();
    const [popup] = await Promise.all([this.page.waitForEvent("popup"), verifyButton.click()]);
    return popup;
  }
}
