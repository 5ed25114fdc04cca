/**
 * The sign-in flow's next step, decided again after every step: sign-in, the account picker, a
 * second factor, the registration interrupt, the password change, or the authorization code.
 */
import type { AuthorizeTx, Emulator } from "../../context.js";
import { smsMethod, type DirectoryUser } from "../../directory.js";
import { AadError, errors } from "../../errors.js";
import type { RequestContext } from "../../http.js";
import { isTotpLocked, newTotpSecret, totpUri } from "../../mfa.js";
import { contextName, type Evaluation, type MfaMethod } from "../../policy.js";
import { rememberSignIn } from "../../risk.js";
import { SMS_CODE_TTL_MS, sendSmsCode } from "../../sms.js";
import { secretKey, type SsoSession } from "../../state.js";
import { clientInfo, randomId } from "../../tokens.js";
import { sendPage } from "../../ui/html.js";
import { accountPickerPage, codePage, methodChoicePage, passkeyPage, passwordChangePage, passwordPage, registrationPage, usernamePage, type FlowRef } from "../../ui/pages.js";
import { formTargets, sendErrorToClient, sendToClient } from "../respond.js";
import { allowedMethods, methodsOf, mustProveBeforeRegistering, needsInWords, silentMfaRefusal } from "./methods.js";
import { evaluateTx, logTx, txRisk } from "./transaction.js";

/** Authorization codes live this long (Entra: about ten minutes). */
const CODE_TTL_MS = 10 * 60 * 1000;

/** What a page's forms post back: the transaction, its CSRF token and the tenant in the URL. */
export function flowRef(emu: Emulator, tx: AuthorizeTx): FlowRef {
  return { id: tx.id, csrf: tx.csrf, tenant: emu.tenantId };
}

/** The second-factor choice page listing `methods`, with `reason` saying why it asks. */
export function choicePage(emu: Emulator, ctx: RequestContext, tx: AuthorizeTx, user: DirectoryUser, methods: MfaMethod[], reason: string): string {
  const phone = smsMethod(user)?.phoneNumber;
  return methodChoicePage(ctx.nonce, flowRef(emu, tx), { methods, reason, ...(phone ? { phoneNumber: phone } : {}) });
}

/**
 * The page for a second factor among `methods`: the one chosen, the only one, or the choice.
 * `reason` says why the page is asking.
 */
export function secondFactorPage(
  emu: Emulator,
  ctx: RequestContext,
  tx: AuthorizeTx,
  user: DirectoryUser,
  opts: { methods: MfaMethod[]; allowed: MfaMethod[]; reason?: string; choiceReason: string },
): string {
  const { methods, reason } = opts;
  const flow = flowRef(emu, tx);
  const now = emu.store.now();
  const chosen = tx.chosenMethod && methods.includes(tx.chosenMethod) ? tx.chosenMethod : methods.length === 1 ? methods[0] : undefined;
  const otherMethods = methods.length > 1;
  if (chosen === "totp") {
    const locked = isTotpLocked(emu, user.oid);
    return codePage(ctx.nonce, flow, { otherMethods, locked, ...(reason ? { reason } : {}), ...(locked ? { error: errors.methodLocked().message } : {}) });
  }
  if (chosen === "sms") {
    const phone = smsMethod(user);
    // One code per transaction until it expires or the user asks for a new one.
    if (phone && (tx.smsSentAt === undefined || now - tx.smsSentAt > SMS_CODE_TTL_MS)) {
      sendSmsCode(emu, user);
      tx.smsSentAt = now;
    }
    return codePage(ctx.nonce, flow, { otherMethods, ...(reason ? { reason } : {}), sms: { phoneNumber: phone?.phoneNumber ?? "" } });
  }
  if (chosen === "passkey") return passkeyPage(ctx.nonce, flow, { otherMethods, needs: needsInWords(opts.allowed) === "a passkey" ? "a passkey" : "a second factor" });
  return choicePage(emu, ctx, tx, user, methods, reason ?? opts.choiceReason);
}

/**
 * Decides the next step of a transaction: sign-in, a second factor, the registration interrupt,
 * or the code. Called after every step, so each page asks only for what is still missing.
 */
export async function continueFlow(emu: Emulator, ctx: RequestContext, tx: AuthorizeTx, session: SsoSession | undefined, setCookie?: string): Promise<void> {
  const headers: Record<string, string> = setCookie ? { "Set-Cookie": setCookie } : {};
  const page = (html: string) => sendPage(ctx.res, 200, html, ctx.nonce, formTargets(emu, tx), headers);
  const now = emu.store.now();
  const user = session ? emu.store.user(session.oid) : undefined;
  const fail = (err: AadError, evaluation?: Evaluation, conditionalAccessFailure = false) => {
    emu.pending.delete(tx.id);
    if (user) logTx(emu, ctx, tx, user, session, { error: err, ...(evaluation ? { evaluation } : {}), conditionalAccessFailure });
    sendErrorToClient(emu, ctx, tx, err, headers);
  };
  const hintMismatch = tx.loginHint !== undefined && user !== undefined && user.userPrincipalName.toLowerCase() !== tx.loginHint.toLowerCase();
  const tooOld =
    tx.maxAgeSeconds !== undefined && (session?.auth.passwordAt === undefined || now - session.auth.passwordAt > tx.maxAgeSeconds * 1000);
  // prompt=select_account shows the picker whenever someone is signed in (Entra goes straight to
  // sign-in when no one is); picking the account continues with its session.
  if (tx.prompt === "select_account" && !tx.accountPicked && !tx.passwordInTx && session && user) {
    return page(accountPickerPage(ctx.nonce, flowRef(emu, tx), { accounts: [{ displayName: user.displayName, userPrincipalName: user.userPrincipalName }] }));
  }
  const needSignIn = !session || !user || (!tx.passwordInTx && (tx.prompt === "login" || tooOld || hintMismatch));

  if (needSignIn) {
    if (tx.prompt === "none") return fail(session && user ? new AadError("interaction_required", 50058, "Session information is not sufficient for single-sign-on.") : errors.loginRequired());
    const pending = tx.pendingOid ? emu.store.user(tx.pendingOid) : undefined;
    const hinted = !pending && tx.loginHint ? emu.store.userByUpn(tx.loginHint) : undefined;
    const known = pending ?? hinted;
    if (known) {
      tx.pendingOid = known.oid;
      return page(passwordPage(ctx.nonce, flowRef(emu, tx), { username: known.userPrincipalName }));
    }
    return page(usernamePage(ctx.nonce, flowRef(emu, tx), { ...(tx.loginHint ? { username: tx.loginHint } : {}) }));
  }

  // Entra evaluates the account, risk and Conditional Access after primary authentication.
  const risk = txRisk(emu, ctx, tx, user);
  const evaluation = evaluateTx(emu, ctx, tx, user, session, now);
  // The persona flag stands in for a Block policy the set does not contain.
  if (user.blockedByConditionalAccess) return fail(errors.blockedByCa(), evaluation, true);
  if (user.accountEnabled === false) return fail(errors.userDisabled());
  if (evaluation.blocked) return fail(errors.blockedByCa(), evaluation);
  if (evaluation.required.length > 0) {
    const allowed = allowedMethods(evaluation);
    const usable = methodsOf(user).filter((m) => allowed.includes(m));
    // A risky sign-in may not register a new method: an attacker holding the password would.
    const registrationBlocked = usable.length === 0 && evaluation.required.some((r) => r.riskBased);
    if (tx.prompt === "none") return fail(silentMfaRefusal(user, evaluation, tx.rawClaims), evaluation);

    const scriptIndex = emu.store.state.scripted.findIndex((s) => s.oid === undefined || s.oid === user.oid);
    const script = scriptIndex >= 0 ? emu.store.state.scripted[scriptIndex] : undefined;
    if (script) {
      emu.store.state.scripted.splice(scriptIndex, 1);
      emu.store.save();
      emu.log("scripted_interaction", { oid: user.oid, action: script.action });
      switch (script.action) {
        case "approve": {
          const method = allowed.includes("passkey") ? "passkey" : "totp";
          if (method === "passkey") session.auth.passkeyAt = now;
          else session.auth.totpAt = now;
          tx.steps.push({ method, requirement: "mfa", succeeded: true, at: now, detail: "Approved by a scripted interaction (control API)" });
          emu.store.save();
          return continueFlow(emu, ctx, tx, session, setCookie);
        }
        case "deny":
          return fail(errors.mfaDenied(), evaluation);
        case "cancel":
          return fail(errors.userCancelled(), evaluation);
        case "hang":
          // Holds the request until the client gives up; the transaction expires on its own.
          await new Promise<void>((resolve) => ctx.res.once("close", () => resolve()));
          return;
      }
    }

    if (usable.length === 0) {
      if (registrationBlocked) return fail(errors.proofUpBlockedDueToRisk(), evaluation);
      if (mustProveBeforeRegistering(user, session, now)) {
        const reason = `This request needs ${needsInWords(allowed)}. Verify with a method you already have first; then you can add it.`;
        return page(secondFactorPage(emu, ctx, tx, user, { methods: methodsOf(user), allowed, reason, choiceReason: reason }));
      }
      if (allowed.includes("totp")) tx.pendingTotpSecret ??= newTotpSecret();
      return page(
        registrationPage(ctx.nonce, flowRef(emu, tx), {
          ...(tx.pendingTotpSecret && allowed.includes("totp") ? { totp: { secret: tx.pendingTotpSecret, uri: totpUri(tx.pendingTotpSecret, user.userPrincipalName) } } : {}),
          passkey: allowed.includes("passkey"),
        }),
      );
    }
    const names = evaluation.missing.map((id) => contextName(emu.policy, id)).join(", ");
    const choiceReason = names
      ? `This action (${names}) needs you to verify your identity again.`
      : risk.level !== "none"
        ? "We detected something unusual about this sign-in (simulated Identity Protection). Verify your identity to continue."
        : "Your organization requires you to verify your identity.";
    return page(secondFactorPage(emu, ctx, tx, user, { methods: usable, allowed, choiceReason }));
  }
  // The passwordChange control: the MFA part is met, the secure password change comes next.
  if (evaluation.passwordChange) {
    if (tx.prompt === "none") return fail(errors.passwordChangeRequired(), evaluation);
    return page(passwordChangePage(ctx.nonce, flowRef(emu, tx), {}));
  }

  // Completing what a sign-in-risk policy asked for is Entra's self-remediation.
  if (risk.state === "atRisk" && evaluation.policies.some((p) => p.riskCondition === "signInRisk" && p.result === "success")) {
    risk.state = "remediated";
    risk.detail = "userPassedMFADrivenByRiskBasedPolicy";
  } else if (tx.passwordChanged && risk.state !== "atRisk") {
    risk.state = "remediated";
    risk.detail = "userPerformedSecuredPasswordChange";
  }
  const uti = randomId(16);
  const code = randomId(48);
  emu.store.state.codes[secretKey(code)] = {
    clientId: tx.clientId,
    redirectUri: tx.redirectUri,
    ...(tx.redirectUriDefaulted ? { redirectUriDefaulted: true } : {}),
    ...(tx.codeChallenge ? { codeChallenge: tx.codeChallenge } : {}),
    ...(tx.nonce !== undefined ? { nonce: tx.nonce } : {}),
    scope: tx.scope,
    ...(tx.rawClaims ? { claims: tx.rawClaims } : {}),
    ...(tx.maxAgeSeconds !== undefined ? { maxAgeRequested: true } : {}),
    sessionId: session.id,
    sid: session.sid,
    oid: user.oid,
    auth: { ...session.auth },
    expiresAt: now + CODE_TTL_MS,
    redeemed: false,
    familyId: randomId(16),
    uti,
    signInRisk: { level: risk.level, state: risk.state, detail: risk.detail },
    correlationId: tx.correlationId,
  };
  rememberSignIn(emu, user.oid, { ip: risk.ip, ...(risk.userAgent ? { userAgent: risk.userAgent } : {}), ...(risk.location ? { location: risk.location } : {}), at: now });
  logTx(emu, ctx, tx, user, session, { evaluation, uti });
  emu.store.save();
  emu.pending.delete(tx.id);
  emu.log("code_issued", { clientId: tx.clientId, oid: user.oid, correlationId: tx.correlationId });
  sendToClient(emu, ctx, tx, { code, ...(tx.clientInfo ? { client_info: clientInfo(user.oid, emu.tenantId) } : {}), session_state: session.sid }, headers);
}
