import type { AuthContextId, StepUpOperation } from "@/lib/step-up/policy";
import type { StepUpReason } from "@/lib/step-up/reasons";

/**
 * What every server action returns (STYLE.md §3). Expected outcomes are values, never thrown
 * errors: Next.js replaces a thrown action error with a generic one in production, so a thrown
 * "step-up required" would reach the client as "something went wrong". Client-safe: the client
 * switches on `status` exhaustively, ending in `assertNever`.
 */
export type ActionResult<T> =
  | { status: "success"; data: T; verifiedEarlierAt?: string }
  | { status: "invalid"; fieldErrors: Record<string, string[]> }
  | { status: "step_up_required"; challenge: StepUpChallenge }
  | { status: "failed"; message: string; code?: FailureCode };

/**
 * Machine-readable kinds of expected failure, for callers that answer in another protocol (the
 * JSON API maps them to HTTP statuses, lib/api/responses.ts). The message stays what people read;
 * a failure without a code is a refusal of the request as asked (422 on the API).
 * - `not_found`: the resource does not exist or is someone else's (indistinguishable on purpose);
 * - `not_available`: the operation is unknown to the policy or the policy refused it;
 * - `already_used`: the approval was consumed by an earlier (or concurrent) call;
 * - `idempotency_key_reused`: an API request key already names a different request;
 * - `rate_limited`: the caller went past an abuse limit (lib/rate-limit); nothing was changed;
 * - `busy`: the database was too busy to finish in time (a lock or transaction timeout, a
 *   serialization conflict); the transaction rolled back, so nothing was changed and the same
 *   request may simply be tried again (an approval stays unused);
 * - `unexpected`: something broke; nothing was changed.
 */
export type FailureCode = "not_found" | "not_available" | "already_used" | "idempotency_key_reused" | "rate_limited" | "busy" | "unexpected";

/** A JSON value, as stored in a pending operation's canonical payload. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * What the client needs to step up and retry. Everything in it is safe to show the user who
 * asked: it describes their own request.
 */
export interface StepUpChallenge {
  operation: StepUpOperation;
  /**
   * The claims request for MSAL's `claims` parameter, e.g.
   * `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`. Built per challenge and never
   * cached by the client: the next challenge may name another context.
   */
  claims: string;
  /** The authentication context the proof must carry in `acrs`. */
  authContext: AuthContextId;
  /** `session`: silent token first, then the dialog. `transaction`: always the dialog (a fresh approval). */
  binding: "session" | "transaction";
  /** Transaction binding: the stored operation the retry must name. */
  pendingOperationId?: string;
  /** Transaction binding: exactly what runs after approval (canonical form: money as minor-unit strings). */
  payload?: { [key: string]: JsonValue };
  /** Transaction binding: when the pending operation expires (ISO 8601). */
  expiresAt?: string;
  /**
   * Transaction binding: milliseconds from this answer until a proof can approve the operation
   * (0–1000). A proof must be minted in a later whole second than the operation was stored
   * (lib/step-up/verify-proof.ts, `mintedStrictlyAfter`), so the dialog enables Verify only then:
   * an identity provider that answers at once (a verification moments ago still counts) would
   * otherwise mint a proof in the same second, which the server must refuse.
   */
  approvableInMs?: number;
  /** Server-generated; pass it to MSAL as `correlationId` so the portal's audit and the sign-in logs join. */
  correlationId: string;
  reason: StepUpReason;
}

/**
 * The step-up proof a retry passes as the action's second argument (never a form field): an
 * access token for the portal's API scope and, for transaction binding, the pending operation
 * the user approved.
 */
export interface StepUpProof {
  token: string;
  pendingOperationId?: string;
}

/** What an action's handler may return: it cannot ask for step-up itself (the policy does). */
export type HandlerResult<T> = Extract<ActionResult<T>, { status: "success" | "invalid" | "failed" }>;

/** A successful result. */
export function success<T>(data: T): { status: "success"; data: T } {
  return { status: "success", data };
}

/** A validation failure, with every field's messages (`form` for errors not tied to one field). */
export function invalid(fieldErrors: Record<string, string[]>): { status: "invalid"; fieldErrors: Record<string, string[]> } {
  return { status: "invalid", fieldErrors };
}

/** An expected failure with a message safe to show (never an exception's text) and, where it helps a caller, its kind. */
export function failed(message: string, code?: FailureCode): { status: "failed"; message: string; code?: FailureCode } {
  return code === undefined ? { status: "failed", message } : { status: "failed", message, code };
}

/** The message when an abuse limit refuses a request (lib/rate-limit). */
export const RATE_LIMITED_MESSAGE = "Too many requests. Nothing was changed. Wait a minute and try again.";

/** The message when the database was too busy: nothing was changed, and trying again is safe. */
export const BUSY_FAILURE_MESSAGE = "Woodgrove is busy right now. Nothing was changed. Try again in a moment.";

/** The message for unexpected errors; the error itself is logged on the server only. */
export const UNEXPECTED_FAILURE_MESSAGE = "Something went wrong. Nothing was changed.";

/** Ends an exhaustive switch: a new variant becomes a compile error here. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
