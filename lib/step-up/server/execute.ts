import "server-only";
import { BUSY_FAILURE_MESSAGE, RATE_LIMITED_MESSAGE, UNEXPECTED_FAILURE_MESSAGE, failed, type ActionResult, type HandlerResult } from "@/lib/actions/result";
import type { PortalUser } from "@/lib/auth/session";
import type { AuditDetailValue } from "@/lib/data/audit";
import type { PendingOperationRecord } from "@/lib/data/step-up";
import { isTransientDatabaseError, runTransaction, type TransactionClient } from "@/lib/data/transaction";
import { createLogger } from "@/lib/log";
import type { PolicySetName, StepUpOperation, StepUpRequirement } from "@/lib/step-up/policy";
import { claimsChallenge, type StepUpChallenge, type StepUpReason } from "@/lib/step-up/protocol";
import type { ProtectedDefinition, ProtectedRequest } from "@/lib/step-up/server/operation";
import type { CanonicalPayload } from "@/lib/step-up/server/payload";
import type { ProofClaims } from "@/lib/step-up/server/verify-proof";

/** What the enforcement core (enforce.ts) and both bindings share: the call, its handler, its challenge, its proof. */

/** Messages for expected failures: shown to the user as they are. */
export const MESSAGES = {
  unknownOperation: "This action is not available.",
  alreadyUsed: "This approval was already used. Nothing else was changed.",
  approvalGone: "This approval is no longer available. Start again.",
  tooManyOpenApprovals: "Too many approvals are waiting. Nothing was changed. Finish or let the waiting ones expire (10 minutes), then try again.",
  keyReused: "This Idempotency-Key was already used for a different request. Nothing was changed. Use a new key for a new request.",
} as const;

/** Thrown inside a transaction to roll it back with a known outcome. */
export class Rollback extends Error {
  constructor(readonly outcome: { kind: "already_used" } | { kind: "replayed" } | { kind: "handler"; result: HandlerResult<never> }) {
    super("rollback");
    this.name = "Rollback";
  }
}

/** One call of a protected operation, as the bindings see it. */
export interface RunContext<Op extends StepUpOperation, I, T> {
  definition: ProtectedDefinition<Op, I, T>;
  request: ProtectedRequest;
  user: PortalUser;
  input: I;
  correlationId: string;
  now: Date;
  policySet: PolicySetName;
  audit: (outcome: string, details?: Record<string, AuditDetailValue | undefined>, tx?: TransactionClient) => Promise<void>;
  auditQuietly: (outcome: string, details?: Record<string, AuditDetailValue | undefined>) => Promise<void>;
}

/**
 * Runs the handler in one transaction, after `before` (the step-up bookkeeping, which may roll
 * everything back), and audits the outcome. "executed" is written in the same transaction, so
 * it exists exactly when the change does. `requirement` is what the caller met (null: nothing
 * was required), passed on to the handler.
 */
export async function execute<Op extends StepUpOperation, I, T>(
  context: RunContext<Op, I, T>,
  requirement: StepUpRequirement | null,
  details: Record<string, AuditDetailValue | undefined>,
  bookkeeping?: { before: (tx: TransactionClient) => Promise<void>; replayed: () => ActionResult<T> },
): Promise<ActionResult<T>> {
  const { request, definition, user, input, correlationId } = context;
  try {
    return await runTransaction(async (tx) => {
      await bookkeeping?.before(tx);
      const stepUp = { policySet: context.policySet, requirement };
      const result = await definition.handler({ user, session: request.session ?? null, input, tx, correlationId, stepUp });
      if (result.status !== "success") throw new Rollback({ kind: "handler", result: result as HandlerResult<never> });
      await context.audit("executed", details, tx);
      return result;
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
    const outcome = error.outcome;
    switch (outcome.kind) {
      case "handler":
        await context.auditQuietly("failed", { ...details, status: outcome.result.status });
        return outcome.result;
      case "already_used":
        await context.auditQuietly("rejected:already_used", details);
        return failed(MESSAGES.alreadyUsed, "already_used");
      case "replayed":
        await context.auditQuietly("rejected:replayed", details);
        if (!bookkeeping) throw new Error("replay outcome without step-up bookkeeping");
        return bookkeeping.replayed();
    }
  }
}

/** A pending operation and the payload it stores: what a transaction-bound challenge or proof is about. */
export interface Approval {
  pending: PendingOperationRecord;
  payload: CanonicalPayload;
}

/** The `step_up_required` answer for `requirement`, saying why; for transaction binding, naming the approval. */
export function stepUpRequired<Op extends StepUpOperation, I, T>(
  context: RunContext<Op, I, T>,
  requirement: StepUpRequirement,
  reason: StepUpReason,
  approval?: Approval,
): { status: "step_up_required"; challenge: StepUpChallenge } {
  const challenge: StepUpChallenge = {
    operation: context.definition.operation,
    claims: claimsChallenge(requirement.authContext),
    authContext: requirement.authContext,
    binding: requirement.binding,
    ...(approval
      ? {
          pendingOperationId: approval.pending.id,
          payload: approval.payload.value,
          expiresAt: approval.pending.expiresAt.toISOString(),
          approvableInMs: Math.max(0, (Math.floor(approval.pending.createdAt.getTime() / 1000) + 1) * 1000 - context.request.verifier.clock().getTime()),
        }
      : {}),
    correlationId: context.correlationId,
    reason,
  };
  return { status: "step_up_required", challenge };
}

/**
 * Checks a presented proof (a retry's token, or the API request's own) against `requirement` for
 * the caller, minted after the approval when there is one. It counts against the caller's limit
 * first (lib/rate-limit): verifying costs a key lookup and a signature check, and a stream of
 * guessed or replayed proofs should stop long before it could matter. A refusal is audited and is
 * the call's answer: the limit's failure, or a challenge (an approval stays open for a fresh proof).
 */
export async function verifyProof<Op extends StepUpOperation, I, T>(
  context: RunContext<Op, I, T>,
  requirement: StepUpRequirement,
  token: string,
  approval?: Approval,
): Promise<{ ok: true; claims: ProofClaims } | { ok: false; result: ActionResult<T> }> {
  const decision = context.request.limitProof ? await context.request.limitProof(context.user.id) : null;
  if (decision && !decision.allowed) {
    await context.auditQuietly("rejected:rate_limited", { retryAfterSeconds: decision.retryAfterSeconds });
    return { ok: false, result: failed(RATE_LIMITED_MESSAGE, "rate_limited") };
  }
  const verification = await context.request.verifier.verify(token, {
    user: context.user,
    authContext: requirement.authContext,
    maxAgeSeconds: requirement.maxAgeSeconds,
    ...(approval ? { mintedAfter: approval.pending.createdAt } : {}),
  });
  if (verification.ok) return verification;
  const about = approval ? { binding: "transaction", pendingOperationId: approval.pending.id } : { binding: "session", authContext: requirement.authContext };
  await context.auditQuietly(`rejected:${verification.reason}`, about);
  return { ok: false, result: stepUpRequired(context, requirement, verification.reason, approval) };
}

export function proofUse<Op extends StepUpOperation, I, T>(context: RunContext<Op, I, T>, claims: ProofClaims) {
  // Remembered for as long as the verifier would still accept the token.
  const expiresAt = new Date(claims.exp.getTime() + context.request.verifier.maxSkewSeconds * 1000);
  return { uti: claims.uti, operation: context.definition.operation, now: context.now, expiresAt };
}

/** A thrown error as the call's answer: `busy` when only the database was (trying again is safe), else a generic failure. */
export function unexpectedFailure(operation: string, correlationId: string, error: unknown) {
  const busy = isTransientDatabaseError(error);
  logError(operation, correlationId, busy ? "busy" : "unexpected", error);
  return busy ? failed(BUSY_FAILURE_MESSAGE, "busy") : failed(UNEXPECTED_FAILURE_MESSAGE, "unexpected");
}

/** Logs an unexpected error by name and message only: causes and stacks may carry tokens or rows. */
export function logError(operation: string, correlationId: string, stage: string, error: unknown): void {
  log.error("step_up.error", { operation, stage, correlationId }, error);
}

const log = createLogger("step-up");
