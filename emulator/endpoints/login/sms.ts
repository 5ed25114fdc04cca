/** The text message code step (simulated SMS, an optional extra: sms.ts). */
import { smsMethod } from "../../directory.js";
import { str } from "../../http.js";
import { verifySmsCode } from "../../sms.js";
import { codePage, maskedPhone } from "../../ui/pages.js";
import { continueFlow } from "./flow.js";
import { methodsOf } from "./methods.js";
import type { SignedInStep } from "./step.js";

/** `sms`: verifies the code sent to the user's phone in this transaction. */
export async function smsStep(step: SignedInStep): Promise<void> {
  const { emu, ctx, tx, body, now, flow, page, session, user } = step;
  const phone = smsMethod(user);
  if (!phone) return continueFlow(emu, ctx, tx, session);
  tx.chosenMethod = "sms";
  const result = verifySmsCode(emu, user.oid, str(body, "otc") ?? "");
  tx.steps.push({ method: "sms", requirement: "mfa", succeeded: result.ok, at: now, detail: result.ok ? maskedPhone(phone.phoneNumber) : "Invalid verification code" });
  if (result.ok) {
    session.auth.smsAt = now;
    emu.store.save();
    emu.log("sms_ok", { oid: user.oid, correlationId: tx.correlationId });
    return continueFlow(emu, ctx, tx, session);
  }
  emu.log("sms_failed", { oid: user.oid, reason: result.reason, correlationId: tx.correlationId });
  const error = {
    invalid: "That code didn't work. Check the code and try again.",
    expired: "That code has expired. Send a new code and try again.",
    used: "That code was already used. Send a new code and try again.",
    tooManyAttempts: "Too many wrong codes. Send a new code and try again.",
  }[result.reason];
  return page(codePage(ctx.nonce, flow, { otherMethods: methodsOf(user).length > 1, error, sms: { phoneNumber: phone.phoneNumber } }));
}
