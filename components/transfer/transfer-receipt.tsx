"use client";

import { useEffect, useRef } from "react";
import type { TransferReceipt } from "@/lib/data/transfers";
import { formatDateTime, formatMoney } from "@/lib/format";

/** The receipt after a transfer: what moved, where, the source's new balance and the reference. Takes focus when shown. */
export function TransferReceiptCard({ receipt, onDone }: { receipt: TransferReceipt; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section aria-labelledby="transfer-receipt-heading" className="space-y-5 rounded-xl border border-emerald-200 bg-white p-6 shadow-sm">
      <h2 id="transfer-receipt-heading" ref={heading} tabIndex={-1} className="text-lg font-semibold focus:outline-none">
        {receipt.replayed ? "This transfer was already sent" : "Transfer sent"}
      </h2>
      <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
        <dt className="text-muted">Amount</dt>
        <dd className="font-semibold tabular-nums">{formatMoney(receipt.amountMinor, receipt.currency)}</dd>
        <dt className="text-muted">From</dt>
        <dd>{`${receipt.from.name} (${receipt.from.maskedNumber})`}</dd>
        <dt className="text-muted">To</dt>
        <dd>{`${receipt.to.name} (${receipt.to.maskedNumber})`}</dd>
        {receipt.memo ? (
          <>
            <dt className="text-muted">Memo</dt>
            <dd>{receipt.memo}</dd>
          </>
        ) : null}
        <dt className="text-muted">New balance</dt>
        <dd className="tabular-nums">{formatMoney(receipt.fromBalanceAfterMinor, receipt.currency)}</dd>
        <dt className="text-muted">Status</dt>
        <dd className="capitalize">{receipt.status}</dd>
        <dt className="text-muted">Reference</dt>
        <dd className="font-mono">{receipt.reference}</dd>
        {receipt.completedAt ? (
          <>
            <dt className="text-muted">Completed</dt>
            <dd>{formatDateTime(receipt.completedAt)}</dd>
          </>
        ) : null}
      </dl>
      <div className="flex justify-end">
        <button type="button" onClick={onDone} className="rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800">
          Make another transfer
        </button>
      </div>
    </section>
  );
}
