import type { Metadata } from "next";
import { policyResultLabel } from "@/components/security/activity-labels";
import { SiteHeader } from "@/components/ui/site-header";
import { requireAdminSession } from "@/lib/auth/roles";
import { listExecutionsByProof, listStepUpDecisionsSince } from "@/lib/data/activity";
import { env } from "@/lib/env";
import { formatDateTime } from "@/lib/format";
import { getGraphClient, GraphUnavailableError, odataString } from "@/lib/identity/graph";
import { contextEnforcement, hourlyFailureCounts, reportOnlyFailures, stepUpRates, summarizeHourly, unenforcedIssuances, type ContextEnforcement } from "@/lib/identity/policy-health";
import { authContexts, describePolicy, isStepUpOperation, type AuthContextId } from "@/lib/step-up/policy";

export const metadata: Metadata = { title: "Policy health" };

/** Rates cover the last week; the sign-in log views the last day (Graph keeps 30 days on P1/P2). */
const RATES_DAYS = 7;

const STATUS_LABELS: Record<ContextEnforcement["status"], string> = {
  enforced: "Enforced",
  report_only: "Report-only: not enforced",
  unenforced: "Not enforced",
  unpublished: "Not published",
};

const percent = (part: number, whole: number) => (whole === 0 ? "—" : `${Math.round((part / whole) * 100)}%`);

/**
 * Admin only (`Portal.Admin`; anyone else gets the 404 of an unknown page): is the portal's step-up
 * backed by the identity provider? The operations and the contexts they ask for (from the policy
 * table itself), whether each context has an enforcing Conditional Access policy, step-up success
 * and abandonment from the portal's audit, and misfires from the identity provider's sign-in logs:
 * operations that ran on a context no policy enforced, report-only policies that would have
 * refused, and hourly spikes of MFA-required and blocked sign-ins. Watching this page while turning
 * a policy on (report-only first) is how a policy change is checked before and after.
 */
export default async function PolicyHealthPage() {
  const session = await requireAdminSession();
  const now = new Date();
  const table = describePolicy(env.STEP_UP_POLICY_SET);
  const contextIds = Object.keys(authContexts) as AuthContextId[];
  const decisions = await listStepUpDecisionsSince(new Date(now.getTime() - RATES_DAYS * 86_400_000), table.map((row) => row.operation));
  const rates = stepUpRates(decisions, now);

  const graph = getGraphClient();
  const since = new Date(now.getTime() - 86_400_000).toISOString();
  let identity:
    | { status: "ok"; enforcement: ContextEnforcement[]; misfires: Awaited<ReturnType<typeof listExecutionsByProof>>; unenforcedCount: number; reportOnly: ReturnType<typeof reportOnlyFailures>; hourly: ReturnType<typeof hourlyFailureCounts> }
    | { status: "unavailable"; reason: string };
  try {
    const [contexts, policies, stepUpSignIns, allSignIns] = await Promise.all([
      graph.listAuthenticationContexts(),
      graph.listConditionalAccessPolicies(),
      graph.listSignIns(`appId eq ${odataString(env.ENTRA_SPA_CLIENT_ID)} and createdDateTime ge ${since}`, 5_000),
      graph.listSignIns(`createdDateTime ge ${since}`, 5_000),
    ]);
    const enforcement = contextEnforcement(contextIds, contexts, policies);
    const unenforced = unenforcedIssuances(stepUpSignIns, enforcement);
    const misfires = await listExecutionsByProof(unenforced.map((u) => u.uniqueTokenIdentifier).filter(Boolean));
    identity = { status: "ok", enforcement, misfires: misfires.filter((m) => isStepUpOperation(m.operation)), unenforcedCount: unenforced.length, reportOnly: reportOnlyFailures(allSignIns), hourly: hourlyFailureCounts(allSignIns, now) };
  } catch (error) {
    if (!(error instanceof GraphUnavailableError)) throw error;
    identity = { status: "unavailable", reason: error.message };
  }
  const enforcementOf = (id: string) => (identity.status === "ok" ? identity.enforcement.find((c) => c.id === id) : undefined);
  const hourly = summarizeHourly(identity.status === "ok" ? identity.hourly : []);
  const cell = "py-2 pr-4";
  const head = "py-2 pr-4 font-medium";

  return (
    <>
      <SiteHeader session={session} current="/admin/policy-health" />
      <main id="main" className="mx-auto max-w-6xl space-y-8 px-4 py-8 sm:px-6">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Policy health</h1>
          <p className="mt-1 text-muted">
            Policy set <strong>{env.STEP_UP_POLICY_SET}</strong>. Whether each step-up is enforced by Conditional Access, how people fare with it, and what the sign-in logs say. Before turning
            a policy on, run it report-only and watch the report-only failures here.
          </p>
        </div>
        {identity.status === "unavailable" ? (
          <p role="note" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
            The identity provider&apos;s policies and sign-in logs could not be read through Microsoft Graph ({identity.reason}). The portal&apos;s own figures below are complete.
          </p>
        ) : null}

        <section aria-labelledby="operations-heading" className="rounded-xl border border-black/5 bg-white p-4 shadow-sm sm:p-6">
          <h2 id="operations-heading" className="text-lg font-semibold">Operations and their contexts</h2>
          <div className="mt-4 overflow-x-auto">
            <table className="card-table w-full text-left text-sm">
              <caption className="sr-only">Each operation, when it asks for step-up, and whether that context is enforced</caption>
              <thead className="text-muted">
                <tr>
                  <th scope="col" className={head}>Operation</th>
                  <th scope="col" className={head}>When</th>
                  <th scope="col" className={head}>Asks for</th>
                  <th scope="col" className={head}>Enforcement at the identity provider</th>
                </tr>
              </thead>
              <tbody>
                {table.flatMap((row) =>
                  row.cases.map((c, index) => {
                    const requirement = c.outcome.kind === "required" ? c.outcome.requirement : null;
                    const enforcement = requirement ? enforcementOf(requirement.authContext) : undefined;
                    return (
                      <tr key={`${row.operation}-${c.when}`} className="border-t border-black/5 align-top">
                        {index === 0 ? (
                          <th scope="rowgroup" rowSpan={row.cases.length} data-card="title" className={`${cell} font-mono text-xs`}>
                            {row.operation}
                          </th>
                        ) : null}
                        <td data-label="When" className={cell}>{c.when}</td>
                        <td data-label="Asks for" className={cell}>
                          {requirement ? `${requirement.authContext} (${authContexts[requirement.authContext].label}), ${requirement.binding}-bound` : c.outcome.kind === "none" ? "Nothing" : "Refused"}
                        </td>
                        <td data-label="Enforcement" className={cell}>
                          {!requirement ? "—" : enforcement ? `${STATUS_LABELS[enforcement.status]}${enforcement.enforcing.length ? `: ${enforcement.enforcing.map((p) => p.displayName).join(", ")}` : ""}` : "Unknown"}
                        </td>
                      </tr>
                    );
                  }),
                )}
              </tbody>
            </table>
          </div>
        </section>

        {identity.status === "ok" ? (
          <section aria-labelledby="contexts-heading" className="rounded-xl border border-black/5 bg-white p-4 shadow-sm sm:p-6">
            <h2 id="contexts-heading" className="text-lg font-semibold">Authentication contexts</h2>
            <div className="mt-4 overflow-x-auto">
              <table className="card-table w-full text-left text-sm">
                <caption className="sr-only">Conditional Access policies per authentication context</caption>
                <thead className="text-muted">
                  <tr>
                    <th scope="col" className={head}>Context</th>
                    <th scope="col" className={head}>Status</th>
                    <th scope="col" className={head}>Enforcing policies</th>
                    <th scope="col" className={head}>Report-only policies</th>
                  </tr>
                </thead>
                <tbody>
                  {identity.enforcement.map((c) => (
                    <tr key={c.id} className="border-t border-black/5 align-top">
                      <th scope="row" data-card="title" className={`${cell} font-medium`}>
                        {c.id} <span className="font-normal text-muted">{authContexts[c.id as AuthContextId].label}</span>
                      </th>
                      <td data-label="Status" className={`${cell} ${c.status === "enforced" ? "" : "font-semibold text-red-800"}`}>{STATUS_LABELS[c.status]}</td>
                      <td data-label="Enforcing" className={cell}>{c.enforcing.map((p) => p.displayName).join(", ") || "None"}</td>
                      <td data-label="Report-only" className={cell}>{c.reportOnly.map((p) => p.displayName).join(", ") || "None"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ) : null}

        <section aria-labelledby="rates-heading" className="rounded-xl border border-black/5 bg-white p-4 shadow-sm sm:p-6">
          <h2 id="rates-heading" className="text-lg font-semibold">Step-up outcomes, last {RATES_DAYS} days</h2>
          <p className="mt-1 text-sm text-muted">From the portal&apos;s audit. Abandoned: no proof within 10 minutes of the challenge (an approval&apos;s lifetime).</p>
          {rates.length === 0 ? (
            <p className="mt-4 text-sm text-muted">No step-up was asked for in this period.</p>
          ) : (
            <div className="mt-4 overflow-x-auto">
              <table className="card-table w-full text-left text-sm tabular-nums">
                <caption className="sr-only">Step-up challenges per operation and how they ended</caption>
                <thead className="text-muted">
                  <tr>
                    <th scope="col" className={head}>Operation</th>
                    <th scope="col" className={head}>Challenges</th>
                    <th scope="col" className={head}>Verified</th>
                    <th scope="col" className={head}>Refused</th>
                    <th scope="col" className={head}>Abandoned</th>
                    <th scope="col" className={head}>Still open</th>
                  </tr>
                </thead>
                <tbody>
                  {rates.map((r) => (
                    <tr key={r.operation} className="border-t border-black/5">
                      <th scope="row" data-card="title" className={`${cell} font-mono text-xs`}>{r.operation}</th>
                      <td data-label="Challenges" className={cell}>{r.required}</td>
                      <td data-label="Verified" className={cell}>{`${r.satisfied} (${percent(r.satisfied, r.required)})`}</td>
                      <td data-label="Refused" className={cell}>{`${r.rejected} (${percent(r.rejected, r.required)})`}</td>
                      <td data-label="Abandoned" className={cell}>{`${r.abandoned} (${percent(r.abandoned, r.required)})`}</td>
                      <td data-label="Still open" className={cell}>{r.open}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        {identity.status === "ok" ? (
          <section aria-labelledby="misfires-heading" className="rounded-xl border border-black/5 bg-white p-4 shadow-sm sm:p-6">
            <h2 id="misfires-heading" className="text-lg font-semibold">Misfires in the sign-in logs, last 24 hours</h2>
            <h3 className="mt-4 font-medium">Operations that ran on a context no policy enforced</h3>
            <p className="text-sm text-muted">{`${identity.unenforcedCount} step-up sign-in(s) were issued a context without an enforcing policy applying.`}</p>
            {identity.misfires.length === 0 ? (
              <p className="mt-2 text-sm">None ran an operation.</p>
            ) : (
              <ul className="mt-2 list-disc space-y-1 pl-5 text-sm">
                {identity.misfires.map((m) => (
                  <li key={`${m.uti}-${m.correlationId}`}>
                    <span className="font-mono text-xs">{m.operation}</span> at {formatDateTime(m.createdAt)} (correlation ID <span className="whitespace-nowrap">{m.correlationId}</span>)
                  </li>
                ))}
              </ul>
            )}
            <h3 className="mt-6 font-medium">Report-only failures</h3>
            {identity.reportOnly.length === 0 ? (
              <p className="mt-2 text-sm">None: turning the report-only policies on would not have changed any sign-in.</p>
            ) : (
              <ul className="mt-2 list-disc space-y-1 pl-5 text-sm">
                {identity.reportOnly.slice(0, 50).map((f) => (
                  <li key={`${f.policyId}-${f.correlationId}-${f.createdDateTime}`}>
                    <span className="font-medium">{f.policyName}</span>: {policyResultLabel(f.result)}, {formatDateTime(f.createdDateTime)} (correlation ID <span className="whitespace-nowrap">{f.correlationId}</span>)
                  </li>
                ))}
              </ul>
            )}
            <h3 className="mt-6 font-medium">MFA-required and blocked sign-ins, last 24 hours</h3>
            <p className="text-sm text-muted">MFA required: AADSTS50076 and 50079. Blocked: 53003. A spike is at least 3 in an hour and more than three times the day&apos;s hourly average.</p>
            {hourly.busyHours.length === 0 ? (
              <p className="mt-2 text-sm">No MFA-required or blocked sign-ins in the last 24 hours.</p>
            ) : (
              <>
                <p className="mt-2 text-sm">
                  {hourly.mfaRequired} MFA required and {hourly.blocked} blocked, in {hourly.busyHours.length} of the last 24 hours.
                </p>
                {/* The day at a glance, one bar per hour (SVG attributes: the CSP allows no inline styles); the table below says the same in words. */}
                <svg aria-hidden="true" viewBox={`0 0 ${identity.hourly.length} 100`} preserveAspectRatio="none" className="mt-2 h-12 w-full rounded-md bg-black/[0.03]">
                  {identity.hourly.map((h, index) => {
                    const count = Math.max(h.mfaRequired, h.blocked);
                    const height = count === 0 ? 0 : Math.max(8, Math.round((count / hourly.peak) * 96));
                    return <rect key={h.hourStart} x={index + 0.15} width={0.7} y={100 - height} height={height} className={h.mfaRequiredSpike || h.blockedSpike ? "fill-red-700" : "fill-brand-600"} />;
                  })}
                </svg>
                <div className="mt-2 overflow-x-auto">
                  <table className="card-table w-full text-left text-sm tabular-nums">
                    <caption className="sr-only">Sign-ins that needed MFA or were blocked, per hour (UTC); hours without any are left out</caption>
                    <thead className="text-muted">
                      <tr>
                        <th scope="col" className={head}>Hour (UTC)</th>
                        <th scope="col" className={head}>MFA required</th>
                        <th scope="col" className={head}>Blocked</th>
                      </tr>
                    </thead>
                    <tbody>
                      {hourly.busyHours.map((h) => (
                        <tr key={h.hourStart} className="border-t border-black/5">
                          <th scope="row" data-card="title" className={`${cell} font-normal`}>{formatDateTime(h.hourStart)}</th>
                          <td data-label="MFA required" className={`${cell} ${h.mfaRequiredSpike ? "font-semibold text-red-800" : ""}`}>
                            {h.mfaRequired}
                            {h.mfaRequiredSpike ? " (spike)" : ""}
                          </td>
                          <td data-label="Blocked" className={`${cell} ${h.blockedSpike ? "font-semibold text-red-800" : ""}`}>
                            {h.blocked}
                            {h.blockedSpike ? " (spike)" : ""}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </section>
        ) : null}
      </main>
    </>
  );
}
