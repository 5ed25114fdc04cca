/** The account picker (`prompt=select_account`) and "Use another account". */
import { str } from "../../http.js";
import { usernamePage } from "../../ui/pages.js";
import { continueFlow } from "./flow.js";
import type { Step } from "./step.js";

/** `account`: the session's account (index 0) continues with it; anything else starts a new sign-in. */
export async function accountStep(step: Step): Promise<void> {
  const { emu, ctx, tx, body, flow, page, session, user } = step;
  // The picker lists the session's account (index 0); anything else is "Use another account".
  tx.accountPicked = true;
  if (str(body, "account") === "0" && session && user) {
    delete tx.loginHint;
    return continueFlow(emu, ctx, tx, session);
  }
  delete tx.pendingOid;
  delete tx.loginHint;
  tx.steps = [];
  tx.passwordInTx = false;
  return page(usernamePage(ctx.nonce, flow));
}

/** `another-account`: drops the hinted or typed user and asks for a name again. */
export async function anotherAccountStep(step: Step): Promise<void> {
  const { ctx, tx, flow, page } = step;
  // Entra's "←" beside the user name: the hint was a suggestion, a person may sign in as anyone.
  delete tx.pendingOid;
  tx.steps = [];
  tx.passwordInTx = false;
  return page(usernamePage(ctx.nonce, flow));
}
