import { BalanceChart } from "@/components/finance/chart-frame";
import type { LineSeries } from "@/components/finance/chart-types";
import type { BalanceHistory } from "@/lib/data/types";
import { formatMonth, formatShortMonth, type Month } from "@/lib/finance/month";
import { formatMoney, minorToDecimalString } from "@/lib/format";

/**
 * Month-end balances per account: a line chart and a table with the same figures (see
 * SpendingSummary). One chart and table per currency.
 */
export function BalanceSummary({ history }: { history: BalanceHistory }) {
  const months = history.months as Month[];
  const currencies = [...new Set(history.accounts.map((account) => account.currency))];
  const last = months[months.length - 1];
  return (
    <section aria-labelledby="balance-heading" className="rounded-xl border border-black/5 bg-white p-5 shadow-sm">
      <h2 id="balance-heading" className="text-lg font-semibold">
        Balance over time
      </h2>
      {currencies.length === 0 ? (
        <p className="mt-4 rounded-lg border border-dashed border-black/10 p-6 text-muted">No balances to show yet.</p>
      ) : (
        currencies.map((currency) => {
          const accounts = history.accounts.filter((account) => account.currency === currency);
          const series: LineSeries[] = accounts.map((account) => ({
            key: account.accountId,
            name: account.accountName,
            values: account.balancesMinor.map((minor) => Number(minorToDecimalString(BigInt(minor), currency))),
            displays: account.balancesMinor.map((minor) => formatMoney(minor, currency)),
          }));
          return (
            <div key={currency} className="mt-4 space-y-6">
              <BalanceChart labels={months.map(formatShortMonth)} series={series} currency={currency} />
              <div className="overflow-x-auto">
                <table className="card-table w-full text-left text-sm">
                  <caption className="mb-2 text-left text-sm text-muted">
                    Balance at the end of each month ({currency}){last ? `; ${formatMonth(last)} is today's balance` : ""}
                  </caption>
                  <thead className="border-b border-black/5 text-muted">
                    <tr>
                      <th scope="col" className="whitespace-nowrap py-2 pr-4 font-medium">Month</th>
                      {accounts.map((account) => (
                        <th key={account.accountId} scope="col" className="whitespace-nowrap py-2 pl-4 text-right font-medium">
                          {account.accountName}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {months.map((month, index) => (
                      <tr key={month} className="border-b border-black/5 last:border-0">
                        <th scope="row" data-card="title" className="whitespace-nowrap py-2 pr-4 font-normal">{formatShortMonth(month)}</th>
                        {accounts.map((account) => (
                          <td key={account.accountId} data-label={account.accountName} className="whitespace-nowrap py-2 pl-4 text-right tabular-nums">
                            {formatMoney(account.balancesMinor[index] ?? "0", currency)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          );
        })
      )}
    </section>
  );
}
