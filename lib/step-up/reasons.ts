/**
 * Why a step-up was asked for or a proof refused: one vocabulary for the challenge the client
 * receives, the audit log and the tests. Client-safe (no server imports): the step-up dialog
 * may switch on these. None of them says more than the caller could learn from its own token.
 */

/** Why verify-proof.ts refused a proof. */
export const PROOF_REJECTIONS = [
  "malformed",
  "unsupported_alg",
  "bad_signature",
  "expired",
  "not_yet_valid",
  "id_token",
  "wrong_issuer",
  "wrong_audience",
  "wrong_version",
  "wrong_azp",
  "missing_scope",
  "wrong_tenant",
  "wrong_user",
  "missing_context",
  "stale_auth_time",
  "minted_before_operation",
  "replayed",
] as const;

/** A reason a proof was refused. */
export type ProofRejection = (typeof PROOF_REJECTIONS)[number];

/**
 * Why a transaction-bound retry could not use its pending operation: it was replaced by a newer
 * request, expired, is unknown to this user and session, or the re-submitted input differs from
 * what the user approved.
 */
export const PENDING_REJECTIONS = ["payload_changed", "pending_expired", "pending_cancelled", "pending_not_found"] as const;

/** A reason a pending operation could not be used. */
export type PendingRejection = (typeof PENDING_REJECTIONS)[number];

/**
 * Why the server answers `step_up_required`:
 * - `missing_proof`: a transaction-bound operation called without a proof (the first call);
 * - `insufficient_session`: a session-bound operation the session is not (or no longer) elevated for;
 * - a proof rejection or a pending-operation rejection.
 */
export type StepUpReason = "missing_proof" | "insufficient_session" | ProofRejection | PendingRejection;
