import type { PrismaClient } from "../lib/generated/prisma/client";
import { test, expect, type Persona } from "./fixtures";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import { SAVINGS } from "./support/ground-truth";

/**
 * The staging stack (playwright.config.ts, project "staging"): a portal with
 * STEP_UP_POLICY_SET=staging (transfer thresholds ten times lower) and its emulator on the staging
 * Conditional Access set, where c2 asks for MFA and the phishing-resistant requirement runs
 * report-only beside it. Production's counterpart, a passkey for a new payee, is in
 * transfer.spec.ts; every operation on the staging set is in the matrix's staging slice
 * (step-up-matrix.spec.ts). This one holds the dialog's wording of staging's c2.
 */


async function balanceOf(database: PrismaClient, user: Persona, name: string): Promise<bigint> {
  return (await database.bankAccount.findFirstOrThrow({ where: { name, owner: { objectId: user.oid } }, select: { balanceMinor: true } })).balanceMinor;
}

test.describe("staging policy set @staging", () => {
  test("c2 is MFA: an app code approves a transfer to a new payee; the report-only passkey policy is logged, not enforced", async ({
    persona,
    signIn,
    transfer,
    stepUpDialog,
    control,
    database,
  }) => {
    expect((await control.policies()).set).toBe("staging");
    const user = await persona("totp");
    await signIn(user);
    await transfer.goto();
    const payee = await database.payee.findFirstOrThrow({
      where: { owner: { objectId: user.oid }, transfers: { none: { status: "completed" } } },
      select: { id: true, name: true },
      orderBy: { name: "asc" },
    });
    const before = await balanceOf(database, user, SAVINGS);

    await transfer.submitTransfer({ from: SAVINGS, to: payee.name, amount: "25.00", memo: "First payment, staging" });
    await stepUpDialog.expectOpen("$25.00");
    // The dialog words c2 as staging's identity provider will ask for it: no passkey promised.
    await expect(stepUpDialog.dialog()).toContainText("Verified with a second factor for this action (staging");
    await expect(stepUpDialog.dialog()).not.toContainText("passkey for this action");
    const popup = await stepUpDialog.verify();
    await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));

    await expect(transfer.receipt()).toContainText("$25.00");
    expect(await balanceOf(database, user, SAVINGS)).toBe(before - 2500n);
    const entry = (await control.signIns({ userId: user.oid })).find((e) => e.authenticationContextClassReferences.some((c) => c.id === "c2"));
    expect(entry?.status.errorCode).toBe(0);
    const results = Object.fromEntries(entry!.appliedConditionalAccessPolicies.map((p) => [p.displayName, p.result]));
    expect(results).toMatchObject({
      "c2 Change security settings: MFA every time": "success",
      // Entra's "Report-only: user action required": enforced, it would have asked for a passkey.
      "c2 Change security settings: phishing-resistant MFA every time (report-only)": "reportOnlyInterrupted",
    });
  });

});
