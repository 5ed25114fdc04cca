import type { StepUpChallenge } from "@/lib/step-up/protocol";

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
