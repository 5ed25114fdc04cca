import type { Metadata } from "next";
import { Pagination } from "@/components/finance/pagination";
import { ActivityFeedItem } from "@/components/security/activity-feed-item";
import { SiteHeader } from "@/components/ui/site-header";
import { requireSession } from "@/lib/auth/session";
import { listActivitySince } from "@/lib/data/activity";
import { readIdentityActivity } from "@/lib/identity/activity-reads";
import { buildActivityFeed } from "@/lib/activity-feed";

export const metadata: Metadata = { title: "Security activity" };

/** How far back the feed reads, in days. */
const FEED_DAYS = 30;
/** Items per page. */
const PAGE_SIZE = 20;

/**
 * The person's security activity for the last 30 days, newest first: the portal's audit rows and
 * the identity provider's sign-ins and security-info registrations (read through Graph), grouped
 * into what happened (lib/activity-feed.ts). When Graph cannot be read the portal's side
 * still shows, with a note saying what is missing: this page never fails, nor silently shows half.
 */
export default async function SecurityActivityPage({ searchParams }: PageProps<"/security">) {
  const session = await requireSession();
  const pageParam = (await searchParams).page;
  const requested = typeof pageParam === "string" && /^\d{1,6}$/.test(pageParam) ? Math.max(1, Number(pageParam)) : 1;
  const now = new Date();
  const since = new Date(now.getTime() - FEED_DAYS * 86_400_000);
  const [activity, identity] = await Promise.all([listActivitySince(session.user, since), readIdentityActivity(session.user.objectId, since)]);
  const feed = buildActivityFeed({
    events: activity.events,
    signIns: identity.signIns.status === "ok" ? identity.signIns.entries : null,
    registrations: identity.registrations.status === "ok" ? identity.registrations.entries : null,
  });
  const pageCount = Math.max(1, Math.ceil(feed.length / PAGE_SIZE));
  const page = Math.min(requested, pageCount);
  const items = feed.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const missing = [identity.signIns.status === "unavailable" ? "sign-ins" : null, identity.registrations.status === "unavailable" ? "added sign-in methods" : null].filter(Boolean);

  return (
    <>
      <SiteHeader session={session} current="/security" />
      <main id="main" className="mx-auto max-w-3xl space-y-6 px-4 py-8 sm:px-6">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Security activity</h1>
          <p className="mt-1 text-muted">Sign-ins, verifications, transfers and settings changes on your account in the last {FEED_DAYS} days, newest first.</p>
        </div>
        {missing.length > 0 ? (
          <p role="note" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
            We couldn&apos;t load {missing.join(" or ")} from the identity provider, so they are not in the list below, and verifications don&apos;t say which method you used. Your
            transfers and settings changes are all listed. Try again in a few minutes.
          </p>
        ) : null}
        {activity.truncated ? (
          <p role="note" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
            There is more activity in this period than this page can show; the oldest is left out.
          </p>
        ) : null}
        <section aria-labelledby="activity-heading">
          <h2 id="activity-heading" className="sr-only">
            Your activity
          </h2>
          {feed.length === 0 ? (
            <p className="rounded-xl border border-black/5 bg-white p-4 text-sm text-muted shadow-sm">Nothing yet. Sign-ins, verifications, transfers and settings changes will be listed here.</p>
          ) : (
            <ol aria-label="Your security activity, newest first" className="space-y-3">
              {items.map((item) => (
                <ActivityFeedItem key={item.id} item={item} />
              ))}
            </ol>
          )}
        </section>
        <Pagination page={page} pageCount={pageCount} hrefFor={(p) => `/security?page=${p}`} label="Activity pages" />
      </main>
    </>
  );
}
