import "server-only";
import type { ActionResult } from "@/lib/actions/result";
import type { PortalSession } from "@/lib/auth/session";
import { grantSessionElevation, hasSessionElevation, recordProofUse } from "@/lib/data/step-up";
import { runTransaction } from "@/lib/data/transaction";
import type { SessionBoundRequirement, StepUpOperation } from "@/lib/step-up/policy";
import { Rollback, execute, proofUse, stepUpRequired, verifyProof, type RunContext } from "@/lib/step-up/server/execute";
import type { BearerProtectedRequest, SessionProtectedRequest } from "@/lib/step-up/server/operation";

/** Session binding, for a browser session or an API caller: one verification counts for a while. */
export function runSessionBound<Op extends StepUpOperation, I, T>(context: RunContext<Op, I, T>, requirement: SessionBoundRequirement): Promise<ActionResult<T>> {
  const { request } = context;
  return request.bearer ? forBearer(context, requirement, request.bearer) : forSession(context, requirement, request);
}

/**
 * For a session: its own strength counts (the sign-in, or an earlier elevation); otherwise a
 * proof elevates the session for `elevationSeconds`, never past its end.
 */
async function forSession<Op extends StepUpOperation, I, T>(
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
    return stepUpRequired(context, requirement, "insufficient_session");
  }

  const verification = await verifyProof(context, requirement, request.proof.token);
  if (!verification.ok) return verification.result;
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
    return stepUpRequired(context, requirement, "replayed");
  }
  await context.auditQuietly("satisfied", { via: "proof", authContext: requirement.authContext, uti: claims.uti, elevatedUntil: expiresAt.toISOString() });
  await request.rotateSession?.(session.sessionId);
  return execute(context, requirement, { requirement: requirement.authContext, uti: claims.uti });
}

/**
 * For an API caller: there is no session to elevate, so the request's own token
 * must carry the context, with `auth_time` (when present) within the policy's freshness. That is
 * the same freshness a proof must have in the browser, matched to the identity provider's sign-in
 * frequency (policy.ts): a stricter limit would make the provider re-issue a token the API keeps
 * refusing. The token is not spent: the client presents it again on every request until it expires.
 */
async function forBearer<Op extends StepUpOperation, I, T>(
  context: RunContext<Op, I, T>,
  requirement: SessionBoundRequirement,
  bearer: BearerProtectedRequest["bearer"],
): Promise<ActionResult<T>> {
  const verification = await verifyProof(context, requirement, bearer.token);
  if (!verification.ok) return verification.result;
  const uti = verification.claims.uti;
  await context.auditQuietly("satisfied", { via: "token", authContext: requirement.authContext, uti });
  return execute(context, requirement, { requirement: requirement.authContext, uti });
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
