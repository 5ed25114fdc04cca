import type { Metadata } from "next";
import Form from "next/form";
import { SiteHeader } from "@/components/ui/site-header";
import { AccountList } from "@/components/ui/account-list";
import { BalanceSummary } from "@/components/finance/balance-summary";
import { SpendingSummary } from "@/components/finance/spending-summary";
import { SubmitButton } from "@/components/finance/submit-button";
import { requireSession } from "@/lib/auth/session";
import { listAccountsForUser } from "@/lib/data/accounts";
import { getBalanceHistory, getMonthlySpending } from "@/lib/data/finance";
import { formatMonth, monthOf, monthsEndingWith, type Month } from "@/lib/finance/month";
import { monthSchema } from "@/lib/validation/finance";

export const metadata: Metadata = { title: "Finance" };

/** How many months the overview offers and charts. */
const MONTHS = 12;

/**
 * The finance overview: every account with its balance and a link to its history, spending by
 * category for a chosen month (`?month=2026-10`, default this month), and month-end balances for
 * the last twelve months. Charts and tables are computed on the server from minor units.
 */
export default async function FinancePage({ searchParams }: PageProps<"/finance">) {
  const session = await requireSession();
  const now = new Date();
  const months = monthsEndingWith(monthOf(now), MONTHS).reverse();
  const requested = (await searchParams).month;
  let month: Month = months[0]!;
  let monthProblem: string | null = null;
  if (requested !== undefined) {
    const parsed = monthSchema.safeParse(requested);
    if (parsed.success && months.includes(parsed.data)) month = parsed.data;
    else monthProblem = `That month isn't available. Choose one of the last ${MONTHS} months; showing ${formatMonth(month)}.`;
  }
  const [accounts, spending, balances] = await Promise.all([
    listAccountsForUser(session.user),
    getMonthlySpending(session.user, month),
    getBalanceHistory(session.user, { months: MONTHS, now }),
  ]);

  const monthPicker = (
    <Form action="/finance" className="flex flex-wrap items-end gap-2">
      <div>
        <label htmlFor="spending-month" className="block text-sm font-medium">
          Month
        </label>
        <select id="spending-month" name="month" defaultValue={month} className="mt-1 rounded-md border border-black/15 bg-white px-3 py-2 text-sm">
          {months.map((option) => (
            <option key={option} value={option}>
              {formatMonth(option)}
            </option>
          ))}
        </select>
      </div>
      <SubmitButton pendingLabel="Showing…">Show</SubmitButton>
    </Form>
  );

  return (
    <>
      <SiteHeader session={session} current="/finance" />
      <main id="main" className="mx-auto max-w-6xl space-y-8 px-4 py-8 sm:px-6">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Finance</h1>
          <p className="mt-1 text-muted">Your accounts, where your money went, and how your balances moved.</p>
        </div>
        {monthProblem ? (
          <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
            {monthProblem}
          </p>
        ) : null}
        <AccountList accounts={accounts} hrefFor={(account) => `/finance/accounts/${encodeURIComponent(account.id)}`} />
        <SpendingSummary month={month} spending={spending} monthPicker={monthPicker} />
        <BalanceSummary history={balances} />
      </main>
    </>
  );
}
