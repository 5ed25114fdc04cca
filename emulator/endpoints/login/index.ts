/**
 * `POST /{tenant}/login/{step}`: the emulator's sign-in pages post here, one file per step. Each
 * step does its part and hands back to `continueFlow` (flow.ts), which picks the next page.
 * The optional extras are reached from few places: simulated SMS (../../sms.ts) from flow.ts, which
 * sends a code when the SMS page is shown, and sms.ts, which checks it; the risk engine
 * (../../risk.ts) from transaction.ts (the assessment), flow.ts (a successful sign-in becomes
 * familiar) and password-change.ts (remediation).
 */
import { TX_TTL_MS, type Emulator } from "../../context.js";
import { errors } from "../../errors.js";
import { sendJson, str, type RequestContext } from "../../http.js";
import { sendPage } from "../../ui/html.js";
import { currentSession } from "../authorize.js";
import { formTargets, sendErrorPage } from "../respond.js";
import { accountStep, anotherAccountStep } from "./account-picker.js";
import { cancelStep } from "./cancel.js";
import { continueFlow, flowRef } from "./flow.js";
import { methodStep } from "./method-choice.js";
import { passkeyOptionsStep, passkeyVerifyStep } from "./passkey.js";
import { passwordChangeStep } from "./password-change.js";
import { passwordStep } from "./password.js";
import { registerPasskeyOptionsStep, registerPasskeyVerifyStep, registerTotpStep } from "./registration.js";
import { smsStep } from "./sms.js";
import { safeEqual, type SignedInStep, type Step } from "./step.js";
import { totpStep } from "./totp.js";

/** Steps of primary authentication and the account picker: no signed-in session needed yet. */
const BEFORE_SIGN_IN = new Map<string, (step: Step) => Promise<void>>([
  ["username", passwordStep],
  ["password", passwordStep],
  ["account", accountStep],
  ["another-account", anotherAccountStep],
  ["cancel", cancelStep],
]);

/** Steps after primary authentication, for the session's user (`continue` re-runs the flow). */
const SIGNED_IN = new Map<string, (step: SignedInStep) => Promise<void>>([
  ["method", methodStep],
  ["totp", totpStep],
  ["sms", smsStep],
  ["passkey/options", passkeyOptionsStep],
  ["passkey/verify", passkeyVerifyStep],
  ["register/totp", registerTotpStep],
  ["register/passkey/options", registerPasskeyOptionsStep],
  ["register/passkey/verify", registerPasskeyVerifyStep],
  ["password/change", passwordChangeStep],
]);

/**
 * `POST /{tenant}/login/{step}`: the emulator's own sign-in pages. Every post names its transaction
 * and carries the transaction's CSRF token.
 */
export async function loginStep(emu: Emulator, ctx: RequestContext): Promise<void> {
  const stepName = ctx.params[1] ?? "";
  const isJson = stepName.endsWith("/options") || stepName.endsWith("/verify");
  const body = await ctx.body();
  const flowId = str(body, "flow") ?? "";
  const tx = emu.pending.get(flowId);
  const now = emu.store.now();
  if (!tx || now - tx.createdAt > TX_TTL_MS || !safeEqual(str(body, "csrf") ?? "", tx.csrf)) {
    if (tx && now - tx.createdAt > TX_TTL_MS) emu.pending.delete(tx.id);
    const err = errors.txExpired();
    if (isJson) return sendJson(ctx.res, 400, { ok: false, error: err.error, error_description: err.message });
    return sendErrorPage(emu, ctx, err);
  }
  const flow = flowRef(emu, tx);
  const page = (html: string, headers: Record<string, string> = {}) => sendPage(ctx.res, 200, html, ctx.nonce, formTargets(emu, tx), headers);
  const session = currentSession(emu, ctx);
  const user = session ? emu.store.user(session.oid) : undefined;

  const step: Step = { emu, ctx, tx, body, now, flow, page, session, user };
  const before = BEFORE_SIGN_IN.get(stepName);
  if (before) return before(step);

  if (!session || !user || tx.pendingOid !== undefined && tx.pendingOid !== user.oid) {
    const err = errors.txExpired();
    if (isJson) return sendJson(ctx.res, 400, { ok: false, error: err.error, error_description: err.message });
    return sendErrorPage(emu, ctx, err);
  }

  if (stepName === "continue") return continueFlow(emu, ctx, tx, session);
  const signedIn = SIGNED_IN.get(stepName);
  if (signedIn) return signedIn({ ...step, session, user });
  return sendErrorPage(emu, ctx, errors.invalidRequest(90010, "The request is not supported."), tx.correlationId, 404);
}
