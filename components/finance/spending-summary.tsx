import { SpendingChart } from "@/components/finance/chart-frame";
import type { BarDatum } from "@/components/finance/chart-types";
import type { CategorySpending } from "@/lib/data/types";
import { categoryLabel } from "@/lib/finance/categories";
import { formatMonth, type Month } from "@/lib/finance/month";
import { formatMoney, minorToDecimalString } from "@/lib/format";

/**
 * Spending by category for one month: a bar chart and, beside it, a table with the same figures
 * (the chart is hidden from assistive technology; the table is how anyone can read the data
 * exactly). One chart per currency: amounts in different currencies never share an axis.
 */
export function SpendingSummary({ month, spending, monthPicker }: { month: Month; spending: readonly CategorySpending[]; monthPicker: React.ReactNode }) {
  const currencies = [...new Set(spending.map((row) => row.currency))];
  return (
    <section aria-labelledby="spending-heading" className="rounded-xl border border-black/5 bg-white p-5 shadow-sm">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h2 id="spending-heading" className="text-lg font-semibold">
          Spending by category
        </h2>
        {monthPicker}
      </div>
      {currencies.length === 0 ? (
        <p className="mt-4 rounded-lg border border-dashed border-black/10 p-6 text-muted">No spending in {formatMonth(month)}.</p>
      ) : (
        currencies.map((currency) => {
          const rows = spending.filter((row) => row.currency === currency);
          // The total is a bigint sum of minor units; only the bars' lengths go through floats.
          const total = rows.reduce((sum, row) => sum + BigInt(row.spentMinor), 0n);
          const bars: BarDatum[] = rows.map((row) => ({
            label: categoryLabel(row.category),
            value: Number(minorToDecimalString(BigInt(row.spentMinor), currency)),
            display: formatMoney(row.spentMinor, currency),
          }));
          return (
            <div key={currency} className="mt-4 grid gap-6 lg:grid-cols-[3fr_2fr]">
              <SpendingChart data={bars} currency={currency} />
              <div className="overflow-x-auto">
                <table className="card-table w-full text-left text-sm">
                  <caption className="mb-2 text-left text-sm text-muted">
                    Spending by category in {formatMonth(month)} ({currency})
                  </caption>
                  <thead className="border-b border-black/5 text-muted">
                    <tr>
                      <th scope="col" className="py-2 pr-4 font-medium">Category</th>
                      <th scope="col" className="py-2 text-right font-medium">Spent</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((row) => (
                      <tr key={row.category} className="border-b border-black/5">
                        <th scope="row" data-card="title" className="py-2 pr-4 font-normal">{categoryLabel(row.category)}</th>
                        <td data-card="end" className="py-2 text-right tabular-nums">{formatMoney(row.spentMinor, currency)}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr>
                      <th scope="row" data-card="title" className="py-2 pr-4 font-semibold">Total</th>
                      <td data-card="end" className="py-2 text-right font-semibold tabular-nums">{formatMoney(total, currency)}</td>
                    </tr>
                  </tfoot>
                </table>
              </div>
            </div>
          );
        })
      )}
      <p className="mt-3 text-xs text-muted">Money out of your accounts, without transfers between them.</p>
    </section>
  );
}
