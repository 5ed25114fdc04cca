import type { ActivityEvent } from "@/lib/data/activity";
import type { AuditDetailValue } from "@/lib/data/audit";
import { formatMoney } from "@/lib/format";
import type { GraphAuthenticationDetail, GraphDirectoryAudit, GraphSignIn } from "@/lib/identity/graph-types";

/**
 * The "Security activity" feed: the portal's audit rows, the identity provider's sign-ins and its
 * directory audit entries, grouped the way a person thinks of them ("You verified with your
 * authenticator app and sent $1,500.00 to Landlord") and ordered newest first. Pure: no requests,
 * no clock; the page reads, this module groups, and test/activity-feed.test.ts pins the
 * rules down.
 *
 * Grouping (union-find over audit rows):
 * - rows with the same correlation id are one thing (a challenge and its retry share none, but an
 *   execution and the change it made do);
 * - rows naming the same pending operation (`details.pendingOperationId`) are one approval: the
 *   "required" row, then the "executed" one that spent the proof;
 * - a session-bound verification (`satisfied` with `elevatedUntil`) takes in the same operation's
 *   rows until the elevation ends, and the "required" row just before it that asked for it.
 * Sign-ins join a group by the challenge's correlation id (MSAL's `client-request-id`) or by the
 * proof's token id (`uti` = `uniqueTokenIdentifier`); the rest stand alone when they tell the
 * person something (a sign-in, a failure, a lockout), and silent token refreshes are left out.
 */

/**
 * One audit row (lib/data/activity.ts). Audit rows the feed reads besides the step-up core's (`required`, `satisfied`, `executed`,
 * `rejected:*`, `failed`): `transfer`/`sent` (lib/data/transfers.ts: amount, currency, recipient),
 * `settings.payee`, `settings.limits`, `settings.notifications`, `settings.sessions`, and
 * `finance.viewStatements`/`downloaded`. Anything else is shown as stored, never dropped.
 */
export type FeedAuditEvent = ActivityEvent;

/** How the item reads at a glance. */
export type FeedTone = "success" | "warning" | "neutral";

/** What kind of thing happened, for the page's icon and for tests. */
export type FeedItemKind = "verified" | "change" | "verificationCancelled" | "verificationFailed" | "lockout" | "signIn" | "newSignIn" | "signInFailed" | "methodAdded" | "refused" | "other";

/** A line of technical detail, shown behind the item's disclosure. */
export interface FeedTechnicalDetail {
  label: string;
  value: string;
}

/** One item of the feed. */
export interface FeedItem {
  /** Stable across renders: the first source row's id. */
  id: string;
  kind: FeedItemKind;
  tone: FeedTone;
  /** When it happened (the newest row of the group). */
  at: Date;
  /** One sentence a person understands. */
  title: string;
  /** Secondary sentences, each shown on its own line. */
  lines: string[];
  /** For support and developers: correlation ids, auth contexts, policy results, raw names. */
  technical: FeedTechnicalDetail[];
}

/** The identity provider's side, each read either complete or unavailable. */
export interface FeedSources {
  events: readonly FeedAuditEvent[];
  /** Null when the sign-ins could not be read: the feed then holds the portal's rows only. */
  signIns: readonly GraphSignIn[] | null;
  /** Null when the directory audit could not be read. */
  registrations: readonly GraphDirectoryAudit[] | null;
}

/** AADSTS codes the feed words itself (https://learn.microsoft.com/entra/identity-platform/reference-error-codes). */
const AADSTS = {
  wrongPassword: 50126,
  locked: 50053,
  cancelled: 50074,
  mfaDenied: 500121,
  blockedByConditionalAccess: 53003,
  /** Interaction needed (MFA, registration, consent, sign-in): a silent request's normal answer. */
  interactionRequired: [50076, 50079, 50072, 65001, 50058, 50097, 50158, 530003] as readonly number[],
} as const;

/** Graph's `authenticationMethod` names of the second factor, in the words of the portal's settings. */
function methodPhrase(method: string | undefined): string | null {
  if (!method) return null;
  if (/oath|authenticator/i.test(method)) return "your authenticator app";
  if (/fido|passkey|windows hello/i.test(method)) return "a passkey";
  if (/sms|text|phone/i.test(method)) return "a text message code";
  if (/previously satisfied/i.test(method)) return "a recent verification";
  return null;
}

/** The second factor a sign-in used, if it shows one. */
function verifiedWith(signIn: GraphSignIn | undefined): string | null {
  const steps = signIn?.authenticationDetails ?? [];
  const mfa = steps.filter((s) => s.succeeded && s.authenticationStepRequirement !== "Primary authentication");
  return methodPhrase(mfa.at(-1)?.authenticationMethod);
}

/** Wrong codes in a sign-in's steps, and whether the method ended up locked. */
function codeFailures(steps: readonly GraphAuthenticationDetail[]): { wrong: number; locked: boolean } {
  let wrong = 0;
  let locked = false;
  for (const step of steps) {
    if (step.succeeded) continue;
    const detail = step.authenticationStepResultDetail ?? "";
    if (/invalid verification code|wrong code|invalid code/i.test(detail)) wrong += 1;
    if (/locked/i.test(detail)) locked = true;
  }
  return { wrong, locked };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const times = (n: number) => (n === 1 ? "once" : n === 2 ? "twice" : `${n} times`);
const text = (details: Record<string, AuditDetailValue>, key: string) => (typeof details[key] === "string" ? (details[key] as string) : null);

/** "Chrome 140 on Linux", from Graph's `deviceDetail`. */
export function deviceLabel(signIn: GraphSignIn): string {
  const browser = (signIn.deviceDetail?.browser ?? "").replace(/\s+[\d.]+$/, "").trim();
  const os = (signIn.deviceDetail?.operatingSystem ?? "").trim();
  if (browser && os) return `${browser} on ${os}`;
  return browser || os || "an unrecognised device";
}

const REJECTIONS: Record<string, string> = {
  missing_context: "the verification was not strong enough",
  replayed: "the same verification was used twice",
  already_used: "this approval was already used",
  payload_changed: "the request changed after it was approved",
  pending_expired: "the approval expired",
  pending_cancelled: "it was cancelled or replaced",
  pending_not_found: "the approval was not found",
  stale_auth_time: "the verification was too old",
  rate_limited: "too many attempts in a short time",
  too_many_open_approvals: "too many approvals were waiting",
  idempotency_key_reused: "the same request was sent twice with different details",
  precheck: "it could not have succeeded (for example, not enough money or past a limit)",
  input: "the request was not valid",
  unknown_operation: "the action is not available",
};

/** Why the portal refused something, in words. */
function rejectionPhrase(outcome: string): string {
  const reason = outcome.slice("rejected:".length);
  return REJECTIONS[reason] ?? reason.replaceAll("_", " ");
}

/** What a group of rows did, as a verb phrase ("sent $1,500.00 to Landlord"), or null if nothing ran. */
function actionPhrase(rows: readonly FeedAuditEvent[]): { phrase: string; lines: string[] } | null {
  const phrases: string[] = [];
  const lines: string[] = [];
  const sent = rows.filter((r) => r.operation === "transfer" && r.outcome === "sent");
  for (const row of sent) {
    const amount = text(row.details, "amountMinor");
    const currency = text(row.details, "currency");
    const to = text(row.details, "to");
    phrases.push(amount && currency ? `sent ${formatMoney(amount, currency)}${to ? ` to ${to}` : ""}` : "sent a transfer");
    const reference = text(row.details, "reference");
    if (reference) lines.push(`Reference ${reference}`);
  }
  if (sent.length === 0 && rows.some((r) => r.operation === "transfer.create" && r.outcome === "executed")) phrases.push("sent a transfer");

  const statements = rows.filter((r) => r.operation === "finance.viewStatements");
  const downloads = statements.filter((r) => r.outcome === "downloaded").length;
  const downloadCorrelations = new Set(statements.filter((r) => r.outcome === "downloaded").map((r) => r.correlationId));
  const reveals = statements.filter((r) => r.outcome === "executed" && !downloadCorrelations.has(r.correlationId)).length;
  if (reveals > 0) phrases.push(`viewed full account numbers ${times(reveals)}`);
  if (downloads > 0) phrases.push(`downloaded ${plural(downloads, "statement")}`);

  for (const row of rows.filter((r) => r.operation === "settings.payee")) {
    const name = text(row.details, "name") ?? "a payee";
    const verb = row.outcome === "added" ? "added payee" : row.outcome === "removed" ? "removed payee" : row.outcome === "edited" ? "changed payee" : null;
    if (verb) phrases.push(`${verb} ${name}`);
    const account = [text(row.details, "bankName"), text(row.details, "maskedAccountNumber")].filter(Boolean).join(", ");
    if (verb && account) lines.push(`${name}: ${account}`);
  }
  for (const row of rows.filter((r) => r.operation === "settings.limits" && r.outcome === "changed")) {
    const currency = text(row.details, "currency");
    const per = text(row.details, "perTransferMinor");
    const daily = text(row.details, "dailyMinor");
    phrases.push(currency && per && daily ? `set transfer limits to ${formatMoney(per, currency)} per transfer and ${formatMoney(daily, currency)} per day` : "changed transfer limits");
    const previousPer = text(row.details, "previousPerTransferMinor");
    const previousDaily = text(row.details, "previousDailyMinor");
    if (currency && previousPer && previousDaily) lines.push(`Before: ${formatMoney(previousPer, currency)} per transfer, ${formatMoney(previousDaily, currency)} per day`);
  }
  for (const row of rows.filter((r) => r.operation === "settings.notifications" && r.outcome === "changed")) {
    const on = ["emailOnTransfer", "emailOnNewPayee", "emailOnNewDevice"].filter((key) => row.details[key] === true).length;
    phrases.push("changed notification preferences");
    lines.push(`${on} of 3 emails on`);
  }
  for (const row of rows.filter((r) => r.operation === "settings.sessions")) {
    const ended = typeof row.details.ended === "number" ? row.details.ended : null;
    if (row.outcome === "ended_others") phrases.push(`signed out ${ended === null ? "other sessions" : plural(ended, "other session")}`);
    else if (row.outcome === "ended_all") phrases.push("signed out everywhere");
  }
  if (phrases.length === 0) return null;
  const phrase = phrases.length === 1 ? phrases[0]! : `${phrases.slice(0, -1).join(", ")} and ${phrases.at(-1)}`;
  return { phrase, lines };
}

/** The subject of an operation, for items where nothing ran ("while approving a transfer"). */
const SUBJECTS: Record<string, string> = {
  "transfer.create": "a transfer",
  "finance.viewStatements": "full account numbers and statements",
  "security.update": "a security change",
  "limits.update": "a transfer limit change",
  transfer: "a transfer",
};

/** Operations the feed knows; anything else is shown as stored. */
const KNOWN_OPERATIONS = new Set([...Object.keys(SUBJECTS), "settings.payee", "settings.limits", "settings.notifications", "settings.sessions"]);
/** Outcomes the feed knows (plus `rejected:*` and `failed:*`). */
const KNOWN_OUTCOMES = new Set(["required", "satisfied", "executed", "failed", "downloaded", "sent", "added", "edited", "removed", "changed", "ended_others", "ended_all"]);

const capitalise = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/** Conditional Access results worth showing (Graph's `appliedConditionalAccessPolicies[].result`). */
const POLICY_RESULTS: Record<string, string> = {
  success: "satisfied",
  failure: "not satisfied",
  reportOnlySuccess: "report-only: would have been satisfied",
  reportOnlyFailure: "report-only: would have failed",
  reportOnlyInterrupted: "report-only: would have asked for more",
};

/** The technical lines for a set of sign-ins. */
function signInTechnical(signIns: readonly GraphSignIn[]): FeedTechnicalDetail[] {
  const out: FeedTechnicalDetail[] = [];
  for (const signIn of signIns) {
    const code = signIn.status?.errorCode ?? 0;
    out.push({ label: "Sign-in", value: `${signIn.id} at ${signIn.createdDateTime}${code ? ` (AADSTS${code}${signIn.status?.failureReason ? `: ${signIn.status.failureReason}` : ""})` : ""}` });
    if (signIn.correlationId) out.push({ label: "Sign-in correlation ID", value: signIn.correlationId });
    const contexts = (signIn.authenticationContextClassReferences ?? []).map((c) => `${c.id}${c.detail ? ` (${c.detail})` : ""}`);
    if (contexts.length > 0) out.push({ label: "Authentication contexts", value: contexts.join(", ") });
    for (const policy of signIn.appliedConditionalAccessPolicies ?? []) {
      const result = POLICY_RESULTS[policy.result];
      if (result) out.push({ label: "Conditional Access", value: `${policy.displayName ?? policy.id}: ${result}` });
    }
    const steps = (signIn.authenticationDetails ?? []).map((s) => `${s.authenticationMethod ?? "?"} ${s.succeeded ? "succeeded" : "failed"}${s.authenticationStepResultDetail ? ` (${s.authenticationStepResultDetail})` : ""}`);
    if (steps.length > 0) out.push({ label: "Steps", value: steps.join("; ") });
  }
  return out;
}

/** The technical lines for a set of audit rows. */
function auditTechnical(rows: readonly FeedAuditEvent[]): FeedTechnicalDetail[] {
  const out: FeedTechnicalDetail[] = [];
  for (const id of new Set(rows.map((r) => r.correlationId))) out.push({ label: "Correlation ID", value: id });
  const contexts = new Set(rows.flatMap((r) => [text(r.details, "authContext"), text(r.details, "requirement")]).filter((c): c is string => c !== null));
  if (contexts.size > 0) out.push({ label: "Auth context", value: [...contexts].join(", ") });
  for (const row of [...rows].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    out.push({ label: "Event", value: `${row.createdAt.toISOString()} ${row.operation} ${row.outcome}` });
  }
  return out;
}

/** A tiny union-find over indexes. */
function unionFind(size: number) {
  const parent = Array.from({ length: size }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  return { find, union: (a: number, b: number) => void (parent[find(a)] = find(b)) };
}

/** Groups related audit rows (see the module comment); each group oldest first. */
export function groupAuditEvents(events: readonly FeedAuditEvent[]): FeedAuditEvent[][] {
  const rows = [...events].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  const sets = unionFind(rows.length);
  const firstBy = new Map<string, number>();
  const link = (key: string, i: number) => {
    const seen = firstBy.get(key);
    if (seen === undefined) firstBy.set(key, i);
    else sets.union(i, seen);
  };
  rows.forEach((row, i) => {
    link(`c:${row.correlationId}`, i);
    const pending = text(row.details, "pendingOperationId");
    if (pending) link(`p:${pending}`, i);
  });
  // Session-bound verifications: the elevation takes in the operation's rows until it ends, and
  // the challenge that asked for it (the latest "required" of the operation before it).
  rows.forEach((row, i) => {
    const until = text(row.details, "elevatedUntil");
    if (row.outcome !== "satisfied" || !until) return;
    const end = Date.parse(until);
    for (let j = i - 1; j >= 0; j--) {
      const earlier = rows[j]!;
      if (earlier.operation !== row.operation) continue;
      if (earlier.outcome === "required") sets.union(i, j);
      if (earlier.outcome === "required" || text(earlier.details, "elevatedUntil")) break;
    }
    for (let j = i + 1; j < rows.length; j++) {
      const later = rows[j]!;
      if (later.createdAt.getTime() > end) break;
      if (later.operation !== row.operation) continue;
      if (text(later.details, "elevatedUntil") || later.outcome === "required") break;
      sets.union(i, j);
    }
  });
  const groups = new Map<number, FeedAuditEvent[]>();
  rows.forEach((row, i) => {
    const root = sets.find(i);
    groups.set(root, [...(groups.get(root) ?? []), row]);
  });
  return [...groups.values()];
}

/** The sign-ins that belong to a group: by challenge correlation id or by proof token id. */
function signInsFor(rows: readonly FeedAuditEvent[], byCorrelation: Map<string, GraphSignIn[]>, byToken: Map<string, GraphSignIn>): GraphSignIn[] {
  const found = new Map<string, GraphSignIn>();
  for (const row of rows) {
    for (const entry of byCorrelation.get(row.correlationId) ?? []) found.set(entry.id, entry);
    const uti = text(row.details, "uti");
    const entry = uti ? byToken.get(uti) : undefined;
    if (entry) found.set(entry.id, entry);
  }
  return [...found.values()].sort((a, b) => Date.parse(a.createdDateTime) - Date.parse(b.createdDateTime));
}

/** The lockout or cancellation a set of sign-ins shows, if any. */
function signInTrouble(signIns: readonly GraphSignIn[]): { kind: "lockout"; wrong: number } | { kind: "cancelled" } | { kind: "failed"; reason: string } | null {
  const steps = signIns.flatMap((s) => s.authenticationDetails ?? []);
  const { wrong, locked } = codeFailures(steps);
  if (locked || signIns.some((s) => s.status?.errorCode === AADSTS.locked)) return { kind: "lockout", wrong };
  const failures = signIns.filter((s) => (s.status?.errorCode ?? 0) !== 0 && !AADSTS.interactionRequired.includes(s.status?.errorCode ?? 0));
  if (failures.length === 0 || signIns.some((s) => (s.status?.errorCode ?? 0) === 0)) return null;
  if (failures.some((s) => s.status?.errorCode === AADSTS.cancelled)) return { kind: "cancelled" };
  return { kind: "failed", reason: failurePhrase(failures.at(-1)!) };
}

/** A failed sign-in's reason, in words. */
function failurePhrase(signIn: GraphSignIn): string {
  switch (signIn.status?.errorCode) {
    case AADSTS.wrongPassword:
      return "wrong password";
    case AADSTS.mfaDenied:
      return "the verification was denied";
    case AADSTS.blockedByConditionalAccess:
      return "blocked by your organization's sign-in policy";
    case AADSTS.locked:
      return "the account or method is locked";
    default:
      return signIn.status?.failureReason ?? `error ${signIn.status?.errorCode ?? "unknown"}`;
  }
}

/** The lockout sentence: "3 wrong codes, then locked". */
function lockoutTitle(wrong: number): string {
  return wrong > 0 ? `${plural(wrong, "wrong code")}, then your authenticator app was locked` : "Your authenticator app was locked after too many wrong codes";
}

/** One group of audit rows (and its sign-ins) as an item. */
function auditItem(rows: readonly FeedAuditEvent[], signIns: readonly GraphSignIn[]): FeedItem {
  const first = rows[0]!;
  const at = rows.at(-1)!.createdAt;
  const correlationIds = new Set(rows.map((r) => r.correlationId));
  // A sign-in joined by the challenge's correlation id repeats it: listed once, under the audit rows.
  const technical = [...auditTechnical(rows), ...signInTechnical(signIns).filter((d) => !(d.label === "Sign-in correlation ID" && correlationIds.has(d.value)))];
  const base = { id: `audit-${first.id}`, at, technical };
  const action = actionPhrase(rows);
  const askedFor = rows.some((r) => r.outcome === "required");
  const proofUsed = rows.some((r) => (r.outcome === "executed" || r.outcome === "satisfied") && (text(r.details, "uti") !== null || text(r.details, "via") === "proof"));
  const verifiedSilently = rows.some((r) => r.outcome === "satisfied" && text(r.details, "via") === "token");
  const method = verifiedWith(signIns.find((s) => (s.status?.errorCode ?? 0) === 0 && verifiedWith(s)));
  const trouble = signInTrouble(signIns);
  const unknown = rows.filter((r) => !KNOWN_OPERATIONS.has(r.operation) || !(KNOWN_OUTCOMES.has(r.outcome) || r.outcome.startsWith("rejected:") || r.outcome.startsWith("failed:")));
  const subject = SUBJECTS[first.operation] ?? SUBJECTS[rows.find((r) => SUBJECTS[r.operation])?.operation ?? ""] ?? "an action";

  if (action && (proofUsed || verifiedSilently || askedFor)) {
    const how = verifiedSilently && !proofUsed ? "a recent verification" : method;
    return { ...base, kind: "verified", tone: "success", title: `You verified${how ? ` with ${how}` : ""} and ${action.phrase}`, lines: action.lines };
  }
  if (action) return { ...base, kind: "change", tone: "neutral", title: `You ${action.phrase}`, lines: action.lines };
  if (trouble?.kind === "lockout") {
    return { ...base, kind: "lockout", tone: "warning", title: lockoutTitle(trouble.wrong), lines: [`While approving ${subject}. Nothing changed. Wait a few minutes, or verify another way.`] };
  }
  if (trouble?.kind === "cancelled") return { ...base, kind: "verificationCancelled", tone: "neutral", title: "Verification cancelled", lines: [`You stopped approving ${subject}. Nothing changed.`] };
  if (trouble?.kind === "failed") return { ...base, kind: "verificationFailed", tone: "warning", title: "Verification didn't succeed", lines: [`While approving ${subject}: ${trouble.reason}. Nothing changed.`] };
  const rejected = rows.filter((r) => r.outcome.startsWith("rejected:"));
  if (rejected.length > 0) {
    return { ...base, kind: "refused", tone: "warning", title: `Refused: ${rejectionPhrase(rejected.at(-1)!.outcome)}`, lines: [`${capitalise(subject)}; nothing changed.`] };
  }
  if (rows.some((r) => r.outcome === "failed" || r.outcome.startsWith("failed:"))) {
    return { ...base, kind: "refused", tone: "warning", title: `Couldn't complete ${subject}`, lines: ["Nothing changed."] };
  }
  if (unknown.length > 0) {
    return { ...base, kind: "other", tone: "neutral", title: `Activity: ${unknown.map((r) => `${r.operation} ${r.outcome}`).join(", ")}`, lines: [] };
  }
  if (askedFor) return { ...base, kind: "verificationCancelled", tone: "neutral", title: "Verification not finished", lines: [`You were asked to verify for ${subject}; nothing changed.`] };
  const verified = method ?? (verifiedSilently ? "a recent verification" : null);
  return { ...base, kind: "verified", tone: "success", title: `You verified${verified ? ` with ${verified}` : ""} for ${subject}`, lines: [] };
}

/** A sign-in that belongs to no audit group, as an item; null for what a person needn't see. */
function signInItem(signIn: GraphSignIn, seenDevices: Set<string>): FeedItem | null {
  const code = signIn.status?.errorCode ?? 0;
  const interactive = signIn.isInteractive ?? !(signIn.signInEventTypes ?? []).includes("nonInteractiveUser");
  const device = deviceLabel(signIn);
  const where = [signIn.location?.city, signIn.location?.countryOrRegion].filter(Boolean).join(", ");
  const base = { id: `sign-in-${signIn.id}`, at: new Date(signIn.createdDateTime), technical: signInTechnical([signIn]) };
  const trouble = signInTrouble([signIn]);
  if (trouble?.kind === "lockout") return { ...base, kind: "lockout", tone: "warning", title: lockoutTitle(trouble.wrong), lines: [`Signing in from ${device}. Wait a few minutes, or verify another way.`] };
  if (code === 0) {
    if (!interactive) return null;
    const { wrong } = codeFailures(signIn.authenticationDetails ?? []);
    const key = device.toLowerCase();
    const isNew = !seenDevices.has(key);
    seenDevices.add(key);
    const lines = [where ? `Near ${where}` : null, wrong > 0 ? `After ${plural(wrong, "wrong code")}` : null].filter((l): l is string => l !== null);
    return { ...base, kind: isNew ? "newSignIn" : "signIn", tone: "neutral", title: `${isNew ? "New sign-in" : "Signed in"} from ${device}`, lines };
  }
  if (AADSTS.interactionRequired.includes(code)) return null;
  if (code === AADSTS.cancelled) return { ...base, kind: "verificationCancelled", tone: "neutral", title: "Verification cancelled", lines: [`On ${device}. Nothing changed.`] };
  return { ...base, kind: "signInFailed", tone: "warning", title: `Sign-in failed: ${failurePhrase(signIn)}`, lines: [`From ${device}${where ? `, near ${where}` : ""}`] };
}

/** A directory audit entry as an item ("Passkey added"); null for entries that aren't registrations. */
function registrationItem(entry: GraphDirectoryAudit): FeedItem | null {
  if (entry.category !== "UserManagement" || !/registered security info/i.test(entry.activityDisplayName)) return null;
  const described = [entry.resultReason ?? "", ...(entry.additionalDetails ?? []).map((d) => d.value ?? "")].join(" ");
  const method = /fido|passkey/i.test(described) ? "Passkey" : /oath|authenticator/i.test(described) ? "Authenticator app" : /sms|phone/i.test(described) ? "Phone number" : "Sign-in method";
  const failed = entry.result !== undefined && entry.result !== "success";
  return {
    id: `directory-audit-${entry.id}`,
    kind: "methodAdded",
    tone: failed ? "warning" : "success",
    at: new Date(entry.activityDateTime),
    title: failed ? `${method} couldn't be added` : `${method} added`,
    lines: failed && entry.resultReason ? [entry.resultReason] : [],
    technical: [
      { label: "Directory audit", value: `${entry.id}: ${entry.category} / ${entry.activityDisplayName} (${entry.result ?? "unknown"})` },
      ...(entry.correlationId ? [{ label: "Correlation ID", value: entry.correlationId }] : []),
      ...(entry.resultReason ? [{ label: "Result reason", value: entry.resultReason }] : []),
    ],
  };
}

/** Builds the feed, newest first (see the module comment). */
export function buildActivityFeed({ events, signIns, registrations }: FeedSources): FeedItem[] {
  const byCorrelation = new Map<string, GraphSignIn[]>();
  const byToken = new Map<string, GraphSignIn>();
  for (const entry of signIns ?? []) {
    if (entry.correlationId) byCorrelation.set(entry.correlationId, [...(byCorrelation.get(entry.correlationId) ?? []), entry]);
    if (entry.uniqueTokenIdentifier) byToken.set(entry.uniqueTokenIdentifier, entry);
  }
  const used = new Set<string>();
  const items: FeedItem[] = groupAuditEvents(events).map((rows) => {
    const joined = signInsFor(rows, byCorrelation, byToken);
    for (const entry of joined) used.add(entry.id);
    return auditItem(rows, joined);
  });
  const seenDevices = new Set<string>();
  const loose = (signIns ?? []).filter((s) => !used.has(s.id)).sort((a, b) => Date.parse(a.createdDateTime) - Date.parse(b.createdDateTime));
  for (const entry of loose) {
    const item = signInItem(entry, seenDevices);
    if (item) items.push(item);
  }
  for (const entry of registrations ?? []) {
    const item = registrationItem(entry);
    if (item) items.push(item);
  }
  return items.sort((a, b) => b.at.getTime() - a.at.getTime() || a.id.localeCompare(b.id)).map((item) => ({ ...item, title: capitalise(item.title) }));
}
