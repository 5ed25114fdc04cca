import "server-only";
import type { z } from "zod";
import { headers } from "next/headers";
import { failed, type ActionResult } from "@/lib/actions/result";
import type { StepUpProof } from "@/lib/step-up/protocol";
import { rotateSessionToken } from "@/lib/auth/rotate-session";
import { requireSession } from "@/lib/auth/session";
import { runAuthed, runProtected } from "@/lib/step-up/server/enforce";
import type { ActionHandler, PolicyInputResolver, Precheck, ProtectedActionHandler, ProtectedDefinition } from "@/lib/step-up/server/operation";
import type { PolicyInput, StepUpOperation } from "@/lib/step-up/policy";
import { getProofVerifier } from "@/lib/step-up/server/verify-proof";
import { RATE_LIMITED_MESSAGE, clientIp, limitRequest, limitStepUpProof } from "@/lib/rate-limit";

/**
 * Server-action wrappers (STYLE.md §3). Export what they return from a `'use server'` file:
 *
 * ```ts
 * export const createTransferAction = protectedAction("transfer.create", transferSchema, createTransfer, {
 *   precheck: checkTransfer,
 *   policyInput: transferPolicyInput,
 * });
 * // client: await createTransferAction(input) → step_up_required → popup →
 * //         await createTransferAction(input, { token, pendingOperationId: challenge.pendingOperationId })
 * ```
 *
 * They add only what needs a Next.js request (the session cookie, setting the rotated cookie);
 * lib/step-up/server/enforce.ts holds the logic, which route handlers reuse.
 */

/** A server action: input is `unknown` until parsed; the step-up proof travels as its own argument, never as a form field. */
export type ProtectedServerAction<T> = (input: unknown, proof?: StepUpProof) => Promise<ActionResult<T>>;

/**
 * Options of `protectedAction`: a `precheck` (what can be refused before anyone is asked to verify)
 * and a `policyInput`, required exactly when the operation's policy rule takes an input.
 */
export type ProtectedActionOptions<Op extends StepUpOperation, I> =
  PolicyInput<Op> extends undefined
    ? [options?: { precheck?: Precheck<I> }]
    : [options: { precheck?: Precheck<I>; policyInput: PolicyInputResolver<Op, I> }];

/**
 * A server action for an operation in the step-up policy: session, input parsing (every field
 * error), the precheck, the policy's requirement for this input, the session's strength or a
 * proof, then `handler` in one transaction. An operation missing from the policy does not compile (and a
 * string that names none is denied at run time).
 */
export function protectedAction<Op extends StepUpOperation, I, T>(
  operation: Op,
  schema: z.ZodType<I>,
  handler: ProtectedActionHandler<I, T>,
  ...options: ProtectedActionOptions<Op, I>
): ProtectedServerAction<T> {
  const [extra] = options;
  const policyInput = extra && "policyInput" in extra ? extra.policyInput : undefined;
  const definition = { operation, schema, handler, precheck: extra?.precheck, policyInput } as ProtectedDefinition<Op, I, T>;
  return async (input, proof) => {
    const session = await requireSession();
    if (!(await withinRequestLimits(session.user.id))) return failed(RATE_LIMITED_MESSAGE, "rate_limited");
    return runProtected(definition, {
      session,
      input,
      proof,
      verifier: getProofVerifier(),
      rotateSession: rotateSessionToken,
      limitProof: limitStepUpProof,
    });
  };
}

/**
 * A server action for a mutation that needs a session but no step-up: session, input parsing,
 * then `handler` in one transaction. Anything sensitive belongs in the policy and `protectedAction`.
 */
export function authedAction<I, T>(schema: z.ZodType<I>, handler: ActionHandler<I, T>): (input: unknown) => Promise<ActionResult<T>> {
  return async (input) => {
    const session = await requireSession();
    if (!(await withinRequestLimits(session.user.id))) return failed(RATE_LIMITED_MESSAGE, "rate_limited");
    return runAuthed({ schema, handler }, { session, input });
  };
}

/** Counts the call against the per-user and per-address request limits (lib/rate-limit). */
async function withinRequestLimits(userId: string): Promise<boolean> {
  const decision = await limitRequest(clientIp(await headers()), userId);
  return decision.allowed;
}
