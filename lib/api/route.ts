import "server-only";
import { randomUUID } from "node:crypto";
import type { PortalUser } from "@/lib/auth/session";
import { authenticateBearer } from "@/lib/api/bearer";
import { RATE_LIMITED_MESSAGE, clientIp, limitRequest, limitStepUpProof, limitUserRequest } from "@/lib/rate-limit";
import { checkUntrustedInput } from "@/lib/security/input";
import { apiError, apiJson, failureResponse } from "@/lib/api/responses";
import { runProtected } from "@/lib/step-up/server/enforce";
import { unexpectedFailure } from "@/lib/step-up/server/execute";
import type { ProtectedDefinition } from "@/lib/step-up/server/operation";
import type { PolicySetName, StepUpOperation } from "@/lib/step-up/policy";
import { getProofVerifier, type ProofVerifier } from "@/lib/step-up/server/verify-proof";

/**
 * Route-handler wrappers for the JSON API, the counterparts of `authedAction` and
 * `protectedAction` (lib/step-up/server/protected-action.ts):
 *
 * ```ts
 * export const POST = protectedRoute(
 *   { operation: "transfer.create", schema: transferSchema, handler, policyInput },
 *   { idempotencyKey: "required", input: ({ request, correlationId }) => readJsonBody(request, correlationId), replay: findTransferByIdempotencyKey },
 * );
 * ```
 *
 * They add only HTTP: the Bearer caller (lib/api/bearer.ts), the Idempotency-Key header, the
 * request's input, and the mapping of results to statuses (lib/api/responses.ts). The policy,
 * proof checks and transaction binding are the enforcement core's (lib/step-up/server/enforce.ts), the
 * same code the server actions run. Every response gets a correlation id; anything unexpected is
 * logged by name and message and answered 500 with no details.
 *
 * Every request counts against the per-address limit before its token is verified (guessing
 * tokens costs the guesser), and against the per-user limit after (lib/rate-limit): past either,
 * 429 with `Retry-After`.
 */

/** What the wrappers need from outside; tests pass their own verifier, clock and policy set. */
export interface ApiDependencies {
  /** Called per request, so the default verifier is created on first use (it reads env). */
  verifier: () => ProofVerifier;
  /** Defaults to `env.STEP_UP_POLICY_SET`. */
  policySet?: PolicySetName;
}

const defaultDependencies: ApiDependencies = { verifier: getProofVerifier };

/** Next.js's second route-handler argument: the dynamic segments, as a promise. */
export interface RouteContext<P> {
  params: Promise<P>;
}

/** A route handler (`GET`, `POST`...). */
export type RouteHandler<P> = (request: Request, context: RouteContext<P>) => Promise<Response>;

/** What a read-only route receives. */
export interface ApiRequestContext<P> {
  user: PortalUser;
  request: Request;
  params: P;
  correlationId: string;
}

/**
 * A route for an authenticated caller that needs no step-up (reads). Anything the step-up
 * policy names must go through `protectedRoute` instead.
 */
export function apiRoute<P = Record<string, never>>(
  handle: (context: ApiRequestContext<P>) => Promise<Response>,
  dependencies: ApiDependencies = defaultDependencies,
): RouteHandler<P> {
  return async (request, routeContext) => {
    const correlationId = randomUUID();
    try {
      const authentication = await authenticateWithinLimits(request, dependencies.verifier(), correlationId);
      if (!authentication.ok) return authentication.response;
      return await handle({ user: authentication.caller.user, request, params: await routeContext.params, correlationId });
    } catch (error) {
      return unexpectedResponse("api", correlationId, error);
    }
  };
}

/** What already happened under a request's idempotency key. */
export type IdempotentOutcome<T> = { kind: "none" } | { kind: "same"; data: T } | { kind: "different" };

/** The raw input of an operation, or the response that refuses the request. */
export type RouteInput = { ok: true; value: unknown } | { ok: false; response: Response };

/** How a protected route reads its request and answers. */
export interface ProtectedRouteOptions<I, T, P> {
  /** The operation's raw input from the request (path, query, JSON body), `unknown` until the schema parses it. */
  input: (context: { request: Request; params: P; idempotencyKey: string | undefined; correlationId: string }) => Promise<RouteInput>;
  /**
   * `"required"`: the request must carry `Idempotency-Key` (a UUID; RFC draft
   * "The Idempotency-Key HTTP Header Field", quoted or bare). Required for any operation the
   * policy may make transaction-bound: the key is what binds the pending approval on the API.
   */
  idempotencyKey?: "required";
  /**
   * For creates that are idempotent by key: what the key already did. Asked before the
   * enforcement core (a completed request is answered again without a new step-up: it reveals
   * only the caller's own result) and after a failure (a concurrent retry may have completed it).
   */
  replay?: (user: PortalUser, input: I) => Promise<IdempotentOutcome<T>>;
  /** Status and headers of a success; default 200. */
  success?: (data: T) => { status: number; headers?: Record<string, string> };
}

/**
 * A route for an operation in the step-up policy: Bearer caller, idempotency key, input, then the
 * enforcement core, whose result becomes the response (200/201, 401 with a claims challenge,
 * 404, 409, 422...). An operation missing from the policy does not compile.
 */
export function protectedRoute<Op extends StepUpOperation, I, T, P = Record<string, never>>(
  definition: ProtectedDefinition<Op, I, T>,
  options: ProtectedRouteOptions<I, T, P>,
  dependencies: ApiDependencies = defaultDependencies,
): RouteHandler<P> {
  const succeed = (data: T, correlationId: string) => {
    const { status, headers } = options.success?.(data) ?? { status: 200 };
    return apiJson({ data, correlationId }, { status, headers });
  };
  const replayed = (outcome: IdempotentOutcome<T>, correlationId: string): Response | null => {
    if (outcome.kind === "same") return apiJson({ data: outcome.data, correlationId }, { status: 200, headers: { "Idempotent-Replayed": "true" } });
    if (outcome.kind === "different") {
      return apiError(422, "idempotency_key_reused", "This Idempotency-Key was already used for a different request. Nothing was changed. Use a new key for a new request.", correlationId);
    }
    return null;
  };

  return async (request, routeContext) => {
    const correlationId = randomUUID();
    try {
      const verifier = dependencies.verifier();
      const authentication = await authenticateWithinLimits(request, verifier, correlationId);
      if (!authentication.ok) return authentication.response;
      const { user, token, claims } = authentication.caller;

      let idempotencyKey: string | undefined;
      if (options.idempotencyKey === "required") {
        const key = idempotencyKeyOf(request);
        if (key.kind === "missing") {
          return apiError(400, "idempotency_key_required", "Send an Idempotency-Key header (a new UUID per request, the same one when you retry it).", correlationId);
        }
        if (key.kind === "invalid") return apiError(400, "invalid_idempotency_key", "The Idempotency-Key header must be a UUID.", correlationId);
        idempotencyKey = key.value;
      }

      const input = await options.input({ request, params: await routeContext.params, idempotencyKey, correlationId });
      if (!input.ok) return input.response;

      // The replay lookup sees only input the enforcement core would accept (plain data its strict schema parses).
      const parsed = options.replay && checkUntrustedInput(input.value).ok ? definition.schema.safeParse(input.value) : undefined;
      if (options.replay && parsed?.success) {
        const early = replayed(await options.replay(user, parsed.data), correlationId);
        if (early) return early;
      }

      const result = await runProtected(definition, {
        bearer: { user, token, claims, idempotencyKey },
        input: input.value,
        verifier,
        policySet: dependencies.policySet,
        correlationId,
        limitProof: limitStepUpProof,
      });
      if (result.status === "success") return succeed(result.data, correlationId);
      // A concurrent retry under the same key may have executed while this one waited: answer
      // with its result rather than "already used".
      if (result.status === "failed" && options.replay && parsed?.success) {
        const late = replayed(await options.replay(user, parsed.data), correlationId);
        if (late) return late;
      }
      return failureResponse(result, correlationId);
    } catch (error) {
      return unexpectedResponse(definition.operation, correlationId, error);
    }
  };
}

/** The per-address limit, the Bearer caller, then the per-user limit; a refusal is the response to send. */
async function authenticateWithinLimits(request: Request, verifier: ProofVerifier, correlationId: string): ReturnType<typeof authenticateBearer> {
  const byAddress = await limitRequest(clientIp(request.headers));
  if (!byAddress.allowed) return { ok: false, response: rateLimited(byAddress.retryAfterSeconds, correlationId) };
  const authentication = await authenticateBearer(request, verifier, correlationId);
  if (!authentication.ok) return authentication;
  const byUser = await limitUserRequest(authentication.caller.user.id);
  if (!byUser.allowed) return { ok: false, response: rateLimited(byUser.retryAfterSeconds, correlationId) };
  return authentication;
}

function rateLimited(retryAfterSeconds: number, correlationId: string): Response {
  return apiError(429, "rate_limited", RATE_LIMITED_MESSAGE, correlationId, { headers: { "Retry-After": String(retryAfterSeconds) } });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The Idempotency-Key header: a UUID, bare (as most APIs take it) or as the structured-field
 * string the IETF draft defines (`"…"`). Compared case-insensitively (lower-cased).
 */
function idempotencyKeyOf(request: Request): { kind: "missing" } | { kind: "invalid" } | { kind: "ok"; value: string } {
  const header = request.headers.get("idempotency-key");
  if (header === null || header.trim() === "") return { kind: "missing" };
  const value = header.trim().replace(/^"(.*)"$/, "$1").toLowerCase();
  return UUID.test(value) ? { kind: "ok", value } : { kind: "invalid" };
}

/** A thrown error as the API answers it: 503 (try again) when the database was only busy, else a bare 500. */
function unexpectedResponse(operation: string, correlationId: string, error: unknown): Response {
  return failureResponse(unexpectedFailure(operation, correlationId, error), correlationId);
}
