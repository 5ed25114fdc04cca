import { test as base, expect, type Page } from "@playwright/test";
import { PrismaClient } from "../lib/generated/prisma/client";
import { createAdapterFactory } from "../prisma/adapter";
import { seedPersona } from "../prisma/seed-data";
import { e2eSettings, stackSettings, type E2eSettings, type StackName } from "./support/settings";
import { signInOverHttp } from "./support/http-sign-in";
import { EmulatorControl, SIMULATED_IPS, type EmulatorUser, type SignInMethod } from "./support/emulator-control";
import { HomePage } from "./pages/home.page";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { DashboardPage } from "./pages/dashboard.page";
import { StepUpDialogPage } from "./pages/step-up-dialog.page";
import { TransferPage } from "./pages/transfer.page";
import { ApiClient, acquireApiToken } from "./support/api-client";
import { FinancePage } from "./pages/finance.page";
import { AccountPage } from "./pages/account.page";
import { SettingsPage } from "./pages/settings.page";
import { SecurityActivityPage } from "./pages/security-activity.page";
import { PolicyHealthPage } from "./pages/policy-health.page";

/**
 * Personas a test can ask for; each call creates a fresh user, so tests run in parallel.
 * - `no-mfa`: a password only (the identity provider asks them to register a method when a
 *   context needs one).
 * - `totp`, `sms`, `passkey`, `totp+passkey`: those second factors registered.
 * - `admin`: app role Portal.Admin (the policy-health page), authenticator app and passkey.
 * - `blocked`: refused at every sign-in (AADSTS53003), as by a Block policy.
 * - `risky-sign-in`: signs in from an anonymising IP (simulated Identity Protection: sign-in risk
 *   high), which the production set blocks.
 * - `risky-user`: user risk high (leaked credentials): MFA and a secure password change at the
 *   next interactive sign-in, which remediates it.
 */
export type PersonaKind = "no-mfa" | "totp" | "sms" | "passkey" | "totp+passkey" | "admin" | "blocked" | "risky-sign-in" | "risky-user";

const personaMethods: Record<PersonaKind, SignInMethod[]> = {
  "no-mfa": [],
  totp: ["totp"],
  sms: ["sms"],
  passkey: ["passkey"],
  "totp+passkey": ["totp", "passkey"],
  admin: ["totp", "passkey"],
  blocked: ["totp"],
  "risky-sign-in": ["totp", "passkey"],
  "risky-user": ["totp"],
};

/** A persona: the emulator user plus the portal's seeded user and accounts. */
export type Persona = EmulatorUser;

interface WorkerFixtures {
  /** Which stack the project runs against (playwright.config.ts sets it per project). */
  stack: StackName;
  /** The run's settings as seen from that stack (its portal and emulator origins). */
  settings: E2eSettings;
  control: EmulatorControl;
  database: PrismaClient;
}

interface TestFixtures {
  /** Creates a persona in the emulator's directory and seeds its portal user and accounts. */
  persona: (kind: PersonaKind) => Promise<Persona>;
  /**
   * Signs a persona in with its password and opens the dashboard; on `page`, or on `on` (e.g. a
   * page of `anotherBrowser()`). The sign-in's requests are sent over HTTP and its cookies handed
   * to the browser (support/http-sign-in.ts): for tests about what comes after signing in.
   */
  signIn: (user: Persona, on?: Page) => Promise<void>;
  /**
   * A page in another browser: its own cookies and storage, knowing no one. A second device, or
   * the same person after closing the browser (clearing `page`'s cookies instead races with
   * responses still in flight). Closed when the test ends.
   */
  anotherBrowser: () => Promise<Page>;
  home: HomePage;
  identityProvider: IdentityProviderPage;
  dashboard: DashboardPage;
  /** The portal's step-up dialog on `page`. */
  stepUpDialog: StepUpDialogPage;
  /** The transfer page on `page`. */
  transfer: TransferPage;
  /** A programmatic client of the JSON API: Playwright's `request` (no browser cookies). */
  api: ApiClient;
  /**
   * An access token for the portal's API scope for `user`, from the identity provider over the
   * real protocol, the person's part done in `page` (e2e/support/api-client.ts). `claims`: a
   * claims request to send, e.g. the one a 401 challenge carried.
   */
  apiToken: (user: Persona, options?: { claims?: string }) => Promise<string>;
  /** The finance overview on `page`. */
  finance: FinancePage;
  /** An account's page (history, statements) on `page`. */
  account: AccountPage;
  /** The settings pages on `page`. */
  settingsPage: SettingsPage;
  /** The "Security activity" page on `page`. */
  securityActivity: SecurityActivityPage;
  /** The admin "Policy health" page on `page`. */
  policyHealth: PolicyHealthPage;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  stack: ["production", { scope: "worker", option: true }],
  settings: [async ({ stack }, use) => use(stackSettings(e2eSettings(), stack)), { scope: "worker" }],
  control: [async ({ settings }, use) => use(new EmulatorControl(settings)), { scope: "worker" }],
  database: [
    async ({ settings }, use) => {
      const database = new PrismaClient({ adapter: createAdapterFactory(settings.databaseUrl) });
      await use(database);
      await database.$disconnect();
    },
    { scope: "worker" },
  ],
  persona: async ({ control, database, settings }, use) => {
    await use(async (kind) => {
      const user = await control.createUser({
        displayName: `${kind} persona`,
        methods: personaMethods[kind],
        ...(kind === "admin" ? { roles: ["Portal.Admin"] } : {}),
        ...(kind === "blocked" ? { blockedByConditionalAccess: true } : {}),
      });
      if (kind === "risky-sign-in") await control.setNetwork(user.oid, { ip: SIMULATED_IPS.anonymizer });
      if (kind === "risky-user") await control.setUserRisk(user.oid, "high", "leakedCredentials");
      await seedPersona(database, {
        tenantId: settings.tenantId,
        objectId: user.oid,
        displayName: user.displayName,
        userPrincipalName: user.userPrincipalName,
        persona: kind,
      });
      return user;
    });
  },
  signIn: async ({ page, settings }, use) => {
    await use((user, on = page) =>
      base.step(
        `sign in as ${user.displayName}`,
        async () => {
          await signInOverHttp(on.context(), settings, user, await on.evaluate(() => navigator.userAgent));
          const dashboard = new DashboardPage(on);
          await dashboard.goto();
          await dashboard.expectSignedInAs(user.displayName);
        },
        { box: true },
      ),
    );
  },
  anotherBrowser: async ({ browser, settings }, use) => {
    const contexts: Awaited<ReturnType<typeof browser.newContext>>[] = [];
    await use(async () => {
      const context = await browser.newContext({ baseURL: settings.portalOrigin });
      contexts.push(context);
      return context.newPage();
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
  home: async ({ page }, use) => use(new HomePage(page)),
  identityProvider: async ({ page }, use) => use(new IdentityProviderPage(page)),
  dashboard: async ({ page }, use) => use(new DashboardPage(page)),
  stepUpDialog: async ({ page }, use) => use(new StepUpDialogPage(page)),
  transfer: async ({ page }, use) => use(new TransferPage(page)),
  api: async ({ request }, use) => use(new ApiClient(request)),
  apiToken: async ({ page, settings, control, identityProvider }, use) => {
    await use((user, options) => acquireApiToken(page, { settings, control, identityProvider }, user, options));
  },
  finance: async ({ page }, use) => use(new FinancePage(page)),
  account: async ({ page }, use) => use(new AccountPage(page)),
  settingsPage: async ({ page }, use) => use(new SettingsPage(page)),
  securityActivity: async ({ page }, use) => use(new SecurityActivityPage(page)),
  policyHealth: async ({ page }, use) => use(new PolicyHealthPage(page)),
});

export { expect };
