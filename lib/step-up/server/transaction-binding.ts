import "server-only";
import { failed, type ActionResult } from "@/lib/actions/result";
import {
  PENDING_OPERATION_MAX_TTL_SECONDS,
  consumePendingOperation,
  countOtherOpenPendingOperations,
  createPendingOperation,
  getPendingOperation,
  getPendingOperationByKey,
  purgeExpiredStepUpRecords,
  recordProofUse,
  type PendingBinding,
  type PendingOperationRecord,
} from "@/lib/data/step-up";
import { prisma } from "@/lib/db";
import { env } from "@/lib/env";
import type { StepUpOperation, TransactionBoundRequirement } from "@/lib/step-up/policy";
import type { StepUpReason } from "@/lib/step-up/protocol";
import { MESSAGES, Rollback, execute, logError, proofUse, stepUpRequired, verifyProof, type Approval, type RunContext } from "@/lib/step-up/server/execute";
import type { BearerProtectedRequest, ProtectedDefinition, SessionProtectedRequest } from "@/lib/step-up/server/operation";
import { canonicalPayload, type CanonicalPayload } from "@/lib/step-up/server/payload";

/**
 * Transaction binding, for a browser session or an API caller: store the exact payload and
 * challenge; on the retry, execute only that payload, only with a proof minted after it,
 * consuming both with the handler's writes.
 */
export function runTransactionBound<Op extends StepUpOperation, I, T>(
  context: RunContext<Op, I, T>,
  requirement: TransactionBoundRequirement,
  preloaded: PendingOperationRecord | null | undefined,
): Promise<ActionResult<T>> {
  const { request } = context;
  return request.bearer ? forBearer(context, requirement, request.bearer) : forSession(context, requirement, request, preloaded);
}

/** For a session: the retry names the pending operation by id (and may omit the input it stores). */
async function forSession<Op extends StepUpOperation, I, T>(
  context: RunContext<Op, I, T>,
  requirement: TransactionBoundRequirement,
  request: SessionProtectedRequest,
  preloaded: PendingOperationRecord | null | undefined,
): Promise<ActionResult<T>> {
  const { definition, now } = context;
  const { session } = request;
  const binding: PendingBinding = { sessionId: session.sessionId };
  const payload = canonicalPayload(context.input);
  const proof = request.proof;

  if (!proof?.token || !proof.pendingOperationId) return challengeWithNewPending(context, requirement, binding, payload, "missing_proof");

  const pending =
    preloaded ?? (await getPendingOperation(session.user, { id: proof.pendingOperationId, sessionId: session.sessionId, operation: definition.operation }));
  if (!pending) return challengeWithNewPending(context, requirement, binding, payload, "pending_not_found");
  if (pending.consumedAt) {
    await context.auditQuietly("rejected:already_used", { pendingOperationId: pending.id });
    return failed(MESSAGES.alreadyUsed, "already_used");
  }
  if (pending.cancelledAt) return challengeWithNewPending(context, requirement, binding, payload, "pending_cancelled");
  if (pending.expiresAt.getTime() <= now.getTime()) return challengeWithNewPending(context, requirement, binding, payload, "pending_expired");
  // What the user approved is the stored payload; anything else needs its own approval.
  if (pending.payloadHash !== payload.hash) return challengeWithNewPending(context, requirement, binding, payload, "payload_changed");

  return approveAndExecute(context, requirement, binding, { pending, payload }, proof.token);
}

/**
 * For an API caller: the pending operation is the one stored under this
 * request's idempotency key (for this user and operation), and the request's own token is the
 * proof. The first call stores the payload and answers the challenge; a retry with the same key
 * and input, under a token minted after that, executes it; the same key with another input is
 * refused outright (the key names one request), never re-bound to the new input.
 */
async function forBearer<Op extends StepUpOperation, I, T>(
  context: RunContext<Op, I, T>,
  requirement: TransactionBoundRequirement,
  bearer: BearerProtectedRequest["bearer"],
): Promise<ActionResult<T>> {
  const { definition, now } = context;
  // A route that exposes a transaction-bound operation must require the key (lib/api/route.ts).
  if (!bearer.idempotencyKey) throw new Error(`${definition.operation}: a transaction-bound API call needs an idempotency key`);
  const binding: PendingBinding = { idempotencyKey: bearer.idempotencyKey };
  const payload = canonicalPayload(context.input);

  const pending = await getPendingOperationByKey(bearer.user, { idempotencyKey: bearer.idempotencyKey, operation: definition.operation });
  if (!pending) return challengeWithNewPending(context, requirement, binding, payload, "missing_proof", bearer);
  if (pending.payloadHash !== payload.hash) {
    await context.auditQuietly("rejected:idempotency_key_reused", { binding: "transaction", pendingOperationId: pending.id, payloadHash: payload.hash });
    return failed(MESSAGES.keyReused, "idempotency_key_reused");
  }
  if (pending.consumedAt) {
    await context.auditQuietly("rejected:already_used", { pendingOperationId: pending.id });
    return failed(MESSAGES.alreadyUsed, "already_used");
  }
  if (pending.cancelledAt) return challengeWithNewPending(context, requirement, binding, payload, "pending_cancelled", bearer);
  if (pending.expiresAt.getTime() <= now.getTime()) return challengeWithNewPending(context, requirement, binding, payload, "pending_expired", bearer);

  return approveAndExecute(context, requirement, binding, { pending, payload }, bearer.token);
}

/**
 * The proof check and execution of an open, unexpired pending operation whose payload matches:
 * the proof must be minted (`iat`) in a later second than the operation was stored; the handler
 * runs on the stored payload; pending operation and proof are consumed in the handler's transaction.
 */
async function approveAndExecute<Op extends StepUpOperation, I, T>(
  context: RunContext<Op, I, T>,
  requirement: TransactionBoundRequirement,
  binding: PendingBinding,
  approval: Approval,
  token: string,
): Promise<ActionResult<T>> {
  const { definition, user, now } = context;
  const { pending } = approval;
  const verification = await verifyProof(context, requirement, token, approval);
  if (!verification.ok) return verification.result;

  // The handler runs on the stored payload, parsed again: equal to the input by hash, and the
  // only thing this approval covers.
  const stored = definition.schema.parse(JSON.parse(pending.payloadJson));
  const claims = verification.claims;
  const details = { requirement: requirement.authContext, uti: claims.uti, pendingOperationId: pending.id };
  const result = await execute({ ...context, input: stored }, requirement, details, {
    before: async (tx) => {
      if (!(await consumePendingOperation(tx, user, { id: pending.id, binding, now }))) {
        throw new Rollback({ kind: "already_used" });
      }
      if (!(await recordProofUse(tx, user, proofUse(context, claims)))) throw new Rollback({ kind: "replayed" });
    },
    // Rolled back, so the pending operation is still open: a fresh proof can still approve it.
    replayed: () => stepUpRequired(context, requirement, "replayed", approval),
  });
  // Verified before this approval was asked for (the identity provider's tolerance for "every
  // time"): the person was not prompted, so the client says the recent verification counted.
  const { authTime } = claims;
  return result.status === "success" && authTime && authTime.getTime() < pending.createdAt.getTime() ? { ...result, verifiedEarlierAt: authTime.toISOString() } : result;
}

async function challengeWithNewPending<Op extends StepUpOperation, I, T>(
  context: RunContext<Op, I, T>,
  requirement: TransactionBoundRequirement,
  binding: PendingBinding,
  payload: CanonicalPayload,
  reason: StepUpReason,
  bearer?: BearerProtectedRequest["bearer"],
): Promise<ActionResult<T>> {
  const { definition, user, now } = context;
  assertRoundTrip(definition, payload);
  // On the API the request that asks carries a token too, and `iat` has whole seconds: that token
  // may be minted in the same second as the pending operation and pass the `iat` check. The token
  // that asked must never be the one that approves, so it is spent here, before the approval exists.
  // Approvals waiting cost storage and each one is an open door for a proof: a user may have only
  // so many at once (browser and API together; a request that replaces its own does not count).
  // A browser retry replaces only the approval it names, never another tab's.
  const replaces = context.request.proof?.pendingOperationId;
  const waiting = await countOtherOpenPendingOperations(user, { binding, operation: definition.operation, now, replaces });
  if (waiting >= env.STEP_UP_MAX_OPEN_APPROVALS_PER_USER) {
    await context.auditQuietly("rejected:too_many_open_approvals", { binding: "transaction", waiting });
    return failed(MESSAGES.tooManyOpenApprovals, "rate_limited");
  }
  if (bearer) await recordProofUse(prisma, user, proofUse(context, bearer.claims));
  const pending = await createPendingOperation(user, {
    binding,
    operation: definition.operation,
    payloadJson: payload.json,
    payloadHash: payload.hash,
    now,
    ttlSeconds: PENDING_OPERATION_MAX_TTL_SECONDS,
    replaces,
  });
  await context.auditQuietly(reason === "missing_proof" ? "required" : `rejected:${reason}`, {
    binding: "transaction",
    authContext: requirement.authContext,
    pendingOperationId: pending.id,
    payloadHash: payload.hash,
  });
  await purgeExpiredStepUpRecords(now).catch((error: unknown) => logError(definition.operation, context.correlationId, "purge", error));
  return stepUpRequired(context, requirement, reason, { pending, payload });
}

/**
 * The stored payload is parsed with the action's schema on the retry; a schema that does not
 * accept its own canonical form (e.g. it turns a decimal string into minor units) would execute
 * something else than was approved. Refuse to store such a payload: a programming error, loud.
 */
function assertRoundTrip<Op extends StepUpOperation, I, T>(definition: ProtectedDefinition<Op, I, T>, payload: CanonicalPayload): void {
  const again = definition.schema.safeParse(JSON.parse(payload.json));
  if (!again.success || canonicalPayload(again.data).hash !== payload.hash) {
    throw new Error(`${definition.operation}: the schema does not accept its own canonical payload; see ProtectedDefinition.schema`);
  }
}
