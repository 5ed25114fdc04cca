import type { Browser } from "@playwright/test";
import { test, expect } from "./fixtures";
import { ConsolePage } from "./pages/console.page";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { expectNoSeriousA11yViolations } from "./support/accessibility";
import { AuthorizationRequest, SPA_CLIENT_ID } from "./support/authorize";
import type { EmulatorControl } from "./support/emulator-control";
import { withOwnEmulator } from "./support/own-emulator";
import { CHECKING, SAVINGS } from "./support/ground-truth";

/**
 * The emulator's admin console (emulator/console.ts): sign-in through the emulator's own pages
 * (Emulator.Admin role required), the sign-in logs explained, policy changes that take effect.
 * The admin works in a browser context of their own: the console signs in at the same identity
 * provider, whose SSO cookie a person's context must not share.
 */

const STAGING_C2_REPORT_ONLY = "c2 Change security settings: phishing-resistant MFA every time (report-only)";

/** A console administrator in this emulator's directory (a role of its own, not Portal.Admin). */
function createAdmin(control: EmulatorControl) {
  return control.createUser({ displayName: "Console Admin", methods: ["totp"], roles: ["Emulator.Admin"] });
}

/** The console in a fresh browser context, signed in as an admin. */
async function adminConsole(browser: Browser, emulatorOrigin: string, admin: { userPrincipalName: string; password: string; displayName: string }) {
  const context = await browser.newContext();
  const console = new ConsolePage(await context.newPage(), emulatorOrigin);
  await console.signIn(admin);
  await console.expectSection("Users", admin.displayName);
  return { console, close: () => context.close() };
}

test.describe("emulator console", () => {
  test("an admin signs in through the emulator, and every console page passes axe @a11y", async ({ page, control, settings }) => {
    const admin = await createAdmin(control);
    const console = new ConsolePage(page, settings.emulatorOrigin);
    await console.signIn(admin);
    await console.expectSection("Users", admin.displayName);
    await expect(console.userRow(admin.displayName)).toContainText("Emulator.Admin");
    await expectNoSeriousA11yViolations(page, "console: users");

    await console.open("Policies");
    await expect(page.getByRole("heading", { level: 1, name: "Conditional Access policies" })).toBeVisible();
    await expect(console.policy("c2 Change security settings: phishing-resistant MFA every time")).toContainText("Require Authentication strength: Phishing-resistant MFA (a passkey)");
    await expectNoSeriousA11yViolations(page, "console: policies");

    await console.open("Sign-in logs");
    await console.filterSignIns({ user: `${admin.displayName} (${admin.userPrincipalName})` });
    await expect(console.signInRows()).toHaveCount(1);
    await expect(console.signInRows()).toContainText("Entra emulator console");
    await expectNoSeriousA11yViolations(page, "console: sign-in logs");
    await console.signInRows().getByRole("link", { name: /^Details/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Sign-in details" })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "console: sign-in details");

    await console.open("SMS inbox");
    await expect(page.getByRole("table", { name: /^Simulated text messages, newest first/ })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "console: SMS inbox");
  });

  test("a signed-in user without the Emulator.Admin role is refused", async ({ page, persona, settings }) => {
    const user = await persona("admin");
    const console = new ConsolePage(page, settings.emulatorOrigin);
    await console.signIn(user);
    await expect(page.getByRole("heading", { name: "You don't have access to the emulator console" })).toBeVisible();
    await expect(console.nav()).toHaveCount(0);
    await expectNoSeriousA11yViolations(page, "console: access refused");
    await console.goto("Users");
    await expect(page.getByRole("heading", { name: "You don't have access to the emulator console" })).toBeVisible();
  });

  test("sign-in logs: one entry per attempt, and a step-up's entry names its context and the token the portal audited", async ({
    browser,
    persona,
    home,
    identityProvider,
    dashboard,
    transfer,
    stepUpDialog,
    control,
    database,
    settings,
  }) => {
    const user = await persona("totp");
    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn({ ...user, password: "not the password" });
    await identityProvider.expectError("AADSTS50126");
    await identityProvider.retryPassword(user.password);
    await dashboard.expectSignedInAs(user.displayName);

    await transfer.goto();
    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1,000.00", memo: "Audited" });
    const popup = await stepUpDialog.verify();
    await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));
    await expect(transfer.receipt()).toContainText("$1,000.00");

    // The portal's audit row for the executed transfer names the proof's uti; the identity
    // provider's sign-in log names the same token: the two trails join on it.
    const { id: userId } = await database.user.findFirstOrThrow({ where: { objectId: user.oid }, select: { id: true } });
    const executed = await database.auditEvent.findFirstOrThrow({ where: { userId, operation: "transfer.create", outcome: "executed" }, select: { details: true } });
    const proofUti = (JSON.parse(executed.details) as { uti?: string }).uti;
    expect(proofUti).toBeTruthy();
    const entries = await control.signIns({ userId: user.oid });
    const stepUp = entries.find((e) => e.uniqueTokenIdentifier === proofUti);
    expect(stepUp, "a sign-in log entry carries the proof's uti").toBeDefined();
    expect(stepUp!.appId).toBe(SPA_CLIENT_ID);
    expect(stepUp!.authenticationContextClassReferences).toEqual([{ id: "c1", detail: "required" }]);
    expect(stepUp!.appliedConditionalAccessPolicies.find((p) => p.displayName === "c1 Approve a transfer: MFA every time")?.result).toBe("success");

    const admin = await createAdmin(control);
    const { console, close } = await adminConsole(browser, settings.emulatorOrigin, admin);
    await console.open("Sign-in logs");
    const person = `${user.displayName} (${user.userPrincipalName})`;
    await console.page.getByLabel("Application").selectOption({ label: "Woodgrove Step-Up Portal (web)" });
    await console.filterSignIns({ user: person });
    await expect(console.signInRows()).toHaveCount(2);
    await expect(console.signInRows().nth(0)).toContainText("Success");
    await expect(console.signInRows().nth(1)).toContainText("Failure AADSTS50126");
    await console.filterSignIns({ status: "Failure" });
    await expect(console.signInRows()).toHaveCount(1);

    await console.page.goto(`${settings.emulatorOrigin}/console/sign-ins`);
    await console.filterSignIns({ correlationId: stepUp!.correlationId });
    await expect(console.signInRows()).toHaveCount(1);
    await console.signInRows().getByRole("link", { name: /^Details/ }).click();
    const details = console.page.getByRole("main");
    await expect(details).toContainText(`${user.displayName} signed in interactively to Woodgrove Step-Up Portal (SPA) for Woodgrove Step-Up Portal API`);
    await expect(details).toContainText("c1 (Approve a transfer) was requested and issued enforced by “c1 Approve a transfer: MFA every time” (this sign-in did the work for it).");
    await expect(details).toContainText(proofUti!);
    const policies = console.page.getByRole("table", { name: /^Policies evaluated for this sign-in/ });
    await expect(policies.getByRole("row", { name: /^c1 Approve a transfer: MFA every time/ })).toContainText("Success: it applied and the sign-in met it");
    await expect(policies.getByRole("row", { name: /^Sign-in risk high: block/ })).toContainText("Not applied");
    await close();
  });
});

withOwnEmulator.describe("emulator console: policy changes take effect", () => {
  withOwnEmulator("switching to staging makes c2 an app code; turning its report-only passkey policy on makes it a passkey", async ({ browser, page, identityProvider, own }) => {
    // On its own emulator (see withOwnEmulator): the active set and a policy's state are tenant-wide.
    const admin = await createAdmin(own.control);
    const user = await own.control.createUser({ methods: ["totp"] });
    const { console, close } = await adminConsole(browser, own.settings.emulatorOrigin, admin);
    await console.open("Policies");
    await expect(console.page.locator("#active-set")).toHaveText("production");
    await console.switchPolicySet("staging");
    await expect(console.policy(STAGING_C2_REPORT_ONLY)).toContainText("Report-only");

    const first = new AuthorizationRequest(own.settings, { contexts: ["c2"] });
    await first.open(page);
    await identityProvider.signIn(user);
    await identityProvider.enterCode(await own.control.totpCode(user.oid));
    expect((await first.redeem(await first.callback())).accessToken.acrs).toEqual(["c2"]);
    // Logged, not enforced: the report-only policy would have asked for more.
    const [entry] = await own.control.signIns({ userId: user.oid });
    expect(entry?.appliedConditionalAccessPolicies.find((p) => p.displayName === STAGING_C2_REPORT_ONLY)?.result).toBe("reportOnlyInterrupted");

    await console.setPolicyState(STAGING_C2_REPORT_ONLY, "enabled");
    await expect(console.policy(STAGING_C2_REPORT_ONLY)).toContainText("changed in the console; the file says Report-only");
    const second = new AuthorizationRequest(own.settings, { contexts: ["c2"] });
    await second.open(page);
    // The user has no passkey: the identity provider asks them to register one, and only that.
    await identityProvider.expectRegistrationInterrupt({ authenticatorApp: false, passkey: true });

    // Console changes persist across restarts until a reset, which returns to the starting set.
    expect((await own.control.policies()).set).toBe("staging");
    await own.control.reset();
    expect((await own.control.policies()).set).toBe("production");
    await close();
  });
});
