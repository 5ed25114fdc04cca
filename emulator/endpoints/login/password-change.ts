/** The secure password change (the `passwordChange` grant control, for user risk). */
import { str } from "../../http.js";
import { passwordProblem, remediateUserRisk } from "../../risk.js";
import { passwordChangePage } from "../../ui/pages.js";
import { continueFlow } from "./flow.js";
import type { SignedInStep } from "./step.js";
import { evaluateTx } from "./transaction.js";

/** `password/change`: sets the new password once the control's MFA part is met, remediating user risk. */
export async function passwordChangeStep(step: SignedInStep): Promise<void> {
  const { emu, ctx, tx, body, now, flow, page, session, user } = step;
  // Only offered once the passwordChange control's MFA part is met; anything else re-evaluates.
  const evaluation = evaluateTx(emu, ctx, tx, user, session, now);
  if (!evaluation.passwordChange || evaluation.required.length > 0 || evaluation.blocked) return continueFlow(emu, ctx, tx, session);
  const problem = passwordProblem(str(body, "newPassword") ?? "", str(body, "confirmPassword") ?? "", user.password);
  if (problem) return page(passwordChangePage(ctx.nonce, flow, { error: problem }));
  user.password = str(body, "newPassword") ?? "";
  remediateUserRisk(emu, user.oid);
  tx.passwordChanged = true;
  emu.store.save();
  emu.log("password_changed", { oid: user.oid, reason: "userRisk", correlationId: tx.correlationId });
  return continueFlow(emu, ctx, tx, session);
}
