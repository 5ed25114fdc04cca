import { expect, type Locator, type Page } from "@playwright/test";
import { IdentityProviderPage } from "./identity-provider.page";
import { step } from "../support/step";

/** A console section, as its navigation link names it. */
export type ConsoleSection = "Users" | "Policies" | "Sign-in logs" | "SMS inbox";

const PATHS: Record<ConsoleSection, string> = { Users: "users", Policies: "policies", "Sign-in logs": "sign-ins", "SMS inbox": "sms" };
const STATE_LABELS = { enabled: "On", enabledForReportingButNotEnforced: "Report-only", disabled: "Off" } as const;

/**
 * The emulator's admin console (emulator/console.ts) on one emulator's origin: sign-in through
 * the emulator's own pages, then intent-level actions. Locators by role and label only.
 */
export class ConsolePage {
  constructor(
    readonly page: Page,
    readonly emulatorOrigin: string,
  ) {}

  /** Opens a section; a browser without a console session is sent to sign in first. */
  @step((section: string = "Users") => `open the console’s ${section}`)
  async goto(section: ConsoleSection = "Users") {
    await this.page.goto(`${this.emulatorOrigin}/console/${PATHS[section]}`);
  }

  /** Opens the console and signs in with the password (the console asks for nothing more). */
  @step((user: { userPrincipalName: string }) => `sign in to the console as ${user.userPrincipalName}`)
  async signIn(user: { userPrincipalName: string; password: string }, section: ConsoleSection = "Users") {
    await this.goto(section);
    await new IdentityProviderPage(this.page).signIn(user);
  }

  /** The console shows this section to a signed-in admin. */
  @step((section: string) => `expect the console’s ${section}`)
  async expectSection(section: ConsoleSection, signedInAs?: string) {
    await expect(this.nav().getByRole("link", { name: section })).toHaveAttribute("aria-current", "page");
    if (signedInAs) await expect(this.page.getByText(`Signed in as ${signedInAs}`)).toBeVisible();
  }

  nav(): Locator {
    return this.page.getByRole("navigation", { name: "Console" });
  }

  @step((section: string) => `open the console’s ${section}`)
  async open(section: ConsoleSection) {
    await this.nav().getByRole("link", { name: section }).click();
    await this.expectSection(section);
  }

  /** The status message a console action leaves. */
  status(): Locator {
    return this.page.getByRole("status");
  }

  /** A user's row on the Users page. */
  userRow(displayName: string): Locator {
    return this.page.getByRole("row").filter({ has: this.page.getByRole("rowheader", { name: new RegExp(`^${escapeRegExp(displayName)}\\b`) }) });
  }

  /** Policies: makes another set active. */
  @step((set: string) => `switch to the ${set} policy set`)
  async switchPolicySet(set: "production" | "staging") {
    await this.page.getByLabel("Policy set").selectOption(set);
    await this.page.getByRole("button", { name: "Switch policy set" }).click();
    await expect(this.status()).toHaveText(`Active policy set: ${set}.`);
  }

  /** Policies: one policy's section, by its display name. */
  policy(displayName: string): Locator {
    return this.page.getByRole("region", { name: displayName, exact: true });
  }

  /** Policies: turns a policy on, report-only or off. */
  @step((displayName: string, state: string) => `set “${displayName}” to ${state}`)
  async setPolicyState(displayName: string, state: keyof typeof STATE_LABELS) {
    const policy = this.policy(displayName);
    await policy.getByRole("radio", { name: STATE_LABELS[state], exact: true }).check();
    await policy.getByRole("button", { name: /^Save state/ }).click();
    await expect(this.status()).toHaveText(`State saved for “${displayName}”.`);
  }

  /** Sign-in logs: applies the filters given. */
  @step("filter the sign-in logs")
  async filterSignIns(filters: { user?: string; status?: "Success" | "Failure"; correlationId?: string }) {
    if (filters.user) await this.page.getByLabel("User").selectOption({ label: filters.user });
    if (filters.status) await this.page.getByLabel("Status").selectOption({ label: filters.status });
    if (filters.correlationId) await this.page.getByLabel("Correlation ID").fill(filters.correlationId);
    await this.page.getByRole("button", { name: "Filter" }).click();
  }

  /** Sign-in logs: the table's data rows (not the header). */
  signInRows(): Locator {
    return this.page.getByRole("table", { name: /^Sign-ins, newest first/ }).getByRole("row").filter({ has: this.page.getByRole("link", { name: /^Details/ }) });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
