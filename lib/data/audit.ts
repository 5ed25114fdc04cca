import "server-only";
import { prisma } from "@/lib/db";
import type { TransactionClient } from "@/lib/data/transaction";

/** A value allowed in audit details: scalars only, so a whole object (a token, a row) cannot slip in. */
export type AuditDetailValue = string | number | boolean | null;

/** One security decision. */
export interface AuditEventInput {
  /** The acting user, when known. */
  userId: string | null;
  /** Operation key, e.g. "transfer.create". */
  operation: string;
  /** e.g. "required", "satisfied", "rejected:replayed", "executed", "failed". */
  outcome: string;
  /** Server-generated; the client passes it to MSAL, so it joins the identity provider's sign-in logs. */
  correlationId: string;
  /** Never a token, cookie, code or full account number; a proof's `uti` is fine. */
  details?: Record<string, AuditDetailValue | undefined>;
}

/**
 * Appends an audit event (AuditEvent is append-only: nothing updates or deletes it). Pass `tx`
 * to commit the event with the change it records, so "executed" exists exactly when the change
 * does.
 */
export async function recordAuditEvent(event: AuditEventInput, tx: TransactionClient = prisma): Promise<void> {
  const details = Object.fromEntries(Object.entries(event.details ?? {}).filter(([, value]) => value !== undefined));
  await tx.auditEvent.create({
    data: {
      userId: event.userId,
      operation: event.operation,
      outcome: event.outcome,
      correlationId: event.correlationId,
      details: JSON.stringify(details),
    },
  });
}
