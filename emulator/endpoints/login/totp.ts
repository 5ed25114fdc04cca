/** The authenticator app code step (TOTP, with lockout and one use per code: mfa.ts). */
import { totpMethod } from "../../directory.js";
import { errors } from "../../errors.js";
import { str } from "../../http.js";
import { verifyTotp, WARN_AFTER_FAILURES } from "../../mfa.js";
import { codePage } from "../../ui/pages.js";
import { continueFlow } from "./flow.js";
import { methodsOf } from "./methods.js";
import type { SignedInStep } from "./step.js";

/** `totp`: verifies the code against the user's registered secret. */
export async function totpStep(step: SignedInStep): Promise<void> {
  const { emu, ctx, tx, body, now, flow, page, session, user } = step;
  const secret = totpMethod(user)?.secret;
  if (!secret) return continueFlow(emu, ctx, tx, session);
  tx.chosenMethod = "totp";
  const result = verifyTotp(emu, user.oid, secret, str(body, "otc") ?? "");
  // The wrong code that engages the lock says so, as well as being a wrong code: the sign-in log
  // is the only place a reader (the portal's "Security activity") learns that a lockout happened.
  const detail = result.ok ? undefined : result.reason === "locked" ? "Authentication method locked" : `Invalid verification code${result.locked ? "; authentication method locked" : ""}`;
  tx.steps.push({ method: "totp", requirement: "mfa", succeeded: result.ok, at: now, ...(detail ? { detail } : {}) });
  if (result.ok) {
    session.auth.totpAt = now;
    emu.store.save();
    emu.log("totp_ok", { oid: user.oid, correlationId: tx.correlationId });
    return continueFlow(emu, ctx, tx, session);
  }
  emu.log("totp_failed", { oid: user.oid, reason: result.reason, correlationId: tx.correlationId });
  const otherMethods = methodsOf(user).length > 1;
  if (result.locked) return page(codePage(ctx.nonce, flow, { otherMethods, locked: true, error: errors.methodLocked().message }));
  const error = result.reason === "replayed" ? "That code was already used. Wait for the next code and try again." : "That code didn't work. Check the code and try again.";
  const warning =
    result.attemptsLeft <= WARN_AFTER_FAILURES - 1
      ? `${result.attemptsLeft} attempt${result.attemptsLeft === 1 ? "" : "s"} left before your authenticator app is locked for 10 minutes.`
      : undefined;
  return page(codePage(ctx.nonce, flow, { otherMethods, error, ...(warning ? { warning } : {}) }));
}
