import type { Metadata } from "next";
import { Pagination } from "@/components/finance/pagination";
import { detailLabel, operationLabel, outcomeLabel, policyResultLabel } from "@/components/security/activity-labels";
import { SiteHeader } from "@/components/ui/site-header";
import { requireSession } from "@/lib/auth/session";
import { listActivity } from "@/lib/data/activity";
import { formatDateTime } from "@/lib/format";
import { lookupSignIns } from "@/lib/identity/sign-in-join";

export const metadata: Metadata = { title: "Security activity" };

/**
 * The person's own audit trail, newest first, each event joined to the identity provider's
 * sign-in log entry (by correlation id or token id, lib/identity/sign-in-join.ts) to show which
 * Conditional Access policies applied and how. If Graph cannot be read the trail still shows,
 * with a note: this page never fails because the identity provider's logs are out of reach.
 */
export default async function SecurityActivityPage({ searchParams }: PageProps<"/security">) {
  const session = await requireSession();
  const pageParam = (await searchParams).page;
  const page = typeof pageParam === "string" && /^\d{1,6}$/.test(pageParam) ? Number(pageParam) : 1;
  const activity = await listActivity(session.user, page);
  const signIns = await lookupSignIns(session.user.objectId, activity.events);

  return (
    <>
      <SiteHeader session={session} current="/security" />
      <main id="main" className="mx-auto max-w-6xl space-y-6 px-4 py-8 sm:px-6">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Security activity</h1>
          <p className="mt-1 text-muted">Verifications, transfers and settings changes on your account, with what your organization&apos;s sign-in policies decided.</p>
        </div>
        {signIns.status === "unavailable" ? (
          <p role="note" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
            Sign-in details from the identity provider can&apos;t be shown right now. Your activity below is complete; try again later for the policy details.
          </p>
        ) : null}
        <section aria-labelledby="activity-heading" className="rounded-xl border border-black/5 bg-white p-4 shadow-sm sm:p-6">
          <h2 id="activity-heading" className="sr-only">
            Your activity
          </h2>
          {activity.events.length === 0 ? (
            <p className="text-sm text-muted">{activity.total === 0 ? "Nothing yet. Verifications, transfers and settings changes will be listed here." : "There is nothing on this page."}</p>
          ) : (
            <div className="overflow-x-auto">
              <table className="card-table w-full text-left text-sm">
                <caption className="sr-only">Your security activity, newest first</caption>
                <thead className="text-muted">
                  <tr>
                    <th scope="col" className="py-2 pr-4 font-medium">When</th>
                    <th scope="col" className="py-2 pr-4 font-medium">Activity</th>
                    <th scope="col" className="py-2 pr-4 font-medium">Outcome</th>
                    <th scope="col" className="py-2 font-medium">Sign-in policies</th>
                  </tr>
                </thead>
                <tbody>
                  {activity.events.map((event) => {
                    const signIn = signIns.status === "ok" ? signIns.find(event) : null;
                    const detail = detailLabel(event.operation, event.details);
                    const policies = (signIn?.appliedConditionalAccessPolicies ?? []).filter((p) => p.result !== "notApplied" && p.result !== "reportOnlyNotApplied");
                    return (
                      <tr key={event.id} className="border-t border-black/5 align-top">
                        <td className="py-2 pr-4 whitespace-nowrap">{formatDateTime(event.createdAt)}</td>
                        <th scope="row" data-card="title" className="py-2 pr-4 font-medium">
                          {operationLabel(event.operation)}
                          {detail ? <span className="block font-normal text-muted">{detail}</span> : null}
                        </th>
                        <td data-label="Outcome" className="py-2 pr-4">{outcomeLabel(event.outcome)}</td>
                        <td className="py-2">
                          {signIn ? (
                            policies.length > 0 ? (
                              <ul className="space-y-1">
                                {policies.map((p) => (
                                  <li key={p.id}>
                                    <span className="font-medium">{p.displayName ?? p.id}</span>: {policyResultLabel(p.result)}
                                  </li>
                                ))}
                              </ul>
                            ) : (
                              <span className="text-muted">Signed in; no policy applied</span>
                            )
                          ) : (
                            <span className="text-muted">—</span>
                          )}
                          <span className="mt-1 block text-xs text-muted">Correlation ID <span className="whitespace-nowrap">{event.correlationId}</span></span>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <Pagination page={activity.page} pageCount={activity.pageCount} hrefFor={(p) => `/security?page=${p}`} label="Activity pages" />
      </main>
    </>
  );
}
