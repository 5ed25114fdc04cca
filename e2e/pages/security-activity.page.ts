import { expect, type Page } from "@playwright/test";
import { step } from "../support/step";

/** The "Security activity" page (app/(portal)/security): the person's audit trail joined to the sign-in logs. */
export class SecurityActivityPage {
  constructor(readonly page: Page) {}

  @step("open Security activity")
  async openFromNavigation() {
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Security activity" }).click();
    await expect(this.heading()).toBeVisible();
  }

  @step("open Security activity")
  async goto() {
    await this.page.goto("/security");
    await expect(this.heading()).toBeVisible();
  }

  heading() {
    return this.page.getByRole("heading", { level: 1, name: "Security activity" });
  }

  table() {
    return this.page.getByRole("table", { name: /Your security activity/ });
  }

  /** Rows whose activity cell (the row header) and outcome match. */
  rows(activity: string | RegExp, outcome?: string | RegExp) {
    const rows = this.table().getByRole("row").filter({ has: this.page.getByRole("rowheader", { name: activity }) });
    return outcome ? rows.filter({ hasText: outcome }) : rows;
  }

  /** The note shown when the identity provider's logs cannot be read. */
  unavailableNote() {
    return this.page.getByRole("note");
  }
}
