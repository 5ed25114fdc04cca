/** The sign-in pages' Cancel: the client receives `access_denied` (AADSTS50074, the user cancelled). */
import { errors } from "../../errors.js";
import { sendErrorToClient } from "../respond.js";
import type { Step } from "./step.js";
import { logTx } from "./transaction.js";

/** `cancel`: ends the transaction, logs it for the user it had reached, and answers the client. */
export async function cancelStep(step: Step): Promise<void> {
  const { emu, ctx, tx, session, user } = step;
  emu.pending.delete(tx.id);
  const who = tx.pendingOid ? emu.store.user(tx.pendingOid) : user;
  if (who) logTx(emu, ctx, tx, who, session?.oid === who.oid ? session : undefined, { error: errors.userCancelled() });
  return sendErrorToClient(emu, ctx, tx, errors.userCancelled());
}
