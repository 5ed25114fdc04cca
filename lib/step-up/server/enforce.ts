import "server-only";
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { failed, invalid, type ActionResult, type HandlerResult } from "@/lib/actions/result";
import { fieldErrorsOf, unknownMembersOf } from "@/lib/actions/field-errors";
import type { PortalSession } from "@/lib/auth/session";
import { recordAuditEvent, type AuditDetailValue } from "@/lib/data/audit";
import { getPendingOperation, type PendingOperationRecord } from "@/lib/data/step-up";
import { runTransaction, type TransactionClient } from "@/lib/data/transaction";
import { env } from "@/lib/env";
import { checkUntrustedInput } from "@/lib/security/input";
import { isStepUpOperation, resolveRequirement, type StepUpOperation, type StepUpRequirement } from "@/lib/step-up/policy";
import type { StepUpProof } from "@/lib/step-up/protocol";
import { MESSAGES, Rollback, execute, logError, unexpectedFailure } from "@/lib/step-up/server/execute";
import type { ActionHandler, ProtectedDefinition, ProtectedRequest } from "@/lib/step-up/server/operation";
import { runSessionBound } from "@/lib/step-up/server/session-binding";
import { runTransactionBound } from "@/lib/step-up/server/transaction-binding";

/**
 * The enforcement core shared by server actions (lib/step-up/server/protected-action.ts) and the JSON
 * API's route handlers (lib/api/route.ts): caller → input → precheck → policy → proof → handler,
 * in that order, always. It takes the caller (a session, or a verified Bearer token), the verifier and
 * the session rotation as arguments, so it runs (and is tested) outside a Next.js request.
 * docs/step-up.md draws the sequence. This file is the order; the bindings are in session-binding.ts
 * and transaction-binding.ts, what they share in execute.ts, operations and calls in operation.ts.
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
  const user = request.bearer ? request.bearer.user : request.session.user;
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
    const policySet = request.policySet ?? env.STEP_UP_POLICY_SET;
    const resolution = resolveRequirement(policySet, operation, policyInput);
    if (resolution.kind === "denied") {
      await auditQuietly(`rejected:${resolution.reason}`);
      return failed(MESSAGES.unknownOperation, "not_available");
    }

    const context = { definition, request, user, input, correlationId, now, policySet, audit, auditQuietly };
    if (resolution.kind === "none") return await execute(context, null, { requirement: "none" });
    const requirement: StepUpRequirement = resolution.requirement;
    return requirement.binding === "session" ? await runSessionBound(context, requirement) : await runTransactionBound(context, requirement, pending);
  } catch (error) {
    const failure = unexpectedFailure(operation, correlationId, error);
    if (failure.code === "busy") await auditQuietly("failed:busy", {});
    else await auditQuietly("failed", { error: error instanceof Error ? error.name : "unknown" });
    return failure;
  }
}

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
    return unexpectedFailure(definition.name ?? "action", correlationId, error);
  }
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
