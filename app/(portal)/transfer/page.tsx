import type { Metadata } from "next";
import { SiteHeader } from "@/components/ui/site-header";
import { StepUpProvider } from "@/components/step-up/step-up-provider";
import { TransferForm } from "@/components/transfer/transfer-form";
import { RecentTransfers } from "@/components/transfer/recent-transfers";
import { requireSession } from "@/lib/auth/session";
import { listAccountsForUser } from "@/lib/data/accounts";
import { listPayees, listTransfers, listUnverifiedToday } from "@/lib/data/transfers";
import { env, stepUpClientConfig } from "@/lib/env";
import { getMethodsSummary } from "@/lib/identity/authentication-methods";
import { transferLimitsOf } from "@/lib/step-up/policy";
import { createTransferAction } from "./actions";

export const metadata: Metadata = { title: "Transfer" };

/** Which transfers need verification, worded from the active policy set so the two cannot disagree. */
function stepUpNote(): string {
  const limits = transferLimitsOf(env.STEP_UP_POLICY_SET);
  const format = (units: bigint) => new Intl.NumberFormat("en-US", { minimumFractionDigits: 2 }).format(units);
  return `Transfers of ${format(limits.stepUpFrom)} or more (in the account's currency), smaller ones once more than ${format(limits.unverifiedDailyAllowance)} a day has left the account without verification, and first payments to a payee ask you to verify.`;
}

export default async function TransferPage() {
  const session = await requireSession();
  // Not awaited: Graph answers while the page renders and streams to the form's hint when it
  // does, so a slow Graph (up to the client's timeout) never delays the page.
  const methods = getMethodsSummary(session.user.objectId);
  const [accounts, payees, transfers, unverifiedToday] = await Promise.all([
    listAccountsForUser(session.user),
    listPayees(session.user),
    listTransfers(session.user, { limit: 10 }),
    listUnverifiedToday(session.user),
  ]);
  const { objectId, tenantId, userPrincipalName, name } = session.user;
  return (
    <>
      <SiteHeader session={session} current="/transfer" />
      <main id="main" className="mx-auto max-w-3xl space-y-10 px-6 py-8">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Transfer</h1>
          <p className="mt-1 text-muted">Move money between your accounts or pay someone you&apos;ve saved.</p>
        </div>
        <StepUpProvider config={stepUpClientConfig()} user={{ objectId, tenantId, userPrincipalName, name }}>
          <TransferForm
            accounts={accounts}
            payees={payees}
            action={createTransferAction}
            stepUpNote={stepUpNote()}
            policySet={env.STEP_UP_POLICY_SET}
            unverifiedToday={unverifiedToday}
            methods={methods}
          />
        </StepUpProvider>
        <RecentTransfers transfers={transfers} />
      </main>
    </>
  );
}
