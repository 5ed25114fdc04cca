/** The second-factor choice page ("Verify your identity"). */
import { str } from "../../http.js";
import { continueFlow, choicePage } from "./flow.js";
import { methodsOf } from "./methods.js";
import type { SignedInStep } from "./step.js";

/** `method`: remembers the method picked (or shows the choice again) and continues. */
export async function methodStep(step: SignedInStep): Promise<void> {
  const { emu, ctx, tx, body, page, session, user } = step;
  const method = str(body, "method");
  if (method === "totp" || method === "sms" || method === "passkey") tx.chosenMethod = method;
  else delete tx.chosenMethod;
  if (method === "sms" && str(body, "resend") === "1") delete tx.smsSentAt;
  if (method === "choose") return page(choicePage(emu, ctx, tx, user, methodsOf(user), "Choose how to verify your identity."));
  return continueFlow(emu, ctx, tx, session);
}
