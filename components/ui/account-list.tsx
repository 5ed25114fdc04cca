import Link from "next/link";
import { formatMoney } from "@/lib/format";

/** What the account list needs of an account (a DTO from lib/data; never the full number). */
export interface AccountListItem {
  id: string;
  name: string;
  kind: string;
  currency: string;
  balanceMinor: bigint | string;
  maskedNumber: string;
}

const kindLabels: Record<string, string> = {
  checking: "Checking",
  savings: "Savings",
  credit_card: "Credit card",
  brokerage: "Brokerage",
};

/**
 * Balances per account, as cards. `renderNumber` replaces the masked number line (the dashboard
 * passes a "Show full number" control); without it the masked number shows. With `hrefFor`, each
 * account's name links to its page.
 */
export function AccountList({
  accounts,
  renderNumber,
  hrefFor,
}: {
  accounts: readonly AccountListItem[];
  renderNumber?: (account: AccountListItem) => React.ReactNode;
  hrefFor?: (account: AccountListItem) => string;
}) {
  return (
    <section aria-labelledby="accounts-heading">
      <h2 id="accounts-heading" className="sr-only">
        Accounts
      </h2>
      {accounts.length === 0 ? (
        <p className="rounded-xl border border-dashed border-black/10 bg-white p-6 text-muted">You have no accounts yet.</p>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          {accounts.map((account) => (
            <li key={account.id} className="rounded-xl border border-black/5 bg-white p-5 shadow-sm">
              <p className="text-sm text-muted">{kindLabels[account.kind] ?? account.kind}</p>
              <p className="mt-0.5 font-medium">
                {hrefFor ? (
                  <Link href={hrefFor(account)} className="text-brand-700 underline-offset-4 hover:underline">
                    {account.name}
                  </Link>
                ) : (
                  account.name
                )}
              </p>
              <p className="mt-4 text-2xl font-semibold tabular-nums tracking-tight">{formatMoney(account.balanceMinor, account.currency)}</p>
              {renderNumber ? (
                renderNumber(account)
              ) : (
                <p className="mt-1 text-xs text-muted">
                  <span className="sr-only">Account number ending </span>
                  {account.maskedNumber}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
