"use client";

import Link from "next/link";

/**
 * An unexpected error on a page (a database outage, a bug): never its message (it may carry
 * internals), but the digest that links to the server log, a retry, and a way back.
 */
export function PageError({ error, reset, title }: { error: Error & { digest?: string }; reset: () => void; title: string }) {
  return (
    <main id="main" className="mx-auto max-w-xl px-6 py-16">
      <div role="alert" className="rounded-xl border border-amber-300 bg-amber-50 p-6">
        <h1 className="text-xl font-semibold">{title}</h1>
        <p className="mt-2 text-sm">Something went wrong on our side. Nothing was changed.</p>
        {error.digest ? <p className="mt-2 text-xs text-muted">Reference: {error.digest}</p> : null}
        <div className="mt-4 flex flex-wrap gap-3">
          <button type="button" onClick={reset} className="rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800">
            Try again
          </button>
          <Link href="/dashboard" className="rounded-md px-4 py-2 text-sm font-medium text-brand-700 hover:bg-brand-50">
            Back to the overview
          </Link>
        </div>
      </div>
    </main>
  );
}
