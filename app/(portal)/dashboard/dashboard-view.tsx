import { SiteHeader } from "@/components/ui/site-header";
import { AccountList } from "@/components/ui/account-list";
import { ActivityTable } from "@/components/ui/activity-table";
import { RevealAccountNumber } from "@/components/step-up/reveal-account-number";
import { StepUpProvider } from "@/components/step-up/step-up-provider";
import type { PortalSession } from "@/lib/auth/session";
import { listAccountsForUser, listRecentActivity } from "@/lib/data/accounts";
import { stepUpClientConfig } from "@/lib/env";
import { statementsPurpose } from "@/lib/step-up/server/purpose";
import { revealAccountNumberAction } from "./actions";

/**
 * The dashboard's content for a session the caller has already checked. The page
 * (page.tsx) checks it with requireSession(); the benchmark's baseline
 * (app/bench-baseline/dashboard/page.bench.tsx, built only by `npm run bench`) renders this same
 * view without that check, so the two differ in exactly the cost being measured.
 */
export async function DashboardView({ session }: { session: PortalSession }) {
  const [accounts, activity] = await Promise.all([listAccountsForUser(session.user), listRecentActivity(session.user, { limit: 12 })]);
  const firstName = (session.user.name ?? "").split(" ")[0];
  const purpose = statementsPurpose();
  const { objectId, tenantId, userPrincipalName, name } = session.user;
  return (
    <>
      <SiteHeader session={session} current="/dashboard" />
      <main id="main" className="mx-auto max-w-6xl space-y-10 px-6 py-8">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Overview</h1>
          <p className="mt-1 text-muted">{firstName ? `Welcome back, ${firstName}.` : "Welcome back."} Here are your balances and latest activity.</p>
        </div>
        <StepUpProvider config={stepUpClientConfig()} user={{ objectId, tenantId, userPrincipalName, name }}>
          <AccountList
            accounts={accounts}
            renderNumber={(account) => (
              <RevealAccountNumber
                accountId={account.id}
                accountName={account.name}
                maskedNumber={account.maskedNumber}
                action={revealAccountNumberAction}
                sessionPurpose={purpose}
              />
            )}
          />
        </StepUpProvider>
        <ActivityTable entries={activity} />
      </main>
    </>
  );
}
