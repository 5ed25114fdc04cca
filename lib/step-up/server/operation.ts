import "server-only";
import type { z } from "zod";
import type { HandlerResult } from "@/lib/actions/result";
import type { PortalSession, PortalUser } from "@/lib/auth/session";
import type { TransactionClient } from "@/lib/data/transaction";
import type { RateLimitDecision } from "@/lib/rate-limit/limiter";
import type { PolicyInput, PolicySetName, StepUpDecision, StepUpOperation } from "@/lib/step-up/policy";
import type { StepUpProof } from "@/lib/step-up/protocol";
import type { ProofClaims, ProofVerifier } from "@/lib/step-up/server/verify-proof";

/** What a protected operation is and what one call of it carries: the contract of enforce.ts with its callers. */

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
