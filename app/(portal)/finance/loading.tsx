/** Shown while a finance page loads on the server (also when its filters change). */
export default function FinanceLoading() {
  return (
    <main id="main" className="mx-auto max-w-6xl space-y-6 px-4 py-8 sm:px-6" aria-busy="true">
      <p role="status" className="text-muted">
        Loading your accounts…
      </p>
      <div className="h-8 w-48 animate-pulse rounded bg-black/5" />
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {[0, 1, 2, 3].map((index) => (
          <div key={index} className="h-32 animate-pulse rounded-xl bg-black/5" />
        ))}
      </div>
      <div className="h-72 animate-pulse rounded-xl bg-black/5" />
    </main>
  );
}
