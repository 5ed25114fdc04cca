import type { AuditDetailValue } from "@/lib/data/audit";
import { formatMoney } from "@/lib/format";

/** What an audit event's operation is, in words. Unknown operations stay visible as stored. */
const OPERATIONS: Record<string, string> = {
  "transfer.create": "Transfer",
  "finance.viewStatements": "Full account numbers and statements",
  "security.update": "Security change",
  "limits.update": "Transfer limits",
  "settings.payee": "Payee",
  "settings.limits": "Transfer limits",
  "settings.notifications": "Notification preferences",
  "settings.sessions": "Sessions",
};

const OUTCOMES: Record<string, string> = {
  required: "Verification asked for",
  satisfied: "Verified",
  executed: "Done",
  failed: "Failed, nothing changed",
  downloaded: "Downloaded",
  added: "Added",
  edited: "Changed",
  removed: "Removed",
  changed: "Changed",
  ended_others: "Other sessions signed out",
  ended_all: "Signed out everywhere",
};

const REJECTIONS: Record<string, string> = {
  missing_context: "the verification was not strong enough",
  replayed: "the same verification was used twice",
  already_used: "this approval was already used",
  payload_changed: "the request changed after it was approved",
  pending_expired: "the approval expired",
  pending_cancelled: "it was cancelled or replaced",
  pending_not_found: "the approval was not found",
  stale_auth_time: "the verification was too old",
};

/** The operation's label. */
export function operationLabel(operation: string): string {
  return OPERATIONS[operation] ?? operation;
}

/** The outcome's label ("Refused: the same verification was used twice"). */
export function outcomeLabel(outcome: string): string {
  if (outcome.startsWith("rejected:")) {
    const reason = outcome.slice("rejected:".length);
    return `Refused: ${REJECTIONS[reason] ?? reason.replaceAll("_", " ")}`;
  }
  return OUTCOMES[outcome] ?? outcome;
}

/** A short description of what the event was about, from its details (never secrets: audit details hold none). */
export function detailLabel(operation: string, details: Record<string, AuditDetailValue>): string | null {
  const text = (key: string) => (typeof details[key] === "string" ? (details[key] as string) : null);
  switch (operation) {
    case "settings.payee":
      return [text("name"), text("bankName"), text("maskedAccountNumber")].filter(Boolean).join(", ") || null;
    case "settings.limits": {
      const currency = text("currency");
      const per = text("perTransferMinor");
      const daily = text("dailyMinor");
      return currency && per && daily ? `${formatMoney(per, currency)} per transfer, ${formatMoney(daily, currency)} per day` : null;
    }
    case "settings.sessions":
      return typeof details.ended === "number" ? `${details.ended} session${details.ended === 1 ? "" : "s"} ended` : null;
    case "settings.notifications":
      return ["emailOnTransfer", "emailOnNewPayee", "emailOnNewDevice"].filter((key) => details[key] === true).length + " of 3 emails on";
    default:
      return null;
  }
}

/** A Conditional Access result in words (Graph's `appliedConditionalAccessPolicies[].result`). */
export function policyResultLabel(result: string): string {
  const labels: Record<string, string> = {
    success: "satisfied",
    failure: "not satisfied",
    notApplied: "did not apply",
    notEnabled: "off",
    reportOnlySuccess: "report-only: would have been satisfied",
    reportOnlyFailure: "report-only: would have failed",
    reportOnlyNotApplied: "report-only: did not apply",
    reportOnlyInterrupted: "report-only: would have asked for more",
  };
  return labels[result] ?? result;
}
