import type { Metadata } from "next";
import { SiteHeader } from "@/components/ui/site-header";
import { AccountList } from "@/components/ui/account-list";
import { ActivityTable } from "@/components/ui/activity-table";
import { requireSession } from "@/lib/auth/session";
import { listAccountsForUser, listRecentActivity } from "@/lib/data/accounts";

export const metadata: Metadata = { title: "Overview" };

export default async function DashboardPage() {
  const session = await requireSession();
  const [accounts, activity] = await Promise.all([listAccountsForUser(session.user), listRecentActivity(session.user, { limit: 12 })]);
  const firstName = (session.user.name ?? "").split(" ")[0];
  return (
    <>
      <SiteHeader session={session} current="/dashboard" />
      <main id="main" className="mx-auto max-w-6xl space-y-10 px-6 py-8">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Overview</h1>
          <p className="mt-1 text-muted">{firstName ? `Welcome back, ${firstName}.` : "Welcome back."} Here are your balances and latest activity.</p>
        </div>
        <AccountList accounts={accounts} />
        <ActivityTable entries={activity} />
      </main>
    </>
  );
}
