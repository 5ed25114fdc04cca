import type { ActivityEntry } from "@/lib/data/types";
import { categoryLabel } from "@/lib/finance/categories";
import { formatDate, formatMoney } from "@/lib/format";

/** One page of an account's transactions, newest first. The caller handles the empty state. */
export function TransactionTable({ entries, caption }: { entries: readonly ActivityEntry[]; caption: string }) {
  return (
    <div className="overflow-x-auto">
      <table className="card-table w-full text-left text-sm [--card-table-inset:1rem]">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-black/5 text-muted">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">Date</th>
            <th scope="col" className="px-4 py-2 font-medium">Description</th>
            <th scope="col" className="hidden px-4 py-2 font-medium md:table-cell">Category</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Amount</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => {
            const incoming = BigInt(entry.amountMinor) > 0n;
            return (
              <tr key={entry.id} className="border-b border-black/5 last:border-0">
                <td className="whitespace-nowrap px-4 py-3 text-muted">{formatDate(entry.bookedAt)}</td>
                <td data-card="title" className="px-4 py-3">
                  <span className="block">{entry.description}</span>
                  {entry.counterparty && entry.counterparty !== entry.description ? <span className="block text-xs text-muted">{entry.counterparty}</span> : null}
                  <span className="block text-xs text-muted md:hidden">{categoryLabel(entry.category)}</span>
                </td>
                <td className="hidden px-4 py-3 text-muted md:table-cell">{categoryLabel(entry.category)}</td>
                <td data-card="end" className={`whitespace-nowrap px-4 py-3 text-right tabular-nums ${incoming ? "text-brand-700" : ""}`}>
                  {formatMoney(entry.amountMinor, entry.currency, { signDisplay: "exceptZero" })}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
