import { formatDate, formatMoney } from "@/lib/format";

/** What the activity table needs of a ledger entry (a DTO from lib/data). */
export interface ActivityItem {
  id: string;
  accountName: string;
  description: string;
  category: string;
  amountMinor: bigint | string;
  currency: string;
  bookedAt: Date | string;
}

/** Recent activity across accounts, newest first. */
export function ActivityTable({ entries }: { entries: readonly ActivityItem[] }) {
  return (
    <section aria-labelledby="activity-heading" className="rounded-xl border border-black/5 bg-white shadow-sm">
      <h2 id="activity-heading" className="px-5 pt-5 text-lg font-semibold">
        Recent activity
      </h2>
      {entries.length === 0 ? (
        <p className="p-5 text-muted">No activity yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="card-table mt-3 w-full text-left text-sm [--card-table-inset:1.25rem]">
            <caption className="sr-only">Your most recent transactions across all accounts</caption>
            <thead className="border-b border-black/5 text-muted">
              <tr>
                <th scope="col" className="px-5 py-2 font-medium">Date</th>
                <th scope="col" className="px-5 py-2 font-medium">Description</th>
                <th scope="col" className="hidden px-5 py-2 font-medium md:table-cell">Category</th>
                <th scope="col" className="px-5 py-2 font-medium">Account</th>
                <th scope="col" className="px-5 py-2 text-right font-medium">Amount</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => {
                const negative = BigInt(entry.amountMinor) < 0n;
                return (
                  <tr key={entry.id} className="border-b border-black/5 last:border-0">
                    <td className="whitespace-nowrap px-5 py-3 text-muted">{formatDate(entry.bookedAt)}</td>
                    <td data-card="title" className="px-5 py-3">{entry.description}</td>
                    <td className="hidden px-5 py-3 capitalize text-muted md:table-cell">{entry.category}</td>
                    <td className="px-5 py-3 text-muted">{entry.accountName}</td>
                    <td data-card="end" className={`whitespace-nowrap px-5 py-3 text-right tabular-nums ${negative ? "" : "text-brand-700"}`}>
                      {formatMoney(entry.amountMinor, entry.currency, { signDisplay: "exceptZero" })}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
