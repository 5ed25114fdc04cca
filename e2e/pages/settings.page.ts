import { expect, type Page } from "@playwright/test";
import { step } from "../support/step";

/** What a person types into the payee form. */
export interface PayeeDetails {
  name: string;
  bankName: string;
  accountNumber: string;
}

/**
 * The settings pages (app/(portal)/settings): profile and notifications, payees, limits, security.
 * Intent-level methods; locators by role and label only.
 */
export class SettingsPage {
  constructor(readonly page: Page) {}

  /** Opens a section through the header's "Settings" link and the settings navigation. */
  @step((section: string) => `open Settings › ${section}`)
  async open(section: "Profile" | "Payees" | "Limits" | "Security") {
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await expect(this.page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
    if (section !== "Profile") await this.page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: section }).click();
    await expect(this.page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: section })).toHaveAttribute("aria-current", "page");
  }

  @step((path: string) => `open ${path}`)
  async goto(path: "/settings" | "/settings/payees" | "/settings/limits" | "/settings/security") {
    await this.page.goto(path);
    await expect(this.page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  }

  /** The result toast (a polite status region). */
  toast() {
    return this.page.getByRole("status").filter({ hasText: /\S/ }).filter({ has: this.page.getByRole("button", { name: "Dismiss" }) });
  }

  @step((text: string | RegExp) => `expect the message “${String(text)}”`)
  async expectToast(text: string | RegExp) {
    await expect(this.toast()).toContainText(text);
  }

  /** The error summary of the form on the page. */
  errorSummary() {
    return this.page.getByRole("alert").filter({ hasText: "Check the following" });
  }

  // --- Profile -----------------------------------------------------------------------------

  notifications() {
    return this.page.getByRole("region", { name: "Notifications" });
  }

  @step((label: string | RegExp, on: boolean) => `turn ${on ? "on" : "off"} ${String(label)}`)
  async setNotification(label: string | RegExp, on: boolean) {
    await this.notifications().getByRole("checkbox", { name: label }).setChecked(on);
  }

  @step("save notification preferences")
  async saveNotifications() {
    await this.notifications().getByRole("button", { name: "Save preferences" }).click();
  }

  // --- Payees ------------------------------------------------------------------------------

  payeeList() {
    return this.page.getByRole("region", { name: "Your payees" });
  }

  payeeRow(name: string) {
    return this.payeeList().getByRole("row").filter({ has: this.page.getByRole("rowheader", { name, exact: true }) });
  }

  /** Fills the add (or edit) form and submits it. */
  @step((details: { name?: string }, button = "Add payee") => `${button === "Add payee" ? "add" : "save"} the payee ${details.name ?? ""}`.trim())
  async submitPayee(details: Partial<PayeeDetails>, button: "Add payee" | "Save changes" = "Add payee") {
    const form = this.page.getByRole("region", { name: /^(Add a payee|Edit )/ });
    if (details.name !== undefined) await form.getByLabel("Name").fill(details.name);
    if (details.bankName !== undefined) await form.getByLabel("Bank").fill(details.bankName);
    if (details.accountNumber !== undefined) await form.getByLabel("Account number").fill(details.accountNumber);
    await form.getByRole("button", { name: button }).click();
  }

  @step((name: string) => `edit the payee ${name}`)
  async startEditing(name: string) {
    await this.payeeRow(name).getByRole("button", { name: `Edit ${name}` }).click();
    await expect(this.page.getByRole("heading", { name: `Edit ${name}` })).toBeFocused();
  }

  @step((name: string) => `remove the payee ${name}`)
  async remove(name: string) {
    await this.payeeRow(name).getByRole("button", { name: `Remove ${name}` }).click();
  }

  // --- Limits ------------------------------------------------------------------------------

  limits(currency = "USD") {
    return this.page.getByRole("region", { name: `Transfer limits in ${currency}` });
  }

  @step("save transfer limits")
  async submitLimits({ perTransfer, daily }: { perTransfer?: string; daily?: string }, currency = "USD") {
    const form = this.limits(currency);
    if (perTransfer !== undefined) await form.getByLabel(`Per transfer (${currency})`).fill(perTransfer);
    if (daily !== undefined) await form.getByLabel(`Per day (${currency})`).fill(daily);
    await form.getByRole("button", { name: `Save ${currency} limits` }).click();
  }

  // --- Security ----------------------------------------------------------------------------

  /** How to add a passkey or another method (the transfer form's hint links here). */
  addMethodHelp() {
    return this.page.getByRole("heading", { name: "Adding a passkey or another method" });
  }

  sessions() {
    return this.page.getByRole("region", { name: "Where you're signed in" });
  }

  sessionRows() {
    return this.sessions().getByRole("row").filter({ has: this.page.getByRole("rowheader") });
  }

  @step("sign out other sessions")
  async signOutOtherSessions() {
    await this.sessions().getByRole("button", { name: "Sign out other sessions" }).click();
  }

  /** The confirmation "Sign out everywhere" asks for before it ends anything. */
  signOutEverywhereConfirmation() {
    return this.page.getByRole("dialog", { name: "Sign out everywhere?" });
  }

  /** Presses "Sign out everywhere" and confirms in the dialog. */
  @step("sign out everywhere")
  async signOutEverywhere() {
    await this.sessions().getByRole("button", { name: "Sign out everywhere" }).click();
    await this.signOutEverywhereConfirmation().getByRole("button", { name: "Sign out everywhere" }).click();
  }

  /** Presses "Sign out everywhere", then thinks better of it: Cancel in the confirmation. */
  @step("start to sign out everywhere, then cancel")
  async startThenCancelSignOutEverywhere() {
    await this.sessions().getByRole("button", { name: "Sign out everywhere" }).click();
    const confirmation = this.signOutEverywhereConfirmation();
    await expect(confirmation).toBeVisible();
    await confirmation.getByRole("button", { name: "Cancel" }).click();
    await expect(confirmation).toBeHidden();
  }
}
