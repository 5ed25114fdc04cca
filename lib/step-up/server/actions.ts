"use server";

import { authedAction } from "@/lib/step-up/server/protected-action";
import { success } from "@/lib/actions/result";
import { cancelPendingOperation } from "@/lib/data/step-up";
import { getProofVerifier } from "@/lib/step-up/server/verify-proof";
import { cancelApprovalSchema } from "@/lib/validation/step-up";

/**
 * Cancels the approval a step-up dialog was showing, when the person cancels that dialog: it can
 * then never execute, and it stops counting against the per-user cap on open approvals
 * (`STEP_UP_MAX_OPEN_APPROVALS_PER_USER`). Only the session's own open approval is touched, so
 * one tab's Cancel never ends another tab's approval. No step-up: it only takes a possibility
 * away. Answers success whether or not anything was still open (used, expired and unknown look alike).
 */
export const cancelApprovalAction = authedAction(cancelApprovalSchema, async ({ user, session, input, tx }) => {
  // authedAction always runs with a session; the engine's clock decides expiry, as for the retry.
  if (session) await cancelPendingOperation(tx, user, { id: input.pendingOperationId, sessionId: session.sessionId, now: getProofVerifier().clock() });
  return success(null);
});
