import { expect, type Locator, type Page } from "@playwright/test";
import { step } from "../support/step";

/** What a person fills in: account and payee names as the form shows them (prefixes are enough). */
export interface TransferDetails {
  from: string;
  to: string;
  amount: string;
  memo?: string;
}

/**
 * The transfer page (app/(portal)/transfer): form → review → send → receipt. Intent-level
 * methods; locators by role and label only.
 */
export class TransferPage {
  constructor(readonly page: Page) {}

  @step("open Transfer")
  async goto() {
    await this.page.goto("/transfer");
    await expect(this.heading()).toBeVisible();
  }

  /** From any signed-in page, through the header's navigation. */
  @step("open Transfer")
  async openFromNavigation() {
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Transfer" }).click();
    await expect(this.heading()).toBeVisible();
  }

  heading() {
    return this.page.getByRole("heading", { level: 1, name: "Transfer" });
  }

  /** Fills the form, without submitting it. */
  @step((details: TransferDetails) => `fill in a transfer of ${details.amount} to ${details.to}`)
  async fill(details: TransferDetails) {
    await this.choose(this.page.getByLabel("From", { exact: true }), details.from);
    await this.choose(this.page.getByLabel("To", { exact: true }), details.to);
    await this.page.getByLabel(/^Amount/).fill(details.amount);
    await this.page.getByLabel("Memo (optional)").fill(details.memo ?? "");
  }

  /** Fills the form and opens the review step. */
  @step((details: TransferDetails) => `review a transfer of ${details.amount} to ${details.to}`)
  async review(details: TransferDetails) {
    await this.fill(details);
    await this.page.getByRole("button", { name: "Review transfer" }).click();
  }

  /** What the form says, as the person types, about the verification this transfer will ask for. */
  stepUpHint() {
    return this.page.getByTestId("transfer-step-up-hint");
  }

  /** The hint's link to how to add the method the transfer needs, shown when the person has none. */
  addMethodLink(method: "passkey" | "second factor") {
    return this.stepUpHint().getByRole("link", { name: `How to add a ${method}` });
  }

  /** The review step, showing exactly what will be sent. */
  reviewStep() {
    return this.page.getByRole("region", { name: "Review your transfer" });
  }

  @step("send the transfer")
  async send() {
    await this.reviewStep().getByRole("button", { name: "Send transfer" }).click();
  }

  /** Fill, review, send: the whole intent. */
  @step((details: TransferDetails) => `transfer ${details.amount} from ${details.from} to ${details.to}`)
  async submitTransfer(details: TransferDetails) {
    await this.review(details);
    await expect(this.reviewStep()).toBeVisible();
    await this.send();
  }

  /** The receipt shown after a transfer ran. */
  receipt() {
    return this.page.getByRole("region", { name: /Transfer sent|already sent/ });
  }

  @step((receipt: { amount: string }) => `expect a receipt for ${receipt.amount}`)
  async expectReceipt({ amount, newBalance }: { amount: string; newBalance: string }) {
    await expect(this.receipt()).toBeVisible();
    await expect(this.receipt()).toContainText(amount);
    await expect(this.receipt()).toContainText(newBalance);
    await expect(this.receipt()).toContainText(/TRF-[A-Z0-9]{10}/);
  }

  /** "Make another transfer" on the receipt: back to an empty form. */
  @step("make another transfer")
  async makeAnother() {
    await this.receipt().getByRole("button", { name: "Make another transfer" }).click();
    await expect(this.page.getByRole("button", { name: "Review transfer" })).toBeVisible();
  }

  /** The note that a verification from moments ago approved the transfer without a prompt. */
  recentVerificationNote() {
    return this.page.getByRole("status").filter({ hasText: "verification from" });
  }

  /** The error summary at the top of the form. */
  errorSummary() {
    return this.page.getByRole("alert").filter({ hasText: "Check the following" });
  }

  /** The review step's own error (e.g. insufficient funds), with Try again. */
  reviewError() {
    return this.reviewStep().getByRole("alert");
  }

  /** Selects the option whose accessible name starts with `name`. */
  private async choose(select: Locator, name: string) {
    const option = select.getByRole("option", { name: new RegExp(`^${escapeRegExp(name)}`) });
    const value = await option.getAttribute("value");
    if (value === null) throw new Error(`no option "${name}"`);
    await select.selectOption(value);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
