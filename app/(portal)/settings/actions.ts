"use server";

import { revalidatePath } from "next/cache";
import { authedAction, protectedAction } from "@/lib/step-up/server/protected-action";
import type { ActionResult } from "@/lib/actions/result";
import type { StepUpProof } from "@/lib/step-up/protocol";
import { failed } from "@/lib/actions/result";
import { checkLimitChange, getLimitChangePolicyInput, updateTransferLimits, type TransferLimitSummary } from "@/lib/data/limits";
import { checkPayeeChangeable, createPayee, removePayee, updatePayee } from "@/lib/data/payees";
import { updateNotificationPreferences, type NotificationPreferences } from "@/lib/data/preferences";
import { endOtherSessions } from "@/lib/data/sessions";
import type { PayeeSummary } from "@/lib/data/transfers";
import {
  createPayeeSchema,
  endOtherSessionsSchema,
  notificationPreferencesSchema,
  removePayeeSchema,
  updateLimitsSchema,
  updatePayeeSchema,
} from "@/lib/validation/settings";

/**
 * The settings actions. Payees and ending other sessions are `security.update` (transaction-bound
 * c2: the approval dialog shows the stored payload, which runs once); limits are `limits.update`,
 * whose rule asks for the same step-up only when the change raises a limit; notification
 * preferences need a session only. What can be refused before verification (a payee that is gone,
 * a limit above the ceiling or judged against stale limits) is refused by the precheck, with no
 * approval asked for. Every handler writes through the core's `tx`, so a refusal or
 * a failed approval writes nothing. Paths are revalidated after the core, outside it (STYLE.md §3).
 */

const createPayeeCore = protectedAction("security.update", createPayeeSchema, ({ user, input, tx, correlationId }) => createPayee(tx, user, input, correlationId));
const updatePayeeCore = protectedAction("security.update", updatePayeeSchema, ({ user, input, tx, correlationId }) => updatePayee(tx, user, input, correlationId), {
  precheck: ({ user, input }) => checkPayeeChangeable(user, input),
});
const removePayeeCore = protectedAction("security.update", removePayeeSchema, ({ user, input, tx, correlationId }) => removePayee(tx, user, input, correlationId), {
  precheck: ({ user, input }) => checkPayeeChangeable(user, input),
});
const updateLimitsCore = protectedAction("limits.update", updateLimitsSchema, ({ user, input, tx, correlationId }) => updateTransferLimits(tx, user, input, correlationId), {
  precheck: ({ user, input }) => checkLimitChange(user, input),
  policyInput: ({ user, input }) => getLimitChangePolicyInput(user, input),
});
const endOtherSessionsCore = protectedAction("security.update", endOtherSessionsSchema, ({ session, tx, correlationId }) => {
  // A server action always has a session; the API (no session) never exposes this operation.
  if (!session) return Promise.resolve(failed("This needs a browser session."));
  return endOtherSessions(tx, session.user, session.sessionId, correlationId);
});
const updateNotificationsCore = authedAction(notificationPreferencesSchema, ({ user, input, tx, correlationId }) => updateNotificationPreferences(tx, user, input, correlationId));

function revalidatedOn<T>(path: string, result: ActionResult<T>): ActionResult<T> {
  if (result.status === "success") revalidatePath(path);
  return result;
}

/** Adds a payee (`security.update`). */
export async function createPayeeAction(input: unknown, proof?: StepUpProof): Promise<ActionResult<PayeeSummary>> {
  const result = revalidatedOn("/settings/payees", await createPayeeCore(input, proof));
  if (result.status === "success") revalidatePath("/transfer");
  return result;
}

/** Edits a payee's name, bank or account number (`security.update`). */
export async function updatePayeeAction(input: unknown, proof?: StepUpProof): Promise<ActionResult<PayeeSummary>> {
  const result = revalidatedOn("/settings/payees", await updatePayeeCore(input, proof));
  if (result.status === "success") revalidatePath("/transfer");
  return result;
}

/** Removes a payee (`security.update`; a soft delete, lib/data/payees.ts). */
export async function removePayeeAction(input: unknown, proof?: StepUpProof): Promise<ActionResult<PayeeSummary>> {
  const result = revalidatedOn("/settings/payees", await removePayeeCore(input, proof));
  if (result.status === "success") revalidatePath("/transfer");
  return result;
}

/** Changes one currency's transfer limits (`limits.update`: step-up only when raising). */
export async function updateLimitsAction(input: unknown, proof?: StepUpProof): Promise<ActionResult<TransferLimitSummary>> {
  return revalidatedOn("/settings/limits", await updateLimitsCore(input, proof));
}

/** Signs out every other session of this user (`security.update`). */
export async function endOtherSessionsAction(input: unknown, proof?: StepUpProof): Promise<ActionResult<{ ended: number }>> {
  return revalidatedOn("/settings/security", await endOtherSessionsCore(input, proof));
}

/** Saves notification preferences (a session, no step-up). */
export async function updateNotificationPreferencesAction(input: unknown): Promise<ActionResult<NotificationPreferences>> {
  return revalidatedOn("/settings", await updateNotificationsCore(input));
}
