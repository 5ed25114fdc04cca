import type { TransferReceipt } from "@/lib/data/transfers";
import { formatDateTime, formatMoney } from "@/lib/format";

/** The user's latest transfers as a table, with an empty state. */
export function RecentTransfers({ transfers }: { transfers: readonly TransferReceipt[] }) {
  return (
    <section aria-labelledby="recent-transfers-heading">
      <h2 id="recent-transfers-heading" className="text-lg font-semibold">
        Recent transfers
      </h2>
      {transfers.length === 0 ? (
        <p className="mt-3 rounded-xl border border-dashed border-black/10 bg-white p-6 text-muted">No transfers yet.</p>
      ) : (
        <div className="mt-3 overflow-x-auto rounded-xl border border-black/5 bg-white shadow-sm">
          <table className="card-table w-full text-left text-sm [--card-table-inset:1rem]">
            <thead className="text-muted">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">Date</th>
                <th scope="col" className="px-4 py-2 font-medium">From</th>
                <th scope="col" className="px-4 py-2 font-medium">To</th>
                <th scope="col" className="px-4 py-2 font-medium">Reference</th>
                <th scope="col" className="px-4 py-2 text-right font-medium">Amount</th>
              </tr>
            </thead>
            <tbody>
              {transfers.map((transfer) => (
                <tr key={transfer.id} className="border-t border-black/5">
                  <td className="whitespace-nowrap px-4 py-2">{formatDateTime(transfer.createdAt)}</td>
                  <td data-label="From" className="px-4 py-2">{transfer.from.name}</td>
                  <td data-card="title" className="px-4 py-2">
                    <span className="sm:hidden">To </span>
                    {transfer.to.name}
                  </td>
                  <td data-label="Reference" className="whitespace-nowrap px-4 py-2 font-mono">{transfer.reference}</td>
                  <td data-card="end" className="whitespace-nowrap px-4 py-2 text-right tabular-nums">{formatMoney(transfer.amountMinor, transfer.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
