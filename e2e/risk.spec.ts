import { test, expect } from "./fixtures";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { forgetEveryone } from "./support/browser-state";
import { SIMULATED_IPS, type SignInLogEntry } from "./support/emulator-control";
import { addPasskey } from "./support/virtual-authenticator";

/**
 * Simulated Identity Protection through the portal: where a sign-in comes from (set per user with
 * the control API's network route) and the user's risk change what Conditional Access asks for.
 * The policies (emulator/policies/production.json): sign-in risk high blocks; medium or high asks
 * for MFA at sign-in, and for a phishing-resistant method (a passkey) for c1; user risk high asks
 * for MFA and then a secure password change.
 */

const CHECKING = "Everyday Checking";
const SAVINGS = "High-Yield Savings";

/** The newest interactive sign-in of the user to this app. */
function newestInteractive(entries: SignInLogEntry[], appDisplayName: string): SignInLogEntry {
  const entry = entries.find((e) => e.isInteractive && e.appDisplayName === appDisplayName);
  if (!entry) throw new Error(`no interactive sign-in to ${appDisplayName}: ${JSON.stringify(entries.map((e) => [e.appDisplayName, e.status.errorCode]))}`);
  return entry;
}

/** A policy's result in a log entry, by display name. */
function resultOf(entry: SignInLogEntry, displayName: string): string | undefined {
  return entry.appliedConditionalAccessPolicies.find((p) => p.displayName === displayName)?.result;
}

test.describe("risk-based Conditional Access @step-up", () => {
  test("a sign-in from an anonymising IP is blocked (AADSTS53003), and the portal says so", async ({ page, persona, home, identityProvider, control }) => {
    const user = await persona("totp");
    await control.setNetwork(user.oid, { ip: SIMULATED_IPS.anonymizer });

    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn(user);

    await expect(page).toHaveURL(/\/auth\/error\?/);
    await expect(page.getByRole("heading", { name: "The sign-in service refused this sign-in" })).toBeVisible();
    const refusal = page.getByRole("main").getByRole("alert");
    await expect(refusal).toContainText("AADSTS53003");
    await expect(refusal).toContainText("Your organisation's access policies blocked this sign-in.");
    const entry = newestInteractive(await control.signIns({ userId: user.oid }), "Woodgrove Step-Up Portal (web)");
    expect(entry.status.errorCode).toBe(53003);
    expect(entry.riskLevelDuringSignIn).toBe("high");
    expect(entry.riskEventTypes_v2).toEqual(["anonymizedIPAddress"]);
    expect(resultOf(entry, "Sign-in risk high: block")).toBe("failure");
    expect(entry.uniqueTokenIdentifier).toBe("");
  });

  test("medium sign-in risk (impossible travel from an unfamiliar IP) asks for MFA at sign-in", async ({
    page,
    persona,
    signIn,
    home,
    identityProvider,
    dashboard,
    control,
  }) => {
    const user = await persona("totp");
    // The first sign-in (from home, loopback) is the user's learning period: no risk, no second factor.
    await signIn(user);
    await forgetEveryone(page);
    // Minutes later, from Sydney: a new IP and thousands of kilometres away.
    await control.setNetwork(user.oid, { ip: SIMULATED_IPS.sydney });

    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn(user);
    await identityProvider.enterCode(await control.totpCode(user.oid));
    await dashboard.expectSignedInAs(user.displayName);

    const entry = newestInteractive(await control.signIns({ userId: user.oid }), "Woodgrove Step-Up Portal (web)");
    expect(entry.status.errorCode).toBe(0);
    expect(entry.riskLevelDuringSignIn).toBe("medium");
    expect([...entry.riskEventTypes_v2].sort()).toEqual(["unfamiliarFeatures", "unlikelyTravel"]);
    expect(resultOf(entry, "Sign-in risk medium or high: MFA every time")).toBe("success");
    // Passing the MFA the risk policy asked for is the user's own remediation.
    expect([entry.riskState, entry.riskDetail]).toEqual(["remediated", "userPassedMFADrivenByRiskBasedPolicy"]);
  });

  test("high user risk (leaked credentials): MFA, then a secure password change, then the sign-in succeeds and the risk is remediated", async ({
    page,
    persona,
    home,
    identityProvider,
    dashboard,
    control,
  }) => {
    const user = await persona("totp");
    await control.setUserRisk(user.oid, "high", "leakedCredentials");
    const newPassword = `Changed#${Date.now().toString(36)}x`;

    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn(user);
    await identityProvider.enterCode(await control.totpCode(user.oid));
    await identityProvider.changePassword(newPassword);
    await dashboard.expectSignedInAs(user.displayName);

    expect(await control.userRisk(user.oid)).toMatchObject({ riskLevel: "none", riskState: "remediated", riskDetail: "userPerformedSecuredPasswordChange" });
    const entry = newestInteractive(await control.signIns({ userId: user.oid }), "Woodgrove Step-Up Portal (web)");
    expect(resultOf(entry, "User risk high: secure password change")).toBe("success");

    // The new password is the password now; the remediated user is asked for nothing more.
    await forgetEveryone(page);
    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn({ ...user, password: newPassword });
    await dashboard.expectSignedInAs(user.displayName);
  });

  test("risk raised mid-session: a c1 approval needs a passkey, not the authenticator app", async ({
    persona,
    signIn,
    transfer,
    stepUpDialog,
    control,
  }) => {
    const user = await persona("totp+passkey");
    await signIn(user);
    await transfer.goto();
    // Signed in from home; the approval comes from Sydney minutes later (sign-in risk medium).
    await control.setNetwork(user.oid, { ip: SIMULATED_IPS.sydney });

    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1,000.00", memo: "Risky approval" });
    await stepUpDialog.expectOpen("$1,000.00");
    const popup = await stepUpDialog.verify();
    // What the person sees: straight to the passkey, no authenticator-app code and no other way.
    await expect(popup.getByRole("heading", { name: "Use a passkey" })).toBeVisible();
    await expect(popup.getByLabel("Enter code")).toHaveCount(0);
    await expect(popup.getByRole("button", { name: /authenticator app|Sign in another way/ })).toHaveCount(0);
    await addPasskey(popup, user.passkey);
    await new IdentityProviderPage(popup).verifyWithPasskey();

    await expect(transfer.receipt()).toContainText("$1,000.00");
    const entry = newestInteractive(await control.signIns({ userId: user.oid }), "Woodgrove Step-Up Portal (SPA)");
    expect(entry.riskLevelDuringSignIn).toBe("medium");
    expect(resultOf(entry, "c1 Approve a transfer at sign-in risk medium or high: phishing-resistant MFA")).toBe("success");
    expect(entry.authenticationDetails.filter((d) => d.authenticationStepRequirement === "Multifactor authentication").map((d) => d.authenticationMethod)).toEqual(["FIDO2 security key"]);
  });
});
