import type { FeedItem } from "@/lib/activity-feed";
import { formatDateTime } from "@/lib/format";

const TONES: Record<FeedItem["tone"], { border: string; label: string; dot: string }> = {
  success: { border: "border-l-brand-600", label: "Completed", dot: "bg-brand-600" },
  warning: { border: "border-l-amber-500", label: "Needs attention", dot: "bg-amber-500" },
  neutral: { border: "border-l-black/20", label: "Information", dot: "bg-black/30" },
};

/**
 * One item of "Security activity" as a card: what happened in a sentence, when, a few details,
 * and the technical detail (correlation ids, auth contexts, policy results, raw event names)
 * behind a disclosure for support and developers. A card, not a table row: it wraps at any width,
 * and long ids break rather than push the page sideways.
 */
export function ActivityFeedItem({ item }: { item: FeedItem }) {
  const tone = TONES[item.tone];
  const headingId = `activity-${item.id}`;
  return (
    <li>
      <article aria-labelledby={headingId} className={`rounded-lg border border-l-4 border-black/5 ${tone.border} bg-white p-4 shadow-sm`}>
        <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
          <h3 id={headingId} className="min-w-0 font-medium break-words">
            <span className={`mr-2 inline-block size-2 rounded-full align-middle ${tone.dot}`} aria-hidden="true" />
            <span className="sr-only">{tone.label}: </span>
            {item.title}
          </h3>
          <time dateTime={item.at.toISOString()} className="shrink-0 text-sm text-muted">
            {formatDateTime(item.at)}
          </time>
        </div>
        {item.lines.length > 0 ? (
          <ul className="mt-1 space-y-0.5 text-sm text-muted">
            {item.lines.map((line, index) => (
              <li key={`${index}-${line}`} className="break-words">
                {line}
              </li>
            ))}
          </ul>
        ) : null}
        {item.technical.length > 0 ? (
          <details className="mt-2 text-sm">
            <summary className="cursor-pointer rounded text-brand-700 hover:underline">Technical details</summary>
            <dl className="mt-2 space-y-1 rounded-md bg-black/[0.03] p-3 font-mono text-xs">
              {item.technical.map((detail, index) => (
                <div key={`${detail.label}-${index}`} className="sm:flex sm:gap-2">
                  <dt className="shrink-0 font-semibold">{detail.label}</dt>
                  <dd className="min-w-0 wrap-anywhere">{detail.value}</dd>
                </div>
              ))}
            </dl>
          </details>
        ) : null}
      </article>
    </li>
  );
}
