import "server-only";
import type { ActionResult, FailureCode } from "@/lib/actions/result";
import { UNEXPECTED_FAILURE_MESSAGE } from "@/lib/actions/result";
import { claimsChallengeAuthority, env } from "@/lib/env";
import { insufficientClaimsHeader, type StepUpChallenge } from "@/lib/step-up/protocol";

/**
 * The JSON API's responses. Every answer is JSON with `Cache-Control: no-store` (it carries
 * account data or a decision about one); every error has one shape:
 *
 * ```json
 * { "error": { "code": "invalid_input", "message": "…", "correlationId": "…", "fields": { "amount": ["…"] } } }
 * ```
 *
 * `message` is for people and never an exception's text; `code` is for programs; `correlationId`
 * joins the answer to the portal's audit log (and, for step-up, to the identity provider's
 * sign-in logs).
 */

/** Machine-readable error codes of the API (docs/step-up.md "API for programmatic clients"). */
export type ApiErrorCode =
  | "unauthorized"
  | "invalid_token"
  | "insufficient_claims"
  | "unknown_user"
  | "not_found"
  | "not_available"
  | "invalid_input"
  | "invalid_json"
  | "unsupported_media_type"
  | "payload_too_large"
  | "idempotency_key_required"
  | "invalid_idempotency_key"
  | "idempotency_key_reused"
  | "already_used"
  | "operation_failed"
  | "unavailable"
  | "rate_limited"
  | "busy"
  | "internal_error";

/** Headers every API response carries. */
const BASE_HEADERS = { "Cache-Control": "no-store", "Content-Type": "application/json; charset=utf-8" } as const;

/** A JSON response with the API's base headers. */
export function apiJson(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), { status: init.status ?? 200, headers: { ...BASE_HEADERS, ...init.headers } });
}

/** An error response in the API's one error shape. */
export function apiError(
  status: number,
  code: ApiErrorCode,
  message: string,
  correlationId: string,
  extra: { fields?: Record<string, string[]>; headers?: Record<string, string>; details?: Record<string, unknown> } = {},
): Response {
  return apiJson(
    { error: { code, message, correlationId, ...(extra.fields ? { fields: extra.fields } : {}), ...extra.details } },
    { status, headers: extra.headers },
  );
}

/**
 * 401 with Entra's claims challenge (https://learn.microsoft.com/entra/identity-platform/claims-challenge): `WWW-Authenticate: Bearer realm="<tenant>",
 * authorization_uri="<authorize endpoint>", error="insufficient_claims", claims="<base64>"`. MSAL and Microsoft's own clients read the
 * header; the body repeats the decoded claims for clients that do not parse headers, plus what
 * the portal adds: why, and for a transaction-bound operation the stored payload the retry must
 * repeat (under the same Idempotency-Key) and when it expires.
 */
function challengeResponse(challenge: StepUpChallenge): Response {
  return apiError(401, "insufficient_claims", "This request needs a stronger or more recent sign-in. Get a new token with the claims in this challenge and retry.", challenge.correlationId, {
    headers: { "WWW-Authenticate": insufficientClaimsHeader(challenge.authContext, claimsChallengeAuthority) },
    details: {
      reason: challenge.reason,
      operation: challenge.operation,
      authContext: challenge.authContext,
      claims: challenge.claims,
      binding: challenge.binding,
      ...(challenge.pendingOperationId
        ? {
            pendingOperation: {
              id: challenge.pendingOperationId,
              payload: challenge.payload,
              expiresAt: challenge.expiresAt,
              // A proof must be minted in a later whole second than the approval was stored:
              // a client that already holds a suitable session asks for its token after this long.
              approvableInMs: challenge.approvableInMs,
            },
          }
        : {}),
    },
  });
}

/** HTTP status and API code of each expected failure (lib/actions/result.ts `FailureCode`). */
const FAILURES: Record<FailureCode, { status: number; code: ApiErrorCode }> = {
  not_found: { status: 404, code: "not_found" },
  not_available: { status: 403, code: "not_available" },
  already_used: { status: 409, code: "already_used" },
  idempotency_key_reused: { status: 422, code: "idempotency_key_reused" },
  rate_limited: { status: 429, code: "rate_limited" },
  busy: { status: 503, code: "busy" },
  unexpected: { status: 500, code: "internal_error" },
};

/**
 * The response for an enforcement result other than success: 422 with every field's errors,
 * 401 with a claims challenge, or the failure's status (422 for a refusal without a code, e.g.
 * "not enough money"). A 500 says only that nothing was changed.
 */
export function failureResponse<T>(result: Exclude<ActionResult<T>, { status: "success" }>, correlationId: string): Response {
  switch (result.status) {
    case "invalid":
      return apiError(422, "invalid_input", "The request has invalid fields. Nothing was changed.", correlationId, { fields: result.fieldErrors });
    case "step_up_required":
      return challengeResponse(result.challenge);
    case "failed": {
      const mapped = result.code ? FAILURES[result.code] : { status: 422, code: "operation_failed" as const };
      const message = result.code === "unexpected" ? UNEXPECTED_FAILURE_MESSAGE : result.message;
      // A limit's window is the longest a refused caller has to wait.
      const headers =
        result.code === "rate_limited" ? { "Retry-After": String(env.RATE_LIMIT_WINDOW_SECONDS) } : result.code === "busy" ? { "Retry-After": "1" } : undefined;
      return apiError(mapped.status, mapped.code, message, correlationId, { headers });
    }
  }
}
