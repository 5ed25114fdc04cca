import { expect, type Page } from "@playwright/test";
import { step } from "../support/step";

/** The admin "Policy health" page (app/(portal)/admin/policy-health). */
export class PolicyHealthPage {
  constructor(readonly page: Page) {}

  @step("open Policy health")
  async goto() {
    return this.page.goto("/admin/policy-health");
  }

  heading() {
    return this.page.getByRole("heading", { level: 1, name: "Policy health" });
  }

  @step("open Policy health")
  async openFromNavigation() {
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Policy health" }).click();
    await expect(this.heading()).toBeVisible();
  }

  /** The per-context table's row for `contextId` ("c1"). */
  contextRow(contextId: string) {
    return this.page
      .getByRole("table", { name: "Conditional Access policies per authentication context" })
      .getByRole("row")
      .filter({ has: this.page.getByRole("rowheader", { name: new RegExp(`^${contextId} `) }) });
  }

  operationsTable() {
    return this.page.getByRole("table", { name: /Each operation/ });
  }

  ratesTable() {
    return this.page.getByRole("table", { name: /Step-up challenges per operation/ });
  }

  /** The hours of the last day that had MFA-required or blocked sign-ins (absent on a quiet day). */
  hourlyTable() {
    return this.page.getByRole("table", { name: /per hour/ });
  }

  /** The line shown instead of the table when the last day had no such sign-ins. */
  quietDay() {
    return this.page.getByText("No MFA-required or blocked sign-ins in the last 24 hours.");
  }
}
