import { expect, type Download, type Page } from "@playwright/test";
import { step } from "../support/step";

/** Filters as a person types them; unset ones are left empty. */
export interface HistoryFilterInput {
  q?: string;
  from?: string;
  to?: string;
  /** The option's label, e.g. "Rent". */
  category?: string;
  min?: string;
  max?: string;
}

/**
 * One account's page (app/(portal)/finance/accounts/[accountId]): number with "Show full
 * number", transaction history with search, filters and pages in the URL, and statements.
 */
export class AccountPage {
  constructor(readonly page: Page) {}

  @step("open the account")
  async goto(accountId: string, query = "") {
    await this.page.goto(`/finance/accounts/${encodeURIComponent(accountId)}${query}`);
  }

  heading(name: string) {
    return this.page.getByRole("heading", { level: 1, name });
  }

  /** The page every unknown or foreign account id ends on. */
  notFound() {
    return this.page.getByRole("heading", { level: 1, name: "Account not found" });
  }

  history() {
    return this.page.getByRole("region", { name: "Transactions" });
  }

  /** Fills the filter form and applies it (the server answers with a new URL). */
  @step("filter the transactions")
  async filter(input: HistoryFilterInput) {
    const form = this.page.getByRole("form", { name: "Search and filter transactions" });
    await form.getByLabel("Search").fill(input.q ?? "");
    await form.getByLabel("From").fill(input.from ?? "");
    await form.getByLabel("To").fill(input.to ?? "");
    await form.getByLabel("Category").selectOption({ label: input.category ?? "All categories" });
    await form.getByLabel(/Minimum amount/).fill(input.min ?? "");
    await form.getByLabel(/Maximum amount/).fill(input.max ?? "");
    await form.getByRole("button", { name: "Apply filters" }).click();
  }

  transactions() {
    return this.history().getByRole("table", { name: /Transactions on/ });
  }

  /** The data rows of the current page. */
  rows() {
    return this.transactions().getByRole("rowgroup").nth(1).getByRole("row");
  }

  /** "Showing 26–50 of 312 transactions …". */
  summary() {
    return this.history().getByRole("status");
  }

  pages() {
    return this.page.getByRole("navigation", { name: "Transaction pages" });
  }

  statements() {
    return this.page.getByRole("region", { name: "Statements" });
  }

  /** The download button for a month ("October 2026") and format. */
  downloadButton(monthLabel: string, format: "CSV" | "PDF") {
    return this.statements().getByRole("button", { name: new RegExp(`^Download the ${monthLabel}.* statement for .* as ${format}$`) });
  }

  /** Clicks a download button and returns the download once the browser starts it. */
  @step((monthLabel: string, format: string) => `download the ${monthLabel} statement as ${format}`)
  async download(monthLabel: string, format: "CSV" | "PDF"): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent("download"), this.downloadButton(monthLabel, format).click()]);
    await expect(this.statements().getByRole("status")).toContainText("is downloading");
    return download;
  }
}
