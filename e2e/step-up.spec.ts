import type { Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import type { PrismaClient } from "../lib/generated/prisma/client";
import type { Persona } from "./fixtures";
import type { DashboardPage } from "./pages/dashboard.page";
import type { StepUpDialogPage } from "./pages/step-up-dialog.page";
import type { EmulatorControl } from "./support/emulator-control";
import { CHECKING, SAVINGS, accountOf, auditOutcomes, groupDigits as grouped } from "./support/ground-truth";

/**
 * Step-up for finance.viewStatements (session-bound, "multi-factor within the hour"): the
 * dashboard's "Show full number". Each test signs in a fresh persona with a password only, so
 * the first reveal needs a step-up; the identity provider's SSO session means the popup asks
 * only for the second factor. The ways a step-up can end for every operation (each method,
 * denied, closed, blocked, hung, stale, unreachable) are in step-up-matrix.spec.ts; this file
 * follows the session-bound flow in depth: elevation, silent renewal, what loads when.
 */

const PURPOSE = /Verify to see full account numbers and statements for 15 minutes/;

/** The account's full number as the portal stores it (the test's ground truth). */
const fullNumberOf = async (database: PrismaClient, user: Persona, accountName: string) => (await accountOf(database, user, accountName)).fullNumber;

function showButton(dashboard: DashboardPage, accountName: string) {
  return dashboard.account(accountName).getByRole("button", { name: "Show full number" });
}

/** The portal's audit outcomes for this user's finance.viewStatements decisions. */
const statementOutcomes = (database: PrismaClient, user: Persona) => auditOutcomes(database, user, "finance.viewStatements");

/** Signs in, reveals the checking number through the popup (TOTP), and waits for it to show. */
async function revealCheckingWithPopup(
  user: Persona,
  fixtures: { signIn: (user: Persona) => Promise<void>; dashboard: DashboardPage; stepUpDialog: StepUpDialogPage; control: EmulatorControl; database: PrismaClient },
) {
  const { signIn, dashboard, stepUpDialog, control, database } = fixtures;
  await signIn(user);
  await showButton(dashboard, CHECKING).click();
  const popup = await stepUpDialog.verify();
  await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));
  await expect(dashboard.account(CHECKING)).toContainText(grouped(await fullNumberOf(database, user, CHECKING)));
}

/** Ends the portal's elevation for this user, as 15 minutes would. */
async function lapseElevation(database: PrismaClient, user: Persona) {
  await database.sessionElevation.updateMany({
    where: { session: { user: { objectId: user.oid } } },
    data: { expiresAt: new Date(Date.now() - 1_000) },
  });
}

test.describe("step-up: full account numbers @step-up", () => {
  test("a TOTP user verifies in a popup, sees the full number, and a second account needs no popup @database @smoke", async ({
    page,
    persona,
    signIn,
    dashboard,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const checkingNumber = await fullNumberOf(database, user, CHECKING);

    await showButton(dashboard, CHECKING).click();
    await stepUpDialog.expectOpen(PURPOSE);
    await expect(stepUpDialog.dialog()).toContainText("Verified with a second factor in the last hour");

    const popup = await stepUpDialog.verify();
    const popupIdentityProvider = new IdentityProviderPage(popup);
    // The identity provider's SSO session knows the password: it asks only for the code.
    await expect(popup.getByLabel("Password")).toHaveCount(0);
    await popupIdentityProvider.enterCode(await control.totpCode(user.oid));
    await expect.poll(() => popup.isClosed(), { message: "the popup closes itself" }).toBe(true);

    await stepUpDialog.expectClosed();
    await expect(dashboard.account(CHECKING)).toContainText(grouped(checkingNumber));
    await expect(dashboard.account(CHECKING).getByRole("button", { name: "Hide" })).toBeVisible();

    // Within the elevation window the server answers at once: no dialog, no popup.
    const popups: Page[] = [];
    page.on("popup", (opened) => popups.push(opened));
    const savingsNumber = await fullNumberOf(database, user, SAVINGS);
    await showButton(dashboard, SAVINGS).click();
    await expect(dashboard.account(SAVINGS)).toContainText(grouped(savingsNumber));
    await stepUpDialog.expectClosed();
    expect(popups).toHaveLength(0);

    await dashboard.account(CHECKING).getByRole("button", { name: "Hide" }).click();
    await expect(dashboard.account(CHECKING)).not.toContainText(grouped(checkingNumber));
    await expect(showButton(dashboard, CHECKING)).toBeVisible();

    expect(await statementOutcomes(database, user)).toEqual(["required", "satisfied", "executed", "satisfied", "executed"]);

    // The header tells the person their session is elevated, and until when.
    await page.reload();
    await expect(dashboard.strengthBadge()).toContainText("Multi-factor, within the hour");
    await expect(dashboard.strengthBadge()).toContainText("until");
  });

  test("after the elevation lapses, MSAL answers the next challenge silently: a refresh grant carrying the claims, no popup; Security activity joins it to its non-interactive sign-in", async ({
    page,
    persona,
    signIn,
    dashboard,
    stepUpDialog,
    control,
    database,
    securityActivity,
  }) => {
    const user = await persona("totp");
    await revealCheckingWithPopup(user, { signIn, dashboard, stepUpDialog, control, database });
    // The identity provider's "MFA within the hour" still holds, so a silent request with the
    // claims can satisfy c3.
    await lapseElevation(database, user);
    const popups: Page[] = [];
    page.on("popup", (opened) => popups.push(opened));
    const tokenRequests: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().includes("/oauth2/v2.0/token")) tokenRequests.push(request.postData() ?? "");
    });

    await showButton(dashboard, SAVINGS).click();
    await expect(dashboard.account(SAVINGS)).toContainText(grouped(await fullNumberOf(database, user, SAVINGS)));
    expect(popups).toHaveLength(0);
    // MSAL skipped its cache because of the claims and redeemed its refresh token with them.
    const silent = tokenRequests.map((body) => new URLSearchParams(body)).find((params) => params.get("grant_type") === "refresh_token");
    expect(silent, "a refresh-token grant was sent").toBeDefined();
    expect(JSON.parse(silent!.get("claims") ?? "{}")).toMatchObject({ access_token: { acrs: { essential: true, value: expect.any(String) } } });
    expect(await statementOutcomes(database, user)).toEqual(["required", "satisfied", "executed", "required", "satisfied", "executed"]);

    // Entra lists a silent elevation only among the non-interactive sign-ins, which Graph serves on
    // beta alone: Security activity joins both proofs by token id, the popup's to its interactive
    // entry and the refresh's to its non-interactive one; each elevation is one item.
    await securityActivity.goto();
    const verified = securityActivity.items(/You verified .*viewed full account numbers once/);
    await expect(verified).toHaveCount(2);
    for (const item of await verified.all()) await expect(await securityActivity.openTechnicalDetails(item)).toContainText("c3 View statements: MFA within one hour: satisfied");
    await expect(securityActivity.unavailableNote()).toHaveCount(0);
  });

  // Entra's token endpoint refuses a refresh that needs MFA with invalid_grant, AADSTS50076 and
  // suberror basic_action (MSAL Java's exceptions page on Microsoft Learn: a silent request failing
  // with invalid_grant must go interactive); MSAL.js sends its correlation id as the token request's
  // client-request-id query parameter (msal-common createTokenQueryParameters), and Entra files the
  // request, and echoes it, under that id.
  test("when the identity provider's hour has passed too, the silent refresh is refused (invalid_grant, MFA required) and the dialog takes over, once, with one correlation id throughout", async ({
    page,
    persona,
    signIn,
    dashboard,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await revealCheckingWithPopup(user, { signIn, dashboard, stepUpDialog, control, database });
    // Both windows lapse: the portal's elevation and the identity provider's "MFA within the hour".
    await lapseElevation(database, user);
    await control.ageAuthentication(user.oid, 3_601);
    const refreshes: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().includes("/oauth2/v2.0/token") && new URLSearchParams(request.postData() ?? "").get("grant_type") === "refresh_token") refreshes.push(request.url());
    });
    const silentAnswer = page.waitForResponse(
      (response) => response.url().includes("/oauth2/v2.0/token") && new URLSearchParams(response.request().postData() ?? "").get("grant_type") === "refresh_token",
    );

    await showButton(dashboard, SAVINGS).click();
    const answer = await silentAnswer;
    expect(answer.status()).toBe(400);
    const refusal = (await answer.json()) as { error: string; error_codes: number[]; suberror: string; correlation_id: string };
    expect(refusal).toMatchObject({ error: "invalid_grant", error_codes: [50076], suberror: "basic_action" });
    // MSAL turned that into InteractionRequiredAuthError; the hook fell back to the dialog.
    await stepUpDialog.expectOpen(PURPOSE);

    // One id: the challenge's (portal audit log), the one MSAL sent, the one Entra answered and logged.
    const userId = (await database.user.findFirstOrThrow({ where: { objectId: user.oid }, select: { id: true } })).id;
    const { correlationId } = await database.auditEvent.findFirstOrThrow({
      where: { userId, operation: "finance.viewStatements", outcome: "required" },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { correlationId: true },
    });
    expect(new URL(answer.url()).searchParams.get("client-request-id")).toBe(correlationId);
    expect(answer.request().headers()["client-request-id"], "MSAL sends it in the query, not as a header").toBeUndefined();
    expect(refusal.correlation_id).toBe(correlationId);
    expect(answer.headers()["client-request-id"]).toBe(correlationId);
    const logged = await control.signIns({ userId: user.oid, correlationId });
    expect(logged.map((entry) => [entry.isInteractive, entry.status.errorCode])).toContainEqual([false, 50076]);

    const second = await stepUpDialog.verify();
    await new IdentityProviderPage(second).enterCode(await control.totpCode(user.oid));
    await expect(dashboard.account(SAVINGS)).toContainText(grouped(await fullNumberOf(database, user, SAVINGS)));
    // Never a loop, never a sign-out: one refresh attempt, and the same portal session goes on.
    expect(refreshes).toHaveLength(1);
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    expect(await statementOutcomes(database, user)).toEqual(["required", "satisfied", "executed", "required", "satisfied", "executed"]);
    expect(await database.session.count({ where: { userId } })).toBe(1);
  });

  test("a call without a proof is answered step_up_required: nothing revealed, MSAL loaded only then", async ({
    page,
    persona,
    signIn,
    dashboard,
    stepUpDialog,
    database,
  }) => {
    const user = await persona("totp");
    // MSAL's code names its error class; the portal's own code never does.
    const msalScripts = async () => {
      const urls = await page.evaluate(() =>
        performance
          .getEntriesByType("resource")
          .filter((entry) => (entry as PerformanceResourceTiming).initiatorType === "script")
          .map((entry) => entry.name),
      );
      const found: string[] = [];
      for (const url of urls) if ((await (await page.request.get(url)).text()).includes("BrowserAuthError")) found.push(url);
      return { scripts: urls.length, msal: found };
    };

    await signIn(user);
    await expect(showButton(dashboard, CHECKING)).toBeEnabled();
    const beforeChallenge = await msalScripts();
    expect(beforeChallenge.scripts).toBeGreaterThan(0);
    expect(beforeChallenge.msal, "the dashboard must load no MSAL before a challenge").toEqual([]);

    const checkingNumber = await fullNumberOf(database, user, CHECKING);
    await showButton(dashboard, CHECKING).click();
    await stepUpDialog.expectOpen(PURPOSE);

    // The action answered with a challenge: the handler never ran (no "executed" in the audit
    // log, written in the handler's own transaction), and the number is nowhere on the page.
    expect(await statementOutcomes(database, user)).toEqual(["required"]);
    await expect(page.locator("body")).not.toContainText(grouped(checkingNumber));
    // The challenge made the page load MSAL (and the marker above does detect it).
    await expect.poll(async () => (await msalScripts()).msal).not.toEqual([]);

    await stepUpDialog.cancel();
    await expect(showButton(dashboard, CHECKING)).toBeFocused();
    await expect(page.locator("body")).not.toContainText(grouped(checkingNumber));
    expect(await statementOutcomes(database, user)).toEqual(["required"]);
  });

  test("a proof the identity provider would never issue for this API is rejected, and nothing is revealed", async ({
    page,
    persona,
    signIn,
    dashboard,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const checkingNumber = await fullNumberOf(database, user, CHECKING);

    // The browser redeems the popup's code with the token endpoint; swap the access token it gets
    // for one minted for another audience (otherwise valid, with c3): what the portal receives
    // as the proof is exactly that token.
    const broken = await control.brokenToken("wrong-audience", user.oid, ["c3"]);
    await page.route(
      (url) => url.pathname.endsWith("/oauth2/v2.0/token"),
      async (route) => {
        const response = await route.fetch();
        const json = (await response.json()) as Record<string, unknown>;
        await route.fulfill({ response, json: { ...json, access_token: broken } });
      },
    );

    await showButton(dashboard, CHECKING).click();
    await stepUpDialog.expectOpen(PURPOSE);
    const popup = await stepUpDialog.verify();
    await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));

    // One retry, then an error state (not a loop), with a way forward.
    await stepUpDialog.expectError("Your verification was not accepted", "Try again");
    await expect(page.locator("body")).not.toContainText(grouped(checkingNumber));
    expect(await statementOutcomes(database, user)).toEqual(["required", "rejected:wrong_audience"]);
  });

  test("the redirect bridge is served with the CSP and no-store, and without COOP", async ({ page }) => {
    const response = await page.goto("/auth/redirect-bridge");
    const headers = response!.headers();
    expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(headers["cache-control"]).toBe("no-store");
    expect(headers["cross-origin-opener-policy"]).toBeUndefined();
    // Opened without an authorization response, it says there is nothing to complete.
    await expect(page.getByRole("heading", { name: "There is no verification to complete" })).toBeVisible();
  });
});
