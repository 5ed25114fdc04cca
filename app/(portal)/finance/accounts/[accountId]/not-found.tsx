import Link from "next/link";

/**
 * An account that does not exist and one that belongs to someone else end here alike: the answer
 * must not tell them apart.
 */
export default function AccountNotFound() {
  return (
    <main id="main" className="mx-auto max-w-xl px-6 py-16">
      <h1 className="text-2xl font-semibold tracking-tight">Account not found</h1>
      <p className="mt-2 text-muted">We couldn&apos;t find that account among yours.</p>
      <Link href="/finance" className="mt-6 inline-block rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800">
        Back to your accounts
      </Link>
    </main>
  );
}
