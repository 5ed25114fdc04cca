import { expect, type Page } from "@playwright/test";
import { step } from "../support/step";

/**
 * The finance overview (app/(portal)/finance): accounts with links, spending by category for a
 * chosen month, balances over time. Each chart has a table with the same figures; the tests read
 * the tables (the charts are hidden from assistive technology on purpose).
 */
export class FinancePage {
  constructor(readonly page: Page) {}

  @step("open Finance")
  async goto(query = "") {
    await this.page.goto(`/finance${query}`);
    await expect(this.heading()).toBeVisible();
  }

  /** From any signed-in page, through the header's navigation. */
  @step("open Finance")
  async openFromNavigation() {
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Finance" }).click();
    await expect(this.heading()).toBeVisible();
  }

  heading() {
    return this.page.getByRole("heading", { level: 1, name: "Finance" });
  }

  /** An account's card (e.g. "Everyday Checking"). */
  account(name: string) {
    return this.page.getByRole("region", { name: "Accounts" }).getByRole("listitem").filter({ hasText: name });
  }

  @step((name: string) => `open the account ${name}`)
  async openAccount(name: string) {
    await this.account(name).getByRole("link", { name }).click();
    await expect(this.page.getByRole("heading", { level: 1, name })).toBeVisible();
  }

  spending() {
    return this.page.getByRole("region", { name: "Spending by category" });
  }

  /** The spending table for a month ("October 2026"). */
  spendingTable(monthLabel: string) {
    return this.spending().getByRole("table", { name: new RegExp(`Spending by category in ${monthLabel}`) });
  }

  /** The drawn spending chart (visual only, so found by test id rather than role). */
  spendingChart() {
    return this.spending().getByTestId("spending-chart");
  }

  /** Picks a month in the spending section ("October 2026") and waits for its table. */
  @step((monthLabel: string) => `show spending in ${monthLabel}`)
  async chooseMonth(monthLabel: string) {
    await this.spending().getByLabel("Month").selectOption({ label: monthLabel });
    await this.spending().getByRole("button", { name: "Show" }).click();
    await expect(this.spendingTable(monthLabel)).toBeVisible();
  }

  balances() {
    return this.page.getByRole("region", { name: "Balance over time" });
  }

  balanceTable() {
    return this.balances().getByRole("table", { name: /Balance at the end of each month/ });
  }

  balanceChart() {
    return this.balances().getByTestId("balance-chart");
  }
}
