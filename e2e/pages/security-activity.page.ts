import { expect, type Locator, type Page } from "@playwright/test";
import { step } from "../support/step";

/**
 * The "Security activity" page (app/(portal)/security): a list of cards, one per thing that
 * happened (lib/activity-feed.ts), each with its technical detail behind a disclosure.
 */
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

  feed() {
    return this.page.getByRole("list", { name: /Your security activity/ });
  }

  /** The items whose headline matches (a card is an article named by its headline). */
  items(title: string | RegExp) {
    return this.feed().getByRole("article", { name: title });
  }

  /** Opens an item's "Technical details" and returns the disclosure. */
  @step("open the technical details")
  async openTechnicalDetails(item: Locator): Promise<Locator> {
    await item.getByText("Technical details").click();
    const details = item.getByRole("group");
    await expect(details.getByRole("definition").first()).toBeVisible();
    return details;
  }

  /** The note shown when the identity provider's logs cannot be read. */
  unavailableNote() {
    return this.page.getByRole("note");
  }
}
