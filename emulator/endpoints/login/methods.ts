/**
 * Which second factors a person has, which ones a request accepts, and when the registration
 * interrupt may add one. Shared by the sign-in steps and, for `prompt=none` and refresh, the token
 * endpoint (`silentMfaRefusal`).
 */
import type { AuthorizeTx, Emulator } from "../../context.js";
import { passkeys, smsMethod, totpMethod, type DirectoryUser } from "../../directory.js";
import { AadError, errors } from "../../errors.js";
import type { RequestContext } from "../../http.js";
import { methodsFor, MFA_METHODS, type Evaluation, type MfaMethod } from "../../policy.js";
import type { SsoSession } from "../../state.js";
import { evaluateTx, lastMfaAt } from "./transaction.js";

/** The second factors the user has registered, in the pages' order. */
export function methodsOf(user: DirectoryUser): MfaMethod[] {
  const has: Record<MfaMethod, boolean> = { totp: Boolean(totpMethod(user)), sms: Boolean(smsMethod(user)), passkey: passkeys(user).length > 0 };
  return MFA_METHODS.filter((m) => has[m]);
}

/**
 * How recent a verification with an existing method must be before a new method may be added.
 * Combined registration asks a person who already has an MFA method to use it first; Entra's
 * own registration APIs accept one from the last 10 minutes.
 *
 * @see https://learn.microsoft.com/entra/identity/authentication/concept-registration-mfa-sspr-combined#combined-registration-modes
 * @see https://learn.microsoft.com/graph/api/authentication-post-fido2methods
 */
const REGISTRATION_PROOF_MS = 10 * 60 * 1000;

/** The methods that satisfy every unmet requirement of an evaluation. */
export function allowedMethods(evaluation: Evaluation): MfaMethod[] {
  return MFA_METHODS.filter((m) => evaluation.required.every((r) => methodsFor(r).includes(m)));
}

/**
 * What a request that may not interact is answered when Conditional Access still needs a second
 * factor: 50076 (verify a method the user has), 50079 (register one first) or 53004 (registration
 * is blocked because the sign-in is risky). Shared by `prompt=none` here and the refresh grant.
 */
export function silentMfaRefusal(user: DirectoryUser, evaluation: Evaluation, rawClaims: string | undefined): AadError {
  const allowed = allowedMethods(evaluation);
  const usable = methodsOf(user).filter((m) => allowed.includes(m));
  if (usable.length) return errors.mfaRequired(rawClaims);
  // A risky sign-in may not register a new method: an attacker holding the password would.
  return evaluation.required.some((r) => r.riskBased) ? errors.proofUpBlockedDueToRisk() : errors.mfaRegistrationRequired();
}

/**
 * Whether the person must first verify with a method they already have before the registration
 * interrupt lets them add one. Without this, the password alone would be enough to add a passkey.
 */
export function mustProveBeforeRegistering(user: DirectoryUser, session: SsoSession, now: number): boolean {
  const proven = lastMfaAt(session.auth);
  return methodsOf(user).length > 0 && (proven === undefined || now - proven > REGISTRATION_PROOF_MS);
}

/**
 * The methods the registration interrupt may add in this transaction now: none unless a required
 * context accepts no method the person has, registration is not refused for risk, and any existing
 * method was proven. Checked again by the registration endpoints, which a page only links to.
 */
export function registrableNow(emu: Emulator, ctx: RequestContext, tx: AuthorizeTx, user: DirectoryUser, session: SsoSession): MfaMethod[] {
  const now = emu.store.now();
  const evaluation = evaluateTx(emu, ctx, tx, user, session, now);
  if (evaluation.blocked || evaluation.required.length === 0 || evaluation.required.some((r) => r.riskBased)) return [];
  const allowed = allowedMethods(evaluation);
  if (methodsOf(user).some((m) => allowed.includes(m)) || mustProveBeforeRegistering(user, session, now)) return [];
  return allowed.filter((m) => m !== "sms");
}

/** What the request still needs, in the words of the pages ("a passkey"). */
export function needsInWords(allowed: MfaMethod[]): string {
  return allowed.length === 1 && allowed[0] === "passkey" ? "a passkey" : "a sign-in method your account doesn't have yet";
}
