import type { GraphAuthenticationContext, GraphPolicy, GraphSignIn } from "@/lib/identity/graph-types";

/**
 * What the identity provider's own records say about the portal's step-up, as pure functions of
 * Graph data (lib/identity/graph-types.ts): shared by the admin "Policy health" page and
 * `npm run doctor` (scripts/doctor/checks.ts), so the two can never judge differently.
 *
 * The question behind every function: Entra issues an authentication context in `acrs` to anyone
 * who asks, whether or not a Conditional Access policy enforces anything for it (https://learn.microsoft.com/entra/identity-platform/developer-guide-conditional-access-authentication-context),
 * so the token alone cannot prove that a step-up verified anything; the policies and the sign-in
 * logs can. The sign-ins given are both kinds, interactive and non-interactive, read as Graph
 * serves them (lib/identity/sign-in-reads.ts): a context issued on a refresh token is issued all
 * the same, so a reader of v1.0 alone would miss it.
 */

/** How one authentication context is covered by Conditional Access. */
export interface ContextEnforcement {
  id: string;
  /** Published to apps ("isAvailable"). An unpublished context cannot be requested at all. */
  published: boolean;
  /** Enabled policies with a grant control that target the context. */
  enforcing: { id: string; displayName: string }[];
  /** Report-only policies that target it: evaluated and logged, never enforced. */
  reportOnly: { id: string; displayName: string }[];
  /** `enforced` when at least one enforcing policy exists; otherwise why not. */
  status: "enforced" | "report_only" | "unenforced" | "unpublished";
}

function targets(policy: GraphPolicy, contextId: string): boolean {
  return policy.conditions?.applications?.includeAuthenticationContextClassReferences?.includes(contextId) ?? false;
}

function hasGrantControl(policy: GraphPolicy): boolean {
  return Boolean(policy.grantControls && ((policy.grantControls.builtInControls?.length ?? 0) > 0 || policy.grantControls.authenticationStrength));
}

/** For each context id, the policies that enforce it (see `ContextEnforcement`). */
export function contextEnforcement(contextIds: readonly string[], contexts: readonly GraphAuthenticationContext[], policies: readonly GraphPolicy[]): ContextEnforcement[] {
  return contextIds.map((id) => {
    const context = contexts.find((c) => c.id === id);
    const named = (p: GraphPolicy) => ({ id: p.id, displayName: p.displayName });
    const enforcing = policies.filter((p) => p.state === "enabled" && targets(p, id) && hasGrantControl(p)).map(named);
    const reportOnly = policies.filter((p) => p.state === "enabledForReportingButNotEnforced" && targets(p, id)).map(named);
    const published = Boolean(context) && context?.isAvailable !== false;
    const status = !published ? "unpublished" : enforcing.length > 0 ? "enforced" : reportOnly.length > 0 ? "report_only" : "unenforced";
    return { id, published, enforcing, reportOnly, status };
  });
}

/** A sign-in that issued a context while no enforcing policy for it applied. */
export interface UnenforcedIssuance {
  context: string;
  correlationId: string;
  createdDateTime: string;
  /** The token's uti: joins the portal's audit ("executed" with this uti ran on a context that proved nothing). */
  uniqueTokenIdentifier: string;
}

/**
 * Sign-ins that carried one of the contexts in `enforcement` without any of that context's
 * enforcing policies applying (`success` or `failure`): the context was issued on nobody's word.
 * Failed sign-ins issue nothing and are skipped.
 */
export function unenforcedIssuances(signIns: readonly GraphSignIn[], enforcement: readonly ContextEnforcement[]): UnenforcedIssuance[] {
  const enforcingIds = new Map(enforcement.map((c) => [c.id, new Set(c.enforcing.map((p) => p.id))]));
  return signIns
    .filter((entry) => (entry.status?.errorCode ?? 0) === 0)
    .flatMap((entry) =>
      (entry.authenticationContextClassReferences ?? [])
        .filter((ref) => enforcingIds.has(ref.id))
        .filter((ref) => !(entry.appliedConditionalAccessPolicies ?? []).some((p) => enforcingIds.get(ref.id)!.has(p.id) && (p.result === "success" || p.result === "failure")))
        .map((ref) => ({ context: ref.id, correlationId: entry.correlationId, createdDateTime: entry.createdDateTime, uniqueTokenIdentifier: entry.uniqueTokenIdentifier ?? "" })),
    );
}

/** A report-only policy that would have refused (or interrupted) a sign-in: what turning it on would change. */
export interface ReportOnlyFailure {
  policyId: string;
  policyName: string;
  result: "reportOnlyFailure" | "reportOnlyInterrupted";
  correlationId: string;
  createdDateTime: string;
}

/** Every report-only failure in `signIns`, newest first as given. */
export function reportOnlyFailures(signIns: readonly GraphSignIn[]): ReportOnlyFailure[] {
  return signIns.flatMap((entry) =>
    (entry.appliedConditionalAccessPolicies ?? [])
      .filter((p): p is typeof p & { result: ReportOnlyFailure["result"] } => p.result === "reportOnlyFailure" || p.result === "reportOnlyInterrupted")
      .map((p) => ({ policyId: p.id, policyName: p.displayName ?? p.id, result: p.result, correlationId: entry.correlationId, createdDateTime: entry.createdDateTime })),
  );
}

/** AADSTS codes counted per hour: MFA required (50076) or registration required (50079), and blocked by Conditional Access (53003). */
const MFA_REQUIRED_CODES: ReadonlySet<number> = new Set([50076, 50079]);
const BLOCKED_CODE = 53003;

/** One hour of the last day. */
export interface HourlyCount {
  /** ISO instant the hour starts at (UTC, on the hour). */
  hourStart: string;
  mfaRequired: number;
  blocked: number;
  /** This hour's count is a spike (see `hourlyFailureCounts`). */
  mfaRequiredSpike: boolean;
  blockedSpike: boolean;
}

/**
 * Counts MFA-required and blocked sign-ins per hour for the `hours` hours ending with the current
 * one, oldest first. An hour is a spike when it has at least `minimum` such sign-ins and more than
 * `factor` times the average of the other hours: a deliberately simple rule an operator can
 * reason about (a policy change that starts prompting or blocking everyone shows as one).
 */
export function hourlyFailureCounts(signIns: readonly GraphSignIn[], now: Date, options: { hours?: number; factor?: number; minimum?: number } = {}): HourlyCount[] {
  const hours = options.hours ?? 24;
  const factor = options.factor ?? 3;
  const minimum = options.minimum ?? 3;
  const hourMs = 3_600_000;
  const currentHour = Math.floor(now.getTime() / hourMs) * hourMs;
  const first = currentHour - (hours - 1) * hourMs;
  const buckets = Array.from({ length: hours }, (_, i) => ({ start: first + i * hourMs, mfaRequired: 0, blocked: 0 }));
  for (const entry of signIns) {
    const at = Date.parse(entry.createdDateTime);
    if (!Number.isFinite(at) || at < first || at >= currentHour + hourMs) continue;
    const bucket = buckets[Math.floor((at - first) / hourMs)]!;
    const code = entry.status?.errorCode ?? 0;
    if (MFA_REQUIRED_CODES.has(code)) bucket.mfaRequired += 1;
    if (code === BLOCKED_CODE) bucket.blocked += 1;
  }
  const spike = (key: "mfaRequired" | "blocked", index: number) => {
    const count = buckets[index]![key];
    const others = buckets.reduce((sum, b, i) => (i === index ? sum : sum + b[key]), 0);
    const average = hours > 1 ? others / (hours - 1) : 0;
    return count >= minimum && count > factor * average;
  };
  return buckets.map((bucket, index) => ({
    hourStart: new Date(bucket.start).toISOString(),
    mfaRequired: bucket.mfaRequired,
    blocked: bucket.blocked,
    mfaRequiredSpike: spike("mfaRequired", index),
    blockedSpike: spike("blocked", index),
  }));
}

/** The day at a glance: totals, and only the hours that had any MFA-required or blocked sign-in. */
export interface HourlySummary {
  mfaRequired: number;
  blocked: number;
  /** Oldest first; empty when the whole day was quiet. */
  busyHours: HourlyCount[];
  /** The largest single-hour count (MFA required or blocked), for scaling a chart; 0 when quiet. */
  peak: number;
}

/**
 * Summarises `hourlyFailureCounts`: a quiet day is one line, not 24 rows of zeros, and a busy one
 * lists just the hours that had events.
 */
export function summarizeHourly(hours: readonly HourlyCount[]): HourlySummary {
  const busyHours = hours.filter((h) => h.mfaRequired > 0 || h.blocked > 0);
  return {
    mfaRequired: hours.reduce((sum, h) => sum + h.mfaRequired, 0),
    blocked: hours.reduce((sum, h) => sum + h.blocked, 0),
    busyHours,
    peak: busyHours.reduce((max, h) => Math.max(max, h.mfaRequired, h.blocked), 0),
  };
}

/** The portal's own audit, as much as step-up rates need. */
export interface StepUpAuditEvent {
  userId: string | null;
  operation: string;
  outcome: string;
  createdAt: Date;
  /** Parsed `details`: `pendingOperationId` joins a transaction-bound challenge to its approval; `via` tells a proof from the session's own strength. */
  details: Record<string, unknown>;
}

/** Step-up outcomes of one operation. */
export interface StepUpRate {
  operation: string;
  /** Challenges ("required"). */
  required: number;
  /** Challenges answered with an accepted proof within the window. */
  satisfied: number;
  /** Challenges whose proof was refused (and never accepted) within the window. */
  rejected: number;
  /** Challenges with no proof at all within the window: the person gave up (closed the popup, left). */
  abandoned: number;
  /** Challenges younger than the window, still open. */
  open: number;
}

/**
 * Success and abandonment of step-up challenges, per operation, from the portal's audit. A
 * transaction-bound challenge is matched to its approval by the pending operation id; a
 * session-bound one (no pending operation) to the same user's next proof for that operation.
 * A challenge is abandoned when nothing answered it within `windowMinutes` (by default the
 * pending operation's 10-minute lifetime, after which it could not be approved anyway).
 */
export function stepUpRates(events: readonly StepUpAuditEvent[], now: Date, windowMinutes = 10): StepUpRate[] {
  const windowMs = windowMinutes * 60_000;
  const byOperation = new Map<string, StepUpRate>();
  const sorted = [...events].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const proofAccepted = (e: StepUpAuditEvent) => (e.outcome === "executed" && typeof e.details.uti === "string") || (e.outcome === "satisfied" && e.details.via === "proof");
  for (const challenge of sorted) {
    if (challenge.outcome !== "required") continue;
    const rate = byOperation.get(challenge.operation) ?? { operation: challenge.operation, required: 0, satisfied: 0, rejected: 0, abandoned: 0, open: 0 };
    byOperation.set(challenge.operation, rate);
    rate.required += 1;
    const start = challenge.createdAt.getTime();
    const pendingId = challenge.details.pendingOperationId;
    const answers = sorted.filter((e) => {
      const at = e.createdAt.getTime();
      if (at < start || at > start + windowMs || e === challenge || e.operation !== challenge.operation || e.userId !== challenge.userId) return false;
      return typeof pendingId === "string" ? e.details.pendingOperationId === pendingId : e.details.pendingOperationId === undefined;
    });
    if (answers.some(proofAccepted)) rate.satisfied += 1;
    else if (answers.some((e) => e.outcome.startsWith("rejected:") && e.outcome !== "rejected:payload_changed")) rate.rejected += 1;
    else if (now.getTime() - start < windowMs) rate.open += 1;
    else rate.abandoned += 1;
  }
  return [...byOperation.values()].sort((a, b) => a.operation.localeCompare(b.operation));
}
