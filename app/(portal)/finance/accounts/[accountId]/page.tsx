import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { SiteHeader } from "@/components/ui/site-header";
import { HistoryFilters, type HistoryFilterValues } from "@/components/finance/history-filters";
import { Pagination } from "@/components/finance/pagination";
import { StatementDownloads } from "@/components/finance/statement-downloads";
import { TransactionTable } from "@/components/finance/transaction-table";
import { RevealAccountNumber } from "@/components/step-up/reveal-account-number";
import { StepUpProvider } from "@/components/step-up/step-up-provider";
import { requireSession } from "@/lib/auth/session";
import { getAccountForUser } from "@/lib/data/accounts";
import { listAccountCategories, listStatementMonths, listTransactions } from "@/lib/data/finance";
import { stepUpClientConfig } from "@/lib/env";
import { formatMonth, monthOf } from "@/lib/finance/month";
import { formatMoney } from "@/lib/format";
import { statementsPurpose } from "@/lib/step-up/server/purpose";
import { parseHistoryParams, type SearchParams } from "@/lib/validation/finance";
import { revealAccountNumberAction } from "../../../dashboard/actions";
import { prepareStatementDownloadAction } from "./actions";

export const metadata: Metadata = { title: "Account" };

const FILTER_KEYS = ["q", "from", "to", "category", "min", "max"] as const;

/** The filters as typed, for the form and for links (single values only; arrays are refused by validation). */
function filterValues(params: SearchParams): HistoryFilterValues {
  const values: HistoryFilterValues = {};
  for (const key of FILTER_KEYS) {
    const value = params[key];
    if (typeof value === "string" && value.trim() !== "") values[key] = value;
  }
  return values;
}

/**
 * One account: balance, masked number with "Show full number", its transaction history (search,
 * filters and page in the URL, validated on the server), and its monthly statements. Someone
 * else's account id and an unknown one both end in the same `notFound()`.
 */
export default async function AccountPage({ params, searchParams }: PageProps<"/finance/accounts/[accountId]">) {
  const session = await requireSession();
  const { accountId } = await params;
  const account = await getAccountForUser(session.user, accountId);
  if (!account) notFound();

  const raw = await searchParams;
  const parsed = parseHistoryParams(raw, account.currency);
  const values = filterValues(raw);
  const filtered = Object.keys(values).length > 0;
  const [history, categories, statementMonths] = await Promise.all([
    parsed.ok ? listTransactions(session.user, account.id, parsed.filters) : Promise.resolve(null),
    listAccountCategories(session.user, account.id),
    listStatementMonths(session.user, account.id),
  ]);
  if (parsed.ok && !history) notFound();

  const path = `/finance/accounts/${encodeURIComponent(account.id)}`;
  const pageHref = (page: number) => {
    const query = new URLSearchParams(values as Record<string, string>);
    if (page > 1) query.set("page", String(page));
    const text = query.toString();
    return text ? `${path}?${text}` : path;
  };
  const currentMonth = monthOf(new Date());
  const months = (statementMonths ?? []).map((month) => ({ month, label: `${formatMonth(month)}${month === currentMonth ? " (to date)" : ""}` }));
  const { objectId, tenantId, userPrincipalName, name } = session.user;

  return (
    <>
      <SiteHeader session={session} current="/finance" />
      <main id="main" className="mx-auto max-w-6xl space-y-8 px-4 py-8 sm:px-6">
        <nav aria-label="Breadcrumb" className="text-sm">
          <Link href="/finance" className="text-brand-700 underline underline-offset-4 hover:text-brand-800">
            Finance
          </Link>
          <span aria-hidden="true" className="text-muted"> / </span>
          <span aria-current="page">{account.name}</span>
        </nav>
        <StepUpProvider config={stepUpClientConfig()} user={{ objectId, tenantId, userPrincipalName, name }}>
          <div className="flex flex-wrap items-end justify-between gap-4">
            <div>
              <h1 className="text-2xl font-semibold tracking-tight">{account.name}</h1>
              <div className="max-w-sm">
                <RevealAccountNumber
                  accountId={account.id}
                  accountName={account.name}
                  maskedNumber={account.maskedNumber}
                  action={revealAccountNumberAction}
                  sessionPurpose={statementsPurpose()}
                />
              </div>
            </div>
            <p className="text-right">
              <span className="block text-sm text-muted">Balance</span>
              <span className="text-3xl font-semibold tabular-nums tracking-tight">{formatMoney(account.balanceMinor, account.currency)}</span>
            </p>
          </div>

          <section aria-labelledby="history-heading" className="space-y-4 rounded-xl border border-black/5 bg-white p-5 shadow-sm">
            <h2 id="history-heading" className="text-lg font-semibold">
              Transactions
            </h2>
            <HistoryFilters action={path} values={values} categories={categories} currency={account.currency} />
            {!parsed.ok ? (
              <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-4 text-sm">
                <p className="font-medium">These filters can&apos;t be used:</p>
                <ul className="mt-1 list-disc pl-5">
                  {parsed.errors.map((error) => (
                    <li key={error}>{error}</li>
                  ))}
                </ul>
                <Link href={path} className="mt-2 inline-block font-medium text-brand-700 underline underline-offset-4 hover:text-brand-800">
                  Clear filters
                </Link>
              </div>
            ) : history && history.total === 0 ? (
              <p className="rounded-lg border border-dashed border-black/10 p-6 text-muted">
                {filtered ? "No transactions match these filters." : "No transactions on this account yet."}
              </p>
            ) : history && history.entries.length === 0 ? (
              <p className="rounded-lg border border-dashed border-black/10 p-6 text-muted">
                There is no page {history.page}.{" "}
                <Link href={pageHref(history.pageCount)} className="font-medium text-brand-700 underline underline-offset-4 hover:text-brand-800">
                  Go to the last page ({history.pageCount})
                </Link>
              </p>
            ) : history ? (
              <>
                <p role="status" className="text-sm text-muted">
                  {history.total === 1
                    ? "1 transaction"
                    : `Showing ${(history.page - 1) * history.pageSize + 1}–${(history.page - 1) * history.pageSize + history.entries.length} of ${history.total} transactions`}
                  {filtered ? " matching your filters" : ""}
                </p>
                <TransactionTable entries={history.entries} caption={`Transactions on ${account.name}, newest first, page ${history.page} of ${history.pageCount}`} />
                <Pagination page={history.page} pageCount={history.pageCount} hrefFor={pageHref} label="Transaction pages" />
              </>
            ) : null}
          </section>

          <StatementDownloads
            accountId={account.id}
            accountName={account.name}
            months={months}
            action={prepareStatementDownloadAction}
            sessionPurpose={statementsPurpose()}
          />
        </StepUpProvider>
      </main>
    </>
  );
}
