import type { Page } from "@playwright/test";
import { test as base, expect, type Persona, type PersonaKind } from "./fixtures";
import type { PrismaClient } from "../lib/generated/prisma/client";
import type { AuthContextId, StepUpOperation } from "../lib/step-up/policy";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import type { DashboardPage } from "./pages/dashboard.page";
import type { SettingsPage } from "./pages/settings.page";
import type { StepUpDialogPage } from "./pages/step-up-dialog.page";
import type { TransferPage } from "./pages/transfer.page";
import { SIMULATED_IPS, type EmulatorControl } from "./support/emulator-control";
import { CHECKING, SAVINGS, accountOf, auditOutcomes, groupDigits, transfersOf } from "./support/ground-truth";
import { blockPopups } from "./support/popups";
import type { E2eSettings, StackName } from "./support/settings";
import { addPasskey } from "./support/virtual-authenticator";

/**
 * The step-up scenario matrix: every protected operation (OPERATIONS, one row each) crossed with
 * every way a step-up can go (SCENARIOS). Each cell is one test: a fresh persona signs in with a
 * password only, starts the operation until the step-up dialog opens, then the scenario plays
 * out, and the ground truth (the database) says whether the operation ran: exactly once when it
 * should, not at all when it should not.
 *
 * - Add an operation: one entry in OPERATIONS (how a person starts it, what "done" means).
 * - Add a scenario: one entry in SCENARIOS (what happens between the dialog and the outcome).
 * e2e/README.md ("Add a scenario") walks through both.
 *
 * The narrative specs (step-up.spec.ts, transfer.spec.ts, settings.spec.ts, …) tell one flow in
 * depth (the dialog's wording, the requests on the wire); this file holds the breadth.
 */

type Method = "totp" | "sms" | "passkey";

const METHOD_NAMES: Record<Method, string> = { totp: "an authenticator-app code", sms: "a text-message code", passkey: "a passkey" };

/** What a test can use while it drives an operation. */
interface Kit {
  page: Page;
  stack: StackName;
  settings: E2eSettings;
  control: EmulatorControl;
  database: PrismaClient;
  dashboard: DashboardPage;
  transfer: TransferPage;
  settingsPage: SettingsPage;
  stepUpDialog: StepUpDialogPage;
}

/** The kit as a fixture, so every cell of the matrix asks for the same things. */
const test = base.extend<{ kit: Kit }>({
  kit: async ({ page, stack, settings, control, database, dashboard, transfer, settingsPage, stepUpDialog }, use) =>
    use({ page, stack, settings, control, database, dashboard, transfer, settingsPage, stepUpDialog }),
});

/** A started operation: the dialog is open and nothing has run yet. */
interface Started {
  /** The page shows the operation's effect, and the database holds it exactly once. */
  expectDone(): Promise<void>;
  /** The page shows no effect, and the database is as it was before the operation started. */
  expectNothingDone(): Promise<void>;
}

/** One protected operation, as a person starts it from the portal. */
interface ProtectedOperation {
  /** How the report names it. */
  name: string;
  /** The step-up policy's operation (lib/step-up/policy.ts): what the audit log records. */
  operation: StepUpOperation;
  /** The context production's policy asks for here. */
  context: AuthContextId;
  /** Methods that satisfy that context in production (emulator/policies/production.json). */
  methods: Method[];
  /**
   * For transaction-bound operations: the approved request's field the "changed after the
   * approval" scenario alters in flight, as it appears in the server-action body.
   */
  tamper?: (stack: StackName) => { from: string; to: string };
  /** Signed in as `user` on `kit.page`: starts the operation and waits for the step-up dialog. */
  start(kit: Kit, user: Persona): Promise<Started>;
}

/** How many times the audit log says `operation` ran for `user`. */
async function executions(database: PrismaClient, user: Persona, operation: StepUpOperation): Promise<number> {
  return (await auditOutcomes(database, user, operation)).filter((outcome) => outcome === "executed").length;
}

/** A transfer between the persona's own accounts, from the amount that asks for c1 in the running stack. */
function c1Amount(stack: StackName): string {
  return stack === "staging" ? "150.00" : "1,000.00";
}

const minorOf = (amount: string) => BigInt(amount.replace(/[,.]/g, ""));

const MATRIX_PAYEE = { name: "Matrix Tuition", bankName: "Contoso Bank", accountNumber: "4455 6677 88" };

const OPERATIONS: ProtectedOperation[] = [
  {
    name: "full account number",
    operation: "finance.viewStatements",
    context: "c3",
    methods: ["totp", "sms", "passkey"],
    async start({ page, database, dashboard, stepUpDialog }, user) {
      const number = groupDigits((await accountOf(database, user, CHECKING)).fullNumber);
      await dashboard.goto();
      await dashboard.account(CHECKING).getByRole("button", { name: "Show full number" }).click();
      await stepUpDialog.expectOpen("Verify to see full account numbers");
      return {
        async expectDone() {
          await expect(dashboard.account(CHECKING)).toContainText(number);
          expect(await executions(database, user, "finance.viewStatements")).toBe(1);
        },
        async expectNothingDone() {
          await expect(page.locator("body")).not.toContainText(number);
          expect(await executions(database, user, "finance.viewStatements")).toBe(0);
        },
      };
    },
  },
  {
    name: "transfer from the step-up threshold",
    operation: "transfer.create",
    context: "c1",
    methods: ["totp", "sms", "passkey"],
    tamper: (stack) => ({ from: `"amount":"${c1Amount(stack)}"`, to: `"amount":"${c1Amount(stack).replace(/00$/, "01")}"` }),
    async start({ stack, database, transfer, stepUpDialog }, user) {
      const amount = c1Amount(stack);
      const memo = "Matrix: own accounts";
      const before = (await accountOf(database, user, SAVINGS)).balanceMinor;
      await transfer.goto();
      await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount, memo });
      await stepUpDialog.expectOpen("You are approving exactly this");
      return {
        async expectDone() {
          await expect(transfer.receipt()).toContainText(`$${amount}`);
          expect(await transfersOf(database, user, { memo })).toEqual([{ amountMinor: minorOf(amount), status: "completed", memo }]);
          expect((await accountOf(database, user, SAVINGS)).balanceMinor).toBe(before - minorOf(amount));
        },
        async expectNothingDone() {
          await expect(transfer.receipt()).toBeHidden();
          expect(await transfersOf(database, user, { memo })).toEqual([]);
          expect((await accountOf(database, user, SAVINGS)).balanceMinor).toBe(before);
        },
      };
    },
  },
  {
    name: "transfer to a new payee",
    operation: "transfer.create",
    context: "c2",
    methods: ["passkey"],
    tamper: () => ({ from: '"amount":"25.00"', to: '"amount":"25.01"' }),
    async start({ database, transfer, stepUpDialog }, user) {
      const payee = await database.payee.findFirstOrThrow({
        where: { owner: { objectId: user.oid }, transfers: { none: { status: "completed" } } },
        select: { id: true, name: true },
        orderBy: { name: "asc" },
      });
      const before = (await accountOf(database, user, SAVINGS)).balanceMinor;
      const paid = () => database.transfer.findMany({ where: { payeeId: payee.id }, select: { amountMinor: true, status: true } });
      await transfer.goto();
      await transfer.submitTransfer({ from: SAVINGS, to: payee.name, amount: "25.00", memo: "Matrix: first payment" });
      await stepUpDialog.expectOpen(payee.name);
      return {
        async expectDone() {
          await expect(transfer.receipt()).toContainText(payee.name);
          expect(await paid()).toEqual([{ amountMinor: 2500n, status: "completed" }]);
          expect((await accountOf(database, user, SAVINGS)).balanceMinor).toBe(before - 2500n);
        },
        async expectNothingDone() {
          await expect(transfer.receipt()).toBeHidden();
          expect(await paid()).toEqual([]);
          expect((await accountOf(database, user, SAVINGS)).balanceMinor).toBe(before);
        },
      };
    },
  },
  {
    name: "adding a payee",
    operation: "security.update",
    context: "c2",
    methods: ["passkey"],
    tamper: () => ({ from: `"accountNumber":"${MATRIX_PAYEE.accountNumber}"`, to: '"accountNumber":"6666 6666 66"' }),
    async start({ database, settingsPage, stepUpDialog }, user) {
      const added = () => database.payee.findMany({ where: { owner: { objectId: user.oid }, name: MATRIX_PAYEE.name }, select: { accountNumber: true, removedAt: true } });
      await settingsPage.goto("/settings/payees");
      await settingsPage.submitPayee(MATRIX_PAYEE);
      await stepUpDialog.expectOpen(MATRIX_PAYEE.name);
      return {
        async expectDone() {
          await expect(settingsPage.payeeRow(MATRIX_PAYEE.name)).toContainText("•••• 7788");
          expect(await added()).toEqual([{ accountNumber: "4455667788", removedAt: null }]);
        },
        async expectNothingDone() {
          await expect(settingsPage.payeeRow(MATRIX_PAYEE.name)).toHaveCount(0);
          expect(await added()).toEqual([]);
        },
      };
    },
  },
  {
    name: "raising a transfer limit",
    operation: "limits.update",
    context: "c2",
    methods: ["passkey"],
    tamper: () => ({ from: '"perTransfer":"30,000.00"', to: '"perTransfer":"40,000.00"' }),
    async start({ database, settingsPage, stepUpDialog }, user) {
      const limits = () => database.transferLimit.findMany({ where: { user: { objectId: user.oid } }, select: { currency: true, perTransferMinor: true, dailyMinor: true } });
      const before = await limits();
      await settingsPage.goto("/settings/limits");
      await settingsPage.submitLimits({ perTransfer: "30,000.00", daily: "60,000.00" });
      await stepUpDialog.expectOpen("$25,000.00 → $30,000.00");
      return {
        async expectDone() {
          await settingsPage.expectToast("USD limits saved: $30,000.00 per transfer, $60,000.00 per day.");
          expect(await limits()).toEqual([{ currency: "USD", perTransferMinor: 3_000_000n, dailyMinor: 6_000_000n }]);
        },
        async expectNothingDone() {
          await expect(settingsPage.limits()).toContainText("Now $25,000.00 per transfer");
          expect(await limits()).toEqual(before);
        },
      };
    },
  },
];

/** The persona whose only second factor is `method`. */
const personaFor = (method: Method): PersonaKind => method;

/** The staging policy set's report-only policy: what it would have asked for c2, logged, not enforced. */
const STAGING_REPORT_ONLY = "c2 Change security settings: phishing-resistant MFA every time (report-only)";

/** Completes the identity provider's second-factor prompt in `window` (a popup, or the page itself after a redirect). */
async function satisfy(window: Page, user: Persona, method: Method, control: EmulatorControl) {
  const identityProvider = new IdentityProviderPage(window);
  if (method === "passkey") {
    await addPasskey(window, user.passkey);
    await identityProvider.verifyWithPasskey();
  } else if (method === "sms") {
    await expect(window.getByText(/We texted your phone/)).toBeVisible();
    await identityProvider.enterCode(await control.smsCode(user.oid));
  } else {
    await identityProvider.enterCode(await control.totpCode(user.oid));
  }
}

/** The prompt `method` shows in the identity provider's window: the popup has loaded and waits for the person. */
function promptOf(window: Page, method: Method) {
  return method === "passkey" ? window.getByRole("heading", { name: "Use a passkey" }) : new IdentityProviderPage(window).codeField();
}

/** What a scenario gets: the kit, the persona, the operation (started) and the method the persona has. */
interface Play {
  kit: Kit;
  user: Persona;
  op: ProtectedOperation;
  method: Method;
  started: Started;
}

/** One way a step-up can go, played on any operation it applies to. */
interface Scenario {
  /** The test's title (after the operation's name). */
  name: string;
  /** The operations it applies to (every one by default). */
  appliesTo?: (op: ProtectedOperation) => boolean;
  /**
   * Tags the cells @database: their verdict rests on what the database stored (a pending
   * approval compared with the request that arrives), so npm test runs them on every database.
   */
  database?: true;
  /** The persona it needs (by default, one whose only factor is the operation's first method). */
  persona?: PersonaKind;
  /** Set-up before the operation starts (the page is signed in, on the dashboard). */
  before?: (kit: Kit, user: Persona, op: ProtectedOperation) => Promise<void>;
  /** From the open dialog to the outcome. */
  play(play: Play): Promise<void>;
}

const SCENARIOS: Scenario[] = [
  {
    name: "denied by the identity provider: nothing runs; Try again runs it once",
    before: async ({ control }, user) => {
      await control.scriptNextInteraction("deny", user.oid);
    },
    async play({ kit: { stepUpDialog, control }, user, method, started }) {
      const popup = await stepUpDialog.verify();
      await expect.poll(() => popup.isClosed(), { message: "the popup closes itself" }).toBe(true);
      await stepUpDialog.expectError("The sign-in service declined the verification", "Try again");
      await started.expectNothingDone();
      await satisfy(await stepUpDialog.tryAgain(), user, method, control);
      await started.expectDone();
    },
  },
  {
    name: "the person cancels at the identity provider: nothing runs; Try again runs it once",
    before: async ({ control }, user) => {
      await control.scriptNextInteraction("cancel", user.oid);
    },
    async play({ kit: { stepUpDialog, control }, user, method, started }) {
      const popup = await stepUpDialog.verify();
      await expect.poll(() => popup.isClosed(), { message: "the popup closes itself" }).toBe(true);
      await stepUpDialog.expectError("Verification was cancelled", "Try again");
      await started.expectNothingDone();
      await satisfy(await stepUpDialog.tryAgain(), user, method, control);
      await started.expectDone();
    },
  },
  {
    name: "popup closed by the person: cancelled, nothing runs; Try again runs it once",
    async play({ kit: { stepUpDialog, control }, user, method, started }) {
      const popup = await stepUpDialog.verify();
      await expect(promptOf(popup, method)).toBeVisible();
      await popup.close();
      // MSAL's legacy polling (lib/step-up/client/msal.ts) notices the closed window within a poll
      // interval; its default bridge mode would say "stopped responding" only after 60 seconds.
      await stepUpDialog.expectError("Verification was cancelled", "Try again");
      await started.expectNothingDone();
      await satisfy(await stepUpDialog.tryAgain(), user, method, control);
      await started.expectDone();
    },
  },
  {
    name: "the person cancels the dialog while the verification window is open: the window closes, nothing runs; starting again runs it once",
    async play({ kit, user, op, method, started }) {
      const { stepUpDialog, control } = kit;
      const popup = await stepUpDialog.verify();
      await expect(promptOf(popup, method)).toBeVisible();
      await stepUpDialog.cancel();
      await expect.poll(() => popup.isClosed(), { message: "the verification window goes with the dialog" }).toBe(true);
      await started.expectNothingDone();
      // MSAL's interaction ended with the window: a new start is not "in progress" elsewhere.
      const again = await op.start(kit, user);
      await satisfy(await stepUpDialog.verify(), user, method, control);
      await again.expectDone();
    },
  },
  {
    name: "popup blocked: verified in this window, it runs once on Continue",
    before: async ({ page }) => {
      await blockPopups(page);
    },
    async play({ kit: { page, stepUpDialog, control }, user, method, started }) {
      await stepUpDialog.dialog().getByRole("button", { name: "Verify", exact: true }).click();
      await stepUpDialog.expectError("Your browser blocked the verification window", "Continue in this window");
      await stepUpDialog.continueInWindow();
      await satisfy(page, user, method, control);
      await stepUpDialog.expectResumable();
      await started.expectNothingDone();
      await stepUpDialog.resume();
      await started.expectDone();
    },
  },
  {
    name: "the identity provider never answers: nothing runs while it hangs; closing the window and Try again runs it once",
    before: async ({ control }, user) => {
      await control.scriptNextInteraction("hang", user.oid);
    },
    async play({ kit: { page, stepUpDialog, control }, user, method, started }) {
      // The popup's request for the second factor is held open by the emulator.
      const held = page.context().waitForEvent("request", (request) => request.url().includes("/oauth2/v2.0/authorize"));
      const popup = await stepUpDialog.verify();
      await held;
      await expect(stepUpDialog.dialog().getByRole("status")).toContainText("Complete the verification in the window that opened");
      await started.expectNothingDone();
      // MSAL's polling has no timeout of its own (lib/step-up/client/msal.ts): the way out is closing the window.
      await popup.close();
      await stepUpDialog.expectError("Verification was cancelled", "Try again");
      await satisfy(await stepUpDialog.tryAgain(), user, method, control);
      await started.expectDone();
    },
  },
  {
    name: "a proof whose verification is older than the policy allows (auth_time) is refused: nothing runs",
    async play({ kit: { page, stepUpDialog, control, database }, user, op, method, started }) {
      // What the browser receives from the token endpoint carries a two-hour-old auth_time (and
      // every other claim right): exactly what the portal gets as the proof. Minted when the
      // identity provider answers, as the real one is, so it postdates the pending operation.
      await page.route(
        (url) => url.pathname.endsWith("/oauth2/v2.0/token"),
        async (route) => {
          const response = await route.fetch();
          const json = (await response.json()) as Record<string, unknown>;
          const stale = await control.brokenToken("stale-auth-time", user.oid, [op.context]);
          await route.fulfill({ response, json: { ...json, access_token: stale } });
        },
      );
      await satisfy(await stepUpDialog.verify(), user, method, control);
      await stepUpDialog.expectError("Your verification was not accepted", "Try again");
      await started.expectNothingDone();
      expect(await auditOutcomes(database, user, op.operation)).toContain("rejected:stale_auth_time");
    },
  },
  {
    name: "the approved request changed on the way after the approval: refused, nothing runs",
    database: true,
    appliesTo: (op) => op.tamper !== undefined,
    async play({ kit: { page, stack, stepUpDialog, control, database }, user, op, method, started }) {
      const { from, to } = op.tamper!(stack);
      const tampered: string[] = [];
      // The retry is the server-action call that carries the proof and the pending operation.
      await page.route(
        (url) => url.origin === new URL(page.url()).origin,
        async (route) => {
          const body = route.request().postData() ?? "";
          if (route.request().method() !== "POST" || !body.includes('"pendingOperationId"')) return route.continue();
          tampered.push(body);
          await route.continue({ postData: body.replace(from, to) });
        },
      );
      await satisfy(await stepUpDialog.verify(), user, method, control);
      await stepUpDialog.expectError("Your verification was not accepted", "Try again");
      expect(tampered, "one retry, carrying the field the test changes").toHaveLength(1);
      expect(tampered[0]).toContain(from);
      await started.expectNothingDone();
      expect(await auditOutcomes(database, user, op.operation)).toContain("rejected:payload_changed");
    },
  },
  {
    name: "sign-in risk raised mid-session: the identity provider asks for a passkey, not a code, and it runs once",
    // Production raises c1 to phishing-resistant at medium sign-in risk (c2 is a passkey already).
    appliesTo: (op) => op.context === "c1",
    persona: "totp+passkey",
    before: async ({ control }, user) => {
      // Signed in from home; the approval comes from Sydney minutes later: impossible travel.
      await control.setNetwork(user.oid, { ip: SIMULATED_IPS.sydney });
    },
    async play({ kit: { stepUpDialog, control }, user, started }) {
      const popup = await stepUpDialog.verify();
      await expect(popup.getByRole("heading", { name: "Use a passkey" })).toBeVisible();
      await expect(new IdentityProviderPage(popup).codeField()).toHaveCount(0);
      await expect(popup.getByRole("button", { name: /authenticator app|Sign in another way/ })).toHaveCount(0);
      await satisfy(popup, user, "passkey", control);
      await started.expectDone();
      const entry = (await control.signIns({ userId: user.oid })).find((e) => e.authenticationContextClassReferences.some((c) => c.id === "c1"));
      expect(entry?.riskLevelDuringSignIn).toBe("medium");
    },
  },
  {
    name: "the identity provider is unreachable: it says so, nothing runs; once it is back, Try again runs it once",
    async play({ kit: { page, settings, stepUpDialog, control }, user, method, started }) {
      // The emulator is down for this browser: every request to it is refused at the network.
      const down = (url: URL) => url.origin === settings.emulatorOrigin;
      await page.context().route(down, (route) => route.abort("connectionrefused"));
      await stepUpDialog.dialog().getByRole("button", { name: "Verify", exact: true }).click();
      await stepUpDialog.expectError("We can't reach the sign-in service right now", "Try again");
      await started.expectNothingDone();
      await page.context().unroute(down);
      await satisfy(await stepUpDialog.tryAgain(), user, method, control);
      await started.expectDone();
    },
  },
];

for (const op of OPERATIONS) {
  test.describe(`step-up matrix: ${op.name} (${op.operation}, ${op.context}) @step-up @matrix`, () => {
    for (const method of op.methods) {
      // The first method's cell is each operation's plain success: it runs on every database.
      const database = method === op.methods[0] ? " @database" : "";
      test(`satisfied with ${METHOD_NAMES[method]}: it runs once${database}`, async ({ kit, persona, signIn }) => {
        const { stepUpDialog, control } = kit;
        const user = await persona(personaFor(method));
        await signIn(user);
        const started = await op.start(kit, user);
        await started.expectNothingDone();
        await satisfy(await stepUpDialog.verify(), user, method, control);
        await stepUpDialog.expectClosed();
        await started.expectDone();
      });
    }

    for (const scenario of SCENARIOS.filter((s) => s.appliesTo?.(op) ?? true)) {
      test(`${scenario.name}${scenario.database ? " @database" : ""}`, async ({ kit, persona, signIn }) => {
        const method = op.methods[0]!;
        const user = await persona(scenario.persona ?? personaFor(method));
        await signIn(user);
        await scenario.before?.(kit, user, op);
        const started = await op.start(kit, user);
        await scenario.play({ kit, user, op, method, started });
      });
    }
  });
}

/**
 * A representative slice on the staging policy set (the `staging` project): every operation,
 * satisfied with an authenticator-app code. Staging's c2 asks for any second factor; its passkey
 * policy runs report-only, so the sign-in log records what production would have asked for.
 */
test.describe("step-up matrix, staging slice @staging @step-up @matrix", () => {
  for (const op of OPERATIONS) {
    const reportOnly = op.context === "c2";
    const title = `${op.name} (${op.context}): satisfied with an authenticator-app code, it runs once${reportOnly ? "; the report-only passkey policy is logged, not enforced" : ""}`;
    test(title, async ({ kit, persona, signIn }) => {
      const { stepUpDialog, control } = kit;
      expect((await control.policies()).set).toBe("staging");
      const user = await persona("totp");
      await signIn(user);
      const started = await op.start(kit, user);
      await satisfy(await stepUpDialog.verify(), user, "totp", control);
      await started.expectDone();
      if (!reportOnly) return;
      const entry = (await control.signIns({ userId: user.oid })).find((e) => e.authenticationContextClassReferences.some((c) => c.id === "c2"));
      expect(entry?.status.errorCode).toBe(0);
      // Entra's "Report-only: user action required": enforced, it would have asked for a passkey.
      expect(entry!.appliedConditionalAccessPolicies.find((p) => p.displayName === STAGING_REPORT_ONLY)?.result).toBe("reportOnlyInterrupted");
    });
  }
});
