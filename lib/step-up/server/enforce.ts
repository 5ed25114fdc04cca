import "server-only";
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import {
  RATE_LIMITED_MESSAGE,
  BUSY_FAILURE_MESSAGE,
  UNEXPECTED_FAILURE_MESSAGE,
  failed,
  invalid,
  type ActionResult,
  type HandlerResult,
} from "@/lib/actions/result";
import { fieldErrorsOf, unknownMembersOf } from "@/lib/actions/field-errors";
import type { PortalSession, PortalUser } from "@/lib/auth/session";
import { recordAuditEvent, type AuditDetailValue } from "@/lib/data/audit";
import {
  PENDING_OPERATION_MAX_TTL_SECONDS,
  consumePendingOperation,
  countOtherOpenPendingOperations,
  createPendingOperation,
  getPendingOperation,
  getPendingOperationByKey,
  grantSessionElevation,
  hasSessionElevation,
  purgeExpiredStepUpRecords,
  recordProofUse,
  type PendingBinding,
  type PendingOperationRecord,
} from "@/lib/data/step-up";
import { isTransientDatabaseError, runTransaction, type TransactionClient } from "@/lib/data/transaction";
import { prisma } from "@/lib/db";
import { env } from "@/lib/env";
import { createLogger } from "@/lib/log";
import type { RateLimitDecision } from "@/lib/rate-limit/limiter";
import { checkUntrustedInput } from "@/lib/security/input";
import { claimsChallenge, type StepUpChallenge, type StepUpProof, type StepUpReason } from "@/lib/step-up/protocol";
import { canonicalPayload, type CanonicalPayload } from "@/lib/step-up/server/payload";
import {
  isStepUpOperation,
  resolveRequirement,
  type PolicyInput,
  type PolicySetName,
  type SessionBoundRequirement,
  type StepUpDecision,
  type StepUpOperation,
  type StepUpRequirement,
  type TransactionBoundRequirement,
} from "@/lib/step-up/policy";
import type { ProofClaims, ProofVerifier } from "@/lib/step-up/server/verify-proof";

/**
 * The enforcement core shared by server actions (lib/step-up/server/protected-action.ts) and the JSON
 * API's route handlers (lib/api/route.ts): caller → input → precheck → policy → proof → handler,
 * in that order, always. It takes the caller (a session, or a verified Bearer token), the verifier and
 * the session rotation as arguments, so it runs (and is tested) outside a Next.js request.
 * docs/step-up.md draws the sequence.
 *
 * Two kinds of caller, one policy:
 * - a **session** (server actions): session binding elevates the session with a proof;
 *   transaction binding ties the pending operation to the session and the retry names it by id;
 * - a **Bearer token** (the API; no session, no cookies): the token itself is the proof. Session
 *   binding needs the token to carry the context, fresh (nothing is elevated: the next request
 *   brings its own token); transaction binding ties the pending operation to the request's
 *   idempotency key, and the retry with the same key and the same input, under a token minted
 *   after the pending operation, executes it.
 *
 * Invariants:
 * - Nobody is asked to verify what cannot succeed: the operation's precheck (ownership, funds,
 *   limits, idempotency conflicts...) runs before any challenge, and its refusal ends the call
 *   with no challenge and no pending operation. It decides nothing on its own: the handler
 *   checks everything again when it executes, since balances and limits change in between.
 * - Fail closed: an operation the policy does not know, or a rule that throws, is denied.
 * - Expected outcomes are returned (`step_up_required`, `invalid`, `failed`), never thrown;
 *   unexpected errors become a generic `failed` and are logged by name and message only.
 * - Transaction binding executes only the stored payload, only with a proof minted after it was
 *   stored, and consumes pending operation and proof in the handler's own transaction: an
 *   approval executes at most once, whatever the client sends how often.
 * - Every decision is audited with a server-generated correlation id; a proof appears there only
 *   by its `uti`.
 */

/** What a handler receives. Its writes go through `tx`: they commit with the step-up bookkeeping or not at all. */
export interface ActionContext<I> {
  user: PortalUser;
  /** The caller's session; null for API (Bearer) callers, which have none. */
  session: PortalSession | null;
  /** The validated input; for a transaction-bound retry, the stored payload the user approved. */
  input: I;
  tx: TransactionClient;
  correlationId: string;
}

/**
 * What a protected operation's handler receives: an action's context plus the step-up decision,
 * for handlers that enforce a rule of their own about unverified execution (e.g. the daily
 * allowance of transfers without step-up, which must hold in the handler's transaction).
 */
export interface ProtectedActionContext<I> extends ActionContext<I> {
  stepUp: StepUpDecision;
}

/** A protected operation's body; see `ActionHandler`. */
export type ProtectedActionHandler<I, T> = (context: ProtectedActionContext<I>) => Promise<HandlerResult<T>>;

/**
 * An action's body. Returning `invalid` or `failed` rolls back its writes (and leaves the pending
 * operation and the proof unused); throwing is for the unexpected only.
 */
export type ActionHandler<I, T> = (context: ActionContext<I>) => Promise<HandlerResult<T>>;

/**
 * Derives the facts an operation's policy rule decides on (e.g. the source account's currency)
 * from the validated input. Reads only; scoped to `user`.
 */
export type PolicyInputResolver<Op extends StepUpOperation, I> = (context: { user: PortalUser; input: I }) => Promise<HandlerResult<PolicyInput<Op>>>;

/**
 * Checks, before anyone is asked to verify, whatever can be known now to make the operation fail
 * (ownership, funds, limits, idempotency conflicts): an `invalid` or `failed` answer is the call's
 * answer, with no challenge and no pending operation. Reads only; scoped to `user`. It must use the
 * same validation functions as the handler, which checks everything again at execution.
 */
export type Precheck<I> = (context: { user: PortalUser; input: I }) => Promise<HandlerResult<unknown>>;

/** A protected operation: its policy key, input schema, body and (when its rule needs one) policy input. */
export type ProtectedDefinition<Op extends StepUpOperation, I, T> = {
  operation: Op;
  /**
   * Validates the caller's input. For transaction-bound operations it must also accept its own
   * canonical form (money as a string of minor units, dates as ISO strings): the stored payload
   * is parsed with it again on the retry. Checked when the pending operation is created.
   */
  schema: z.ZodType<I>;
  /** Optional: what can be refused before a challenge; see `Precheck`. */
  precheck?: Precheck<I>;
  handler: ProtectedActionHandler<I, T>;
} & (PolicyInput<Op> extends undefined ? { policyInput?: undefined } : { policyInput: PolicyInputResolver<Op, I> });

/** What every call of a protected operation carries, whoever the caller is. */
interface ProtectedRequestBase {
  input: unknown;
  verifier: ProofVerifier;
  /** Defaults to `env.STEP_UP_POLICY_SET`. */
  policySet?: PolicySetName;
  /** The request's correlation id, when the caller already answers with one (the API); generated otherwise. */
  correlationId?: string;
  /**
   * Counts a presented step-up proof against the caller's limit; the wrappers pass lib/rate-limit's
   * `limitStepUpProof`. Absent (the core's own unit tests): no limit.
   */
  limitProof?: (userId: string) => Promise<RateLimitDecision>;
}

/** A call from a browser session (server actions). */
export interface SessionProtectedRequest extends ProtectedRequestBase {
  session: PortalSession;
  proof?: StepUpProof;
  /** Gives the session a new token after it is elevated; server actions pass `rotateSessionToken`. */
  rotateSession?: (sessionId: string) => Promise<void>;
  bearer?: undefined;
}

/**
 * A call from the JSON API: a user found by a Bearer token that `ProofVerifier.authenticate`
 * accepted. The same token is the step-up proof (verified again against the requirement).
 */
export interface BearerProtectedRequest extends ProtectedRequestBase {
  bearer: {
    user: PortalUser;
    token: string;
    /** The token's claims as `authenticate` returned them. */
    claims: ProofClaims;
    /** The request's `Idempotency-Key`: binds a transaction-bound operation's pending approval. */
    idempotencyKey?: string;
  };
  session?: undefined;
  proof?: undefined;
  rotateSession?: undefined;
}

/** One call of a protected operation. */
export type ProtectedRequest = SessionProtectedRequest | BearerProtectedRequest;

/** Messages for expected failures: shown to the user as they are. */
const MESSAGES = {
  unknownOperation: "This action is not available.",
  alreadyUsed: "This approval was already used. Nothing else was changed.",
  approvalGone: "This approval is no longer available. Start again.",
  tooManyOpenApprovals: "Too many approvals are waiting. Nothing was changed. Finish or let the waiting ones expire (10 minutes), then try again.",
  keyReused: "This Idempotency-Key was already used for a different request. Nothing was changed. Use a new key for a new request.",
} as const;

/** Thrown inside a transaction to roll it back with a known outcome. */
class Rollback extends Error {
  constructor(readonly outcome: { kind: "already_used" } | { kind: "replayed" } | { kind: "handler"; result: HandlerResult<never> }) {
    super("rollback");
    this.name = "Rollback";
  }
}

/** Runs a protected operation; see the module comment for the order and invariants. */
export async function runProtected<Op extends StepUpOperation, I, T>(
  definition: ProtectedDefinition<Op, I, T>,
  untrustedRequest: ProtectedRequest,
): Promise<ActionResult<T>> {
  const request: ProtectedRequest = untrustedRequest.bearer
    ? untrustedRequest
    : { ...untrustedRequest, proof: sanitizeProof(untrustedRequest.proof) };
  const { verifier } = request;
  const operation: string = definition.operation;
  const user = callerUser(request);
  const correlationId = request.correlationId ?? randomUUID();
  const now = verifier.clock();
  // API decisions say so in the audit, so the log tells a browser approval from a client's.
  const channel = request.bearer ? { channel: "api" } : {};
  const audit = (outcome: string, details?: Record<string, AuditDetailValue | undefined>, tx?: TransactionClient) =>
    recordAuditEvent({ userId: user.id, operation, outcome, correlationId, details: { ...details, ...channel } }, tx);
  const auditQuietly = (outcome: string, details?: Record<string, AuditDetailValue | undefined>) =>
    audit(outcome, details).catch((error: unknown) => logError(operation, correlationId, "audit", error));

  try {
    if (!isStepUpOperation(operation)) {
      await auditQuietly("rejected:unknown_operation");
      return failed(MESSAGES.unknownOperation, "not_available");
    }

    // A session's transaction-bound retry may omit the input: the pending operation holds it.
    // (An API retry always repeats its request: that is what the idempotency key identifies.)
    let pending: PendingOperationRecord | null | undefined;
    let rawInput = request.input;
    if (rawInput === undefined && request.session && request.proof?.pendingOperationId) {
      pending = await getPendingOperation(user, { id: request.proof.pendingOperationId, sessionId: request.session.sessionId, operation });
      if (!pending) {
        await auditQuietly("rejected:pending_not_found");
        return failed(MESSAGES.approvalGone);
      }
      rawInput = JSON.parse(pending.payloadJson);
    }

    const gate = checkUntrustedInput(rawInput);
    if (!gate.ok) {
      await auditQuietly("rejected:input", { fields: Object.keys(gate.fieldErrors).join(",").slice(0, 200) });
      return invalid(gate.fieldErrors);
    }
    const parsed = definition.schema.safeParse(rawInput);
    if (!parsed.success) {
      const unknown = unknownMembersOf(parsed.error);
      if (unknown.length > 0) await auditQuietly("rejected:input", { fields: unknown.join(",").slice(0, 200) });
      return invalid(fieldErrorsOf(parsed.error));
    }
    const input = parsed.data;

    if (definition.precheck) {
      const checked = await definition.precheck({ user, input });
      if (checked.status !== "success") {
        await auditQuietly("rejected:precheck", { status: checked.status, ...(checked.status === "failed" && checked.code ? { code: checked.code } : {}) });
        return checked;
      }
    }

    let policyInput: unknown;
    if (definition.policyInput) {
      const resolved = await definition.policyInput({ user, input });
      if (resolved.status !== "success") return resolved;
      policyInput = resolved.data;
    }
    const resolution = resolveRequirement(request.policySet ?? env.STEP_UP_POLICY_SET, operation, policyInput);
    if (resolution.kind === "denied") {
      await auditQuietly(`rejected:${resolution.reason}`);
      return failed(MESSAGES.unknownOperation, "not_available");
    }

    const policySet = request.policySet ?? env.STEP_UP_POLICY_SET;
    const context = { definition, request, user, input, correlationId, now, policySet, audit, auditQuietly };
    if (resolution.kind === "none") return await execute(context, null, { requirement: "none" });
    const requirement: StepUpRequirement = resolution.requirement;
    if (request.bearer) {
      return requirement.binding === "session"
        ? await runSessionBoundForBearer(context, requirement, request.bearer)
        : await runTransactionBoundForBearer(context, requirement, request.bearer);
    }
    return requirement.binding === "session"
      ? await runSessionBound(context, requirement, request)
      : await runTransactionBound(context, requirement, request, pending);
  } catch (error) {
    if (isTransientDatabaseError(error)) {
      logError(operation, correlationId, "busy", error);
      await auditQuietly("failed:busy", {});
      return failed(BUSY_FAILURE_MESSAGE, "busy");
    }
    logError(operation, correlationId, "unexpected", error);
    await auditQuietly("failed", { error: error instanceof Error ? error.name : "unknown" });
    return failed(UNEXPECTED_FAILURE_MESSAGE, "unexpected");
  }
}

interface RunContext<Op extends StepUpOperation, I, T> {
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
 * Session binding: the session's own strength counts (the sign-in, or an earlier elevation);
 * otherwise a proof elevates the session for `elevationSeconds`, never past its end.
 */
async function runSessionBound<Op extends StepUpOperation, I, T>(
  context: RunContext<Op, I, T>,
  requirement: SessionBoundRequirement,
  request: SessionProtectedRequest,
): Promise<ActionResult<T>> {
  const { now } = context;
  const { session } = request;
  const via = await sessionStrengthSatisfies(session, requirement, now);
  if (via) {
    await context.auditQuietly("satisfied", { via, authContext: requirement.authContext });
    return execute(context, requirement, { requirement: requirement.authContext });
  }
  if (!request.proof?.token) {
    await context.auditQuietly("required", { binding: "session", authContext: requirement.authContext });
    return { status: "step_up_required", challenge: challengeFor(context, requirement, "insufficient_session") };
  }

  const limited = await proofLimitRefusal(context);
  if (limited) return limited;
  const verification = await request.verifier.verify(request.proof.token, {
    user: session.user,
    authContext: requirement.authContext,
    maxAgeSeconds: requirement.maxAgeSeconds,
  });
  if (!verification.ok) {
    await context.auditQuietly(`rejected:${verification.reason}`, { binding: "session", authContext: requirement.authContext });
    return { status: "step_up_required", challenge: challengeFor(context, requirement, verification.reason) };
  }

  const claims = verification.claims;
  // An elevation never outlasts the evidence: the elevation window, the proof's own freshness
  // window (from its auth_time, when the tenant emits one), and the session itself.
  const evidenceEnd = claims.authTime ? claims.authTime.getTime() + requirement.maxAgeSeconds * 1000 : Number.POSITIVE_INFINITY;
  const expiresAt = new Date(Math.min(now.getTime() + requirement.elevationSeconds * 1000, evidenceEnd, session.expires.getTime()));
  try {
    await runTransaction(async (tx) => {
      if (!(await recordProofUse(tx, session.user, proofUse(context, claims)))) throw new Rollback({ kind: "replayed" });
      await grantSessionElevation(tx, session.user, {
        sessionId: session.sessionId,
        context: requirement.authContext,
        proofUti: claims.uti,
        grantedAt: now,
        expiresAt,
      });
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
    await context.auditQuietly("rejected:replayed", { binding: "session", uti: claims.uti });
    return { status: "step_up_required", challenge: challengeFor(context, requirement, "replayed") };
  }
  await context.auditQuietly("satisfied", { via: "proof", authContext: requirement.authContext, uti: claims.uti, elevatedUntil: expiresAt.toISOString() });
  await request.rotateSession?.(session.sessionId);
  return execute(context, requirement, { requirement: requirement.authContext, uti: claims.uti });
}

/**
 * Session binding for an API caller: there is no session to elevate, so the request's own token
 * must carry the context, with `auth_time` (when present) within the policy's freshness. That is
 * the same freshness a proof must have in the browser, matched to the identity provider's sign-in
 * frequency (policy.ts): a stricter limit would make the provider re-issue a token the API keeps
 * refusing. The token is not spent: the client presents it again on every request until it expires.
 */
async function runSessionBoundForBearer<Op extends StepUpOperation, I, T>(
  context: RunContext<Op, I, T>,
  requirement: SessionBoundRequirement,
  bearer: BearerProtectedRequest["bearer"],
): Promise<ActionResult<T>> {
  const limited = await proofLimitRefusal(context);
  if (limited) return limited;
  const verification = await context.request.verifier.verify(bearer.token, {
    user: bearer.user,
    authContext: requirement.authContext,
    maxAgeSeconds: requirement.maxAgeSeconds,
  });
  if (!verification.ok) {
    await context.auditQuietly(`rejected:${verification.reason}`, { binding: "session", authContext: requirement.authContext });
    return { status: "step_up_required", challenge: challengeFor(context, requirement, verification.reason) };
  }
  const uti = verification.claims.uti;
  await context.auditQuietly("satisfied", { via: "token", authContext: requirement.authContext, uti });
  return execute(context, requirement, { requirement: requirement.authContext, uti });
}

/**
 * Transaction binding: store the exact payload and challenge; on the retry, execute only that
 * payload, only with a proof minted after it, consuming both with the handler's writes.
 */
async function runTransactionBound<Op extends StepUpOperation, I, T>(
  context: RunContext<Op, I, T>,
  requirement: TransactionBoundRequirement,
  request: SessionProtectedRequest,
  preloaded: PendingOperationRecord | null | undefined,
): Promise<ActionResult<T>> {
  const { definition, now } = context;
  const { session } = request;
  const binding: PendingBinding = { sessionId: session.sessionId };
  const operation: string = definition.operation;
  const payload = canonicalPayload(context.input);
  const proof = request.proof;

  if (!proof?.token || !proof.pendingOperationId) return challengeWithNewPending(context, requirement, binding, payload, "missing_proof");

  const pending =
    preloaded ?? (await getPendingOperation(session.user, { id: proof.pendingOperationId, sessionId: session.sessionId, operation }));
  if (!pending) return challengeWithNewPending(context, requirement, binding, payload, "pending_not_found");
  if (pending.consumedAt) {
    await context.auditQuietly("rejected:already_used", { pendingOperationId: pending.id });
    return failed(MESSAGES.alreadyUsed, "already_used");
  }
  if (pending.cancelledAt) return challengeWithNewPending(context, requirement, binding, payload, "pending_cancelled");
  if (pending.expiresAt.getTime() <= now.getTime()) return challengeWithNewPending(context, requirement, binding, payload, "pending_expired");
  // What the user approved is the stored payload; anything else needs its own approval.
  if (pending.payloadHash !== payload.hash) return challengeWithNewPending(context, requirement, binding, payload, "payload_changed");

  return approveAndExecute(context, requirement, binding, pending, payload, proof.token, pending.createdAt);
}

/**
 * Transaction binding for an API caller: the pending operation is the one stored under this
 * request's idempotency key (for this user and operation), and the request's own token is the
 * proof. The first call stores the payload and answers the challenge; a retry with the same key
 * and input, under a token minted after that, executes it; the same key with another input is
 * refused outright (the key names one request), never re-bound to the new input.
 */
async function runTransactionBoundForBearer<Op extends StepUpOperation, I, T>(
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

  return approveAndExecute(context, requirement, binding, pending, payload, bearer.token, pending.createdAt);
}

/**
 * The proof check and execution of an open, unexpired pending operation whose payload matches:
 * the proof must be minted (`iat`) in a later second than `mintedAfter`; the handler runs on the stored
 * payload; pending operation and proof are consumed in the handler's transaction.
 */
async function approveAndExecute<Op extends StepUpOperation, I, T>(
  context: RunContext<Op, I, T>,
  requirement: TransactionBoundRequirement,
  binding: PendingBinding,
  pending: PendingOperationRecord,
  payload: CanonicalPayload,
  token: string,
  mintedAfter: Date,
): Promise<ActionResult<T>> {
  const { request, definition, user, now } = context;
  const limited = await proofLimitRefusal(context);
  if (limited) return limited;
  const verification = await request.verifier.verify(token, {
    user,
    authContext: requirement.authContext,
    maxAgeSeconds: requirement.maxAgeSeconds,
    mintedAfter,
  });
  if (!verification.ok) {
    await context.auditQuietly(`rejected:${verification.reason}`, { binding: "transaction", pendingOperationId: pending.id });
    return { status: "step_up_required", challenge: challengeFor(context, requirement, verification.reason, pending, payload) };
  }

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
    replayed: () => ({ status: "step_up_required", challenge: challengeFor(context, requirement, "replayed", pending, payload) }),
  });
  // Verified before this approval was asked for (the identity provider's tolerance for "every
  // time"): the person was not prompted, so the client says the recent verification counted.
  const { authTime } = claims;
  return result.status === "success" && authTime && authTime.getTime() < pending.createdAt.getTime() ? { ...result, verifiedEarlierAt: authTime.toISOString() } : result;
}

/**
 * Runs the handler in one transaction, after `before` (the step-up bookkeeping, which may roll
 * everything back), and audits the outcome. "executed" is written in the same transaction, so
 * it exists exactly when the change does. `requirement` is what the caller met (null: nothing
 * was required), passed on to the handler.
 */
async function execute<Op extends StepUpOperation, I, T>(
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
  return { status: "step_up_required", challenge: challengeFor(context, requirement, reason, pending, payload) };
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

function challengeFor<Op extends StepUpOperation, I, T>(
  context: RunContext<Op, I, T>,
  requirement: StepUpRequirement,
  reason: StepUpReason,
  pending?: PendingOperationRecord,
  payload?: CanonicalPayload,
): StepUpChallenge {
  return {
    operation: context.definition.operation,
    claims: claimsChallenge(requirement.authContext),
    authContext: requirement.authContext,
    binding: requirement.binding,
    ...(pending && payload
      ? {
          pendingOperationId: pending.id,
          payload: payload.value,
          expiresAt: pending.expiresAt.toISOString(),
          approvableInMs: Math.max(0, (Math.floor(pending.createdAt.getTime() / 1000) + 1) * 1000 - context.request.verifier.clock().getTime()),
        }
      : {}),
    correlationId: context.correlationId,
    reason,
  };
}

/**
 * Whether the session already satisfies a session-bound requirement, and how: the sign-in, if it
 * asserted the context and happened within the window (it counts as an elevation granted at its
 * `auth_time`), or an unexpired elevation. Contexts are matched exactly: Entra defines no order
 * between them (c2 is not "more than" c1), so none is inferred.
 */
async function sessionStrengthSatisfies(session: PortalSession, requirement: SessionBoundRequirement, now: Date): Promise<"sign_in" | "elevation" | null> {
  const { acrs, authTime } = session.strength;
  const windowMs = Math.min(requirement.maxAgeSeconds, requirement.elevationSeconds) * 1000;
  if (acrs.includes(requirement.authContext) && authTime && now.getTime() - authTime.getTime() < windowMs) return "sign_in";
  const elevated = await hasSessionElevation(session.user, { sessionId: session.sessionId, context: requirement.authContext, now });
  return elevated ? "elevation" : null;
}

/**
 * Counts a presented step-up proof against the user's limit (lib/rate-limit): verifying a token
 * costs a key lookup and a signature check, and a stream of guessed or replayed proofs should
 * stop long before it could matter. Null when within the limit.
 */
async function proofLimitRefusal<Op extends StepUpOperation, I, T>(context: RunContext<Op, I, T>): Promise<ActionResult<T> | null> {
  const decision = context.request.limitProof ? await context.request.limitProof(context.user.id) : null;
  if (!decision || decision.allowed) return null;
  await context.auditQuietly("rejected:rate_limited", { retryAfterSeconds: decision.retryAfterSeconds });
  return failed(RATE_LIMITED_MESSAGE, "rate_limited");
}

function proofUse<Op extends StepUpOperation, I, T>(context: RunContext<Op, I, T>, claims: ProofClaims) {
  // Remembered for as long as the verifier would still accept the token.
  const expiresAt = new Date(claims.exp.getTime() + context.request.verifier.maxSkewSeconds * 1000);
  return { uti: claims.uti, operation: context.definition.operation, now: context.now, expiresAt };
}

function callerUser(request: ProtectedRequest): PortalUser {
  return request.bearer ? request.bearer.user : request.session.user;
}

/**
 * The proof arrives from the client as arbitrary data (a server action's argument, a header):
 * keep only well-typed members, so a malformed one is "no proof" (answered with a challenge)
 * rather than an exception.
 */
function sanitizeProof(proof: unknown): StepUpProof | undefined {
  if (typeof proof !== "object" || proof === null) return undefined;
  const { token, pendingOperationId } = proof as Record<string, unknown>;
  if (typeof token !== "string" || token.length === 0) return undefined;
  return typeof pendingOperationId === "string" && pendingOperationId.length > 0 ? { token, pendingOperationId } : { token };
}

/** Logs an unexpected error by name and message only: causes and stacks may carry tokens or rows. */
export function logError(operation: string, correlationId: string, stage: string, error: unknown): void {
  log.error("step_up.error", { operation, stage, correlationId }, error);
}

const log = createLogger("step-up");

/** Runs an operation that needs a session but no step-up: session, input, then the handler in a transaction. */
export async function runAuthed<I, T>(
  definition: { schema: z.ZodType<I>; handler: ActionHandler<I, T>; name?: string },
  request: { session: PortalSession; input: unknown },
): Promise<ActionResult<T>> {
  const gate = checkUntrustedInput(request.input);
  if (!gate.ok) return invalid(gate.fieldErrors);
  const parsed = definition.schema.safeParse(request.input);
  if (!parsed.success) return invalid(fieldErrorsOf(parsed.error));
  const correlationId = randomUUID();
  const { session } = request;
  try {
    return await runTransaction(async (tx) => {
      const result = await definition.handler({ user: session.user, session, input: parsed.data, tx, correlationId });
      if (result.status !== "success") throw new Rollback({ kind: "handler", result: result as HandlerResult<never> });
      return result;
    });
  } catch (error) {
    if (error instanceof Rollback && error.outcome.kind === "handler") return error.outcome.result;
    if (isTransientDatabaseError(error)) {
      logError(definition.name ?? "action", correlationId, "busy", error);
      return failed(BUSY_FAILURE_MESSAGE, "busy");
    }
    logError(definition.name ?? "action", correlationId, "unexpected", error);
    return failed(UNEXPECTED_FAILURE_MESSAGE, "unexpected");
  }
}
