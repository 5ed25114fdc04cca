import { test as base, expect, type Page } from "@playwright/test";
import { TOTP } from "otpauth";
import { PrismaClient } from "../../lib/generated/prisma/client";
import { createAdapterFactory } from "../../prisma/adapter";
import { seedPersona } from "../../prisma/seed-data";
import { DashboardPage } from "../pages/dashboard.page";
import { HomePage } from "../pages/home.page";
import { StepUpDialogPage } from "../pages/step-up-dialog.page";
import { TransferPage } from "../pages/transfer.page";
import { CHECKING, SAVINGS, accountOf, transfersOf } from "../support/ground-truth";
import { EntraSignInPage, type EntraCredentials } from "./entra-sign-in.page";
import { realTenantSettings } from "./settings";

/**
 * The opt-in run against a real Microsoft Entra tenant (`npm run test:real-tenant`; never in
 * `npm test` or CI). The same portal and page objects as the emulator suite; only the identity
 * provider's pages differ (entra-sign-in.page.ts). It proves the tenant's configuration end to
 * end: sign-in, a session-bound step-up (c3) and a transaction-bound one (c1), each satisfied
 * with the test user's authenticator app in the popup. c2 (a passkey) needs a person or a
 * registered hardware key, so it stays with the emulator suite.
 *
 * Serial, one worker: each authenticator-app code can be used once, and a tenant rate-limits
 * sign-ins.
 */

const settings = realTenantSettings();
const totp = new TOTP({ secret: settings.user.totpSecret, digits: 6, period: 30, algorithm: "SHA1" });
let lastPeriod = -1;

/** A code Entra has not seen yet: a used code is refused, so wait for the next period when needed. */
async function freshTotpCode(): Promise<string> {
  let period = Math.floor(Date.now() / 30_000);
  if (period === lastPeriod) {
    await new Promise((resolve) => setTimeout(resolve, (period + 1) * 30_000 - Date.now() + 500));
    period = Math.floor(Date.now() / 30_000);
  }
  lastPeriod = period;
  return totp.generate();
}

const credentials: EntraCredentials = { userPrincipalName: settings.user.userPrincipalName, password: settings.user.password, totpCode: freshTotpCode };

const test = base.extend<{ signIn: () => Promise<{ tenantId: string; objectId: string }> }, { database: PrismaClient }>({
  database: [
    async ({}, use) => {
      const database = new PrismaClient({ adapter: createAdapterFactory(settings.databaseUrl) });
      await use(database);
      await database.$disconnect();
    },
    { scope: "worker" },
  ],
  /**
   * Signs the test user in through the tenant's pages and makes sure the portal has accounts for
   * them (a tenant user is provisioned with none; the demo data is seeded for their tid + oid).
   */
  signIn: async ({ page, database }, use) => {
    await use(async () => {
      const home = new HomePage(page);
      await home.goto();
      await home.startSignIn();
      // The portal redirects to Entra; complete() takes over once the browser is there.
      await page.waitForURL((url) => url.hostname.endsWith("login.microsoftonline.com"));
      await new EntraSignInPage(page).complete(credentials);
      await expect(page).toHaveURL(/\/dashboard/);
      const user = await database.user.findFirstOrThrow({
        where: { userPrincipalName: settings.user.userPrincipalName },
        select: { tenantId: true, objectId: true, name: true },
      });
      const seeded = await seedPersona(database, {
        tenantId: user.tenantId,
        objectId: user.objectId,
        displayName: user.name ?? settings.user.userPrincipalName,
        userPrincipalName: settings.user.userPrincipalName,
      });
      if (seeded.created) await page.reload();
      return { tenantId: user.tenantId, objectId: user.objectId };
    });
  },
});

test.describe.configure({ mode: "serial" });

/** Presses Verify and completes the tenant's prompt in the popup. */
async function verifyInPopup(page: Page) {
  const popup = await new StepUpDialogPage(page).verify();
  await new EntraSignInPage(popup).complete(credentials);
}

test("sign-in through the tenant's own pages lands on the dashboard @smoke", async ({ page, signIn }) => {
  await signIn();
  await expect(new DashboardPage(page).account(CHECKING)).toBeVisible();
});

test("full account number (c3): the tenant's MFA in the popup reveals it @step-up", async ({ page, signIn, database }) => {
  const identity = await signIn();
  const dashboard = new DashboardPage(page);
  const persona = { oid: identity.objectId };
  const fullNumber = (await accountOf(database, persona, CHECKING)).fullNumber;

  await dashboard.account(CHECKING).getByRole("button", { name: "Show full number" }).click();
  await new StepUpDialogPage(page).expectOpen("Verify to see full account numbers");
  await verifyInPopup(page);
  await expect(dashboard.account(CHECKING)).toContainText(fullNumber.replace(/(.{4})(?=.)/g, "$1 "));
});

test("transfer from the threshold (c1): approved in the popup, it runs once @step-up", async ({ page, signIn, database }) => {
  const identity = await signIn();
  const persona = { oid: identity.objectId };
  const memo = `Real tenant ${new Date().toISOString()}`;
  const before = (await accountOf(database, persona, SAVINGS)).balanceMinor;
  const transfer = new TransferPage(page);
  // c1's threshold in the policy set the portal runs (lib/step-up/policy.ts); c2 starts ten times higher.
  const [amount, minor] = settings.portalEnv.STEP_UP_POLICY_SET === "staging" ? ["100.00", 10_000n] : ["1,000.00", 100_000n];

  await transfer.goto();
  await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount, memo });
  await new StepUpDialogPage(page).expectOpen("You are approving exactly this");
  await verifyInPopup(page);
  await expect(transfer.receipt()).toContainText(`$${amount}`);
  expect(await transfersOf(database, persona, { memo })).toEqual([{ amountMinor: minor, status: "completed", memo }]);
  expect((await accountOf(database, persona, SAVINGS)).balanceMinor).toBe(before - minor);
});
