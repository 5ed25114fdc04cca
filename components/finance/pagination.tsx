import Link from "next/link";

/**
 * Previous / next links for a paged list whose state lives in the URL. `hrefFor(page)` keeps the
 * other parameters. A link that would lead nowhere is shown as plain text, not a dead link.
 */
export function Pagination({ page, pageCount, hrefFor, label }: { page: number; pageCount: number; hrefFor: (page: number) => string; label: string }) {
  if (pageCount <= 1 && page <= 1) return null;
  const link = "rounded-md px-3 py-2 text-sm font-medium text-brand-700 hover:bg-brand-50";
  const inert = "px-3 py-2 text-sm text-muted";
  return (
    <nav aria-label={label} className="flex items-center justify-between gap-4">
      {page > 1 ? (
        <Link href={hrefFor(Math.min(page - 1, pageCount))} className={link} rel="prev">
          <span aria-hidden="true">← </span>Previous page
        </Link>
      ) : (
        <span className={inert}>
          <span aria-hidden="true">← </span>Previous page
        </span>
      )}
      <p className="text-sm text-muted">
        Page {page} of {pageCount}
      </p>
      {page < pageCount ? (
        <Link href={hrefFor(page + 1)} className={link} rel="next">
          Next page<span aria-hidden="true"> →</span>
        </Link>
      ) : (
        <span className={inert}>
          Next page<span aria-hidden="true"> →</span>
        </span>
      )}
    </nav>
  );
}
