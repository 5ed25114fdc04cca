import { test, expect } from "./fixtures";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { HomePage } from "./pages/home.page";
import { DashboardPage } from "./pages/dashboard.page";
import { SIMULATED_IPS, type SignInLogEntry } from "./support/emulator-control";

/**
 * Simulated Identity Protection through the portal: where a sign-in comes from (set per user with
 * the control API's network route) and the user's risk change what Conditional Access asks for.
 * The policies (emulator/policies/production.json): sign-in risk high blocks; medium or high asks
 * for MFA at sign-in, and for a phishing-resistant method (a passkey) for c1; user risk high asks
 * for MFA and then a secure password change. Risk raised mid-session, before a c1 approval, is a
 * row of the scenario matrix (step-up-matrix.spec.ts).
 */


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
    const user = await persona("risky-sign-in");

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
    persona,
    signIn,
    anotherBrowser,
    control,
  }) => {
    const user = await persona("totp");
    // The first sign-in (from home, loopback) is the user's learning period: no risk, no second factor.
    await signIn(user);
    // Minutes later, in another browser from Sydney: a new IP and thousands of kilometres away.
    await control.setNetwork(user.oid, { ip: SIMULATED_IPS.sydney });
    const sydney = await anotherBrowser();
    const identityProvider = new IdentityProviderPage(sydney);

    const home = new HomePage(sydney);
    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn(user);
    await identityProvider.enterCode(await control.totpCode(user.oid));
    await new DashboardPage(sydney).expectSignedInAs(user.displayName);

    const entry = newestInteractive(await control.signIns({ userId: user.oid }), "Woodgrove Step-Up Portal (web)");
    expect(entry.status.errorCode).toBe(0);
    expect(entry.riskLevelDuringSignIn).toBe("medium");
    expect([...entry.riskEventTypes_v2].sort()).toEqual(["unfamiliarFeatures", "unlikelyTravel"]);
    expect(resultOf(entry, "Sign-in risk medium or high: MFA every time")).toBe("success");
    // Passing the MFA the risk policy asked for is the user's own remediation.
    expect([entry.riskState, entry.riskDetail]).toEqual(["remediated", "userPassedMFADrivenByRiskBasedPolicy"]);
  });

  test("high user risk (leaked credentials): MFA, then a secure password change, then the sign-in succeeds and the risk is remediated", async ({
    persona,
    signIn,
    anotherBrowser,
    home,
    identityProvider,
    dashboard,
    control,
  }) => {
    const user = await persona("risky-user");
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
    await signIn({ ...user, password: newPassword }, await anotherBrowser());
  });

});
