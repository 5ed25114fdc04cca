import { randomUUID, timingSafeEqual } from "node:crypto";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { isRegisteredRedirectUri, resourceOf } from "../apps.js";
import { essentialContexts, parseClaims } from "../claims.js";
import { TX_TTL_MS, type AuthorizeTx, type Emulator, type ResponseMode, type TxRisk } from "../context.js";
import { passkeys, smsMethod, totpMethod, type DirectoryUser } from "../directory.js";
import { AadError, errors } from "../errors.js";
import { clientRequestIdOf, sendJson, str, type RequestContext } from "../http.js";
import { isTotpLocked, newTotpSecret, totpUri, verifyTotp, WARN_AFTER_FAILURES } from "../mfa.js";
import { contextName, evaluate, methodsFor, MFA_METHODS, type Evaluation, type MfaMethod } from "../policy.js";
import { clientNetwork, detectSignInRisk, effectiveUserRisk, passwordProblem, rememberSignIn, remediateUserRisk } from "../risk.js";
import { recordSignIn } from "../signin-log.js";
import { resolveScopes } from "../scopes.js";
import { SMS_CODE_TTL_MS, sendSmsCode, verifySmsCode } from "../sms.js";
import type { SsoSession } from "../state.js";
import { secretKey } from "../state.js";
import type { AuthStep } from "../types.js";
import { clientInfo, oidFromLoginHint, randomId } from "../tokens.js";
import { sendPage } from "../ui/html.js";
import {
  accountPickerPage,
  codePage,
  maskedPhone,
  methodChoicePage,
  passkeyPage,
  passwordChangePage,
  passwordPage,
  registrationPage,
  usernamePage,
  type FlowRef,
} from "../ui/pages.js";
import { formTargets, SESSION_COOKIE, sendErrorPage, sendErrorToClient, sendToClient, sessionCookie } from "./respond.js";

/** Authorization codes live this long (Entra: about ten minutes). */
const CODE_TTL_MS = 10 * 60 * 1000;
const RESPONSE_MODES: readonly ResponseMode[] = ["query", "fragment", "form_post"];

type AuthenticatorTransportFuture = NonNullable<
  NonNullable<Parameters<typeof generateAuthenticationOptions>[0]["allowCredentials"]>[number]["transports"]
>[number];

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function stringParams(input: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) if (typeof v === "string") out[k] = v;
  return out;
}

function flowRef(emu: Emulator, tx: AuthorizeTx): FlowRef {
  return { id: tx.id, csrf: tx.csrf, tenant: emu.tenantId };
}

function userAgentOf(ctx: RequestContext): string | undefined {
  const ua = ctx.req.headers["user-agent"];
  return ua ? ua.slice(0, 512) : undefined;
}

/**
 * Assesses the sign-in once per transaction and user (simulated Identity Protection): the network
 * (the user's override or the socket), sign-in risk from the user's history, and user risk.
 */
function txRisk(emu: Emulator, ctx: RequestContext, tx: AuthorizeTx, user: DirectoryUser): TxRisk {
  if (tx.risk?.oid === user.oid) return tx.risk;
  const { ip, location } = clientNetwork(emu, ctx, user.oid);
  const userAgent = userAgentOf(ctx);
  const result = detectSignInRisk(emu.store.state.signInHistory[user.oid], { ip, ...(userAgent ? { userAgent } : {}), ...(location ? { location } : {}), at: emu.store.now() }, emu.network);
  tx.risk = {
    oid: user.oid,
    ip,
    ...(userAgent ? { userAgent } : {}),
    ...(location ? { location } : {}),
    level: result.level,
    eventTypes: result.detections.map((d) => d.riskEventType),
    userLevel: effectiveUserRisk(emu, user.oid),
    state: result.level === "none" ? "none" : "atRisk",
    detail: "none",
  };
  if (result.detections.length) emu.log("risk_detected", { oid: user.oid, level: result.level, detections: tx.risk.eventTypes, correlationId: tx.correlationId });
  return tx.risk;
}

/** The latest second-factor verification in a session snapshot. */
function lastMfaAt(auth: SsoSession["auth"]): number | undefined {
  const times = [auth.totpAt, auth.smsAt, auth.passkeyAt].filter((t): t is number => t !== undefined);
  return times.length ? Math.max(...times) : undefined;
}

/**
 * Writes the sign-in log entry for an interactive sign-in. Steps done in this transaction are
 * listed as they happened; what the SSO session already proved appears as "Previously satisfied".
 */
function logTx(
  emu: Emulator,
  ctx: RequestContext,
  tx: AuthorizeTx,
  user: DirectoryUser,
  session: SsoSession | undefined,
  outcome: { error?: AadError; evaluation?: Evaluation; uti?: string; steps?: AuthStep[]; conditionalAccessFailure?: boolean; additionalDetails?: string },
): void {
  const client = emu.apps.clients.get(tx.clientId);
  if (!client) return;
  const risk = txRisk(emu, ctx, tx, user);
  const steps = [...(outcome.steps ?? tx.steps)];
  const mfaInTx = steps.some((s) => s.requirement === "mfa" && s.succeeded);
  const mfaRequired = (outcome.evaluation?.policies ?? []).some(
    (p) => (p.result === "success" || p.result === "failure") && p.enforcedGrantControls.some((c) => c === "Mfa" || c === "RequireAuthenticationStrength"),
  );
  if (!outcome.steps && session && !steps.some((s) => s.method === "password" && s.succeeded) && session.auth.passwordAt !== undefined) {
    steps.unshift({ method: "previous", requirement: "primary", succeeded: true, at: session.auth.passwordAt });
  }
  const previousMfa = session ? lastMfaAt(session.auth) : undefined;
  if (!outcome.error && mfaRequired && !mfaInTx && previousMfa !== undefined) steps.push({ method: "previous", requirement: "mfa", succeeded: true, at: previousMfa });
  const satisfied = new Set(outcome.evaluation?.satisfied ?? []);
  const contexts = essentialContexts(tx.claims).map((id) => ({ id, detail: satisfied.has(id) && !mfaInTx ? ("previouslySatisfied" as const) : ("required" as const) }));
  const additionalDetails =
    outcome.additionalDetails ?? (outcome.error ? undefined : mfaInTx ? "MFA completed in Azure AD" : mfaRequired ? "MFA requirement satisfied by claim in the token" : undefined);
  recordSignIn(emu, {
    at: emu.store.now(),
    user,
    client,
    resource: resourceOf(emu.apps, tx.scopes.audience),
    interactive: true,
    correlationId: tx.correlationId,
    ip: risk.ip,
    ...(risk.userAgent ? { userAgent: risk.userAgent } : {}),
    ...(risk.location ? { location: risk.location } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
    ...(additionalDetails ? { additionalDetails } : {}),
    ...(outcome.evaluation ? { evaluation: outcome.evaluation } : {}),
    ...(outcome.conditionalAccessFailure ? { conditionalAccessStatus: "failure" as const } : {}),
    contexts,
    steps,
    risk: { level: risk.level, userLevel: risk.userLevel, state: risk.state, detail: risk.detail, eventTypes: risk.eventTypes },
    ...(outcome.uti ? { uti: outcome.uti } : {}),
  });
}

/** The SSO session named by the cookie, if it still exists and its user does. */
export function currentSession(emu: Emulator, ctx: RequestContext): SsoSession | undefined {
  const id = ctx.cookies()[SESSION_COOKIE];
  const session = id ? emu.store.state.sessions[secretKey(id)] : undefined;
  return session && emu.store.user(session.oid) ? session : undefined;
}

/**
 * `GET|POST /{tenant}/oauth2/v2.0/authorize`: validates the client and redirect URI first (errors
 * there cannot be sent back), then everything else goes back to the redirect URI.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow
 */
export async function authorize(emu: Emulator, ctx: RequestContext): Promise<void> {
  const params = ctx.req.method === "POST" ? stringParams(await ctx.body()) : ctx.query();
  // Always one id per request, so the error the client sees and the sign-in log entry match.
  const correlationId = clientRequestIdOf(ctx, params) ?? randomUUID();
  const clientId = params.client_id ?? "";
  const client = emu.apps.clients.get(clientId);
  if (!client) return sendErrorPage(emu, ctx, errors.unknownClient(clientId), correlationId);
  // Without redirect_uri, an app with exactly one registered redirect URI is answered there
  // (RFC 6749 §3.1.2.3); with several, the request cannot say where to go (README, "redirect_uri").
  const [onlyRedirectUri, ...otherRedirectUris] = client.redirectUris;
  if (params.redirect_uri === undefined && (onlyRedirectUri === undefined || otherRedirectUris.length > 0)) {
    return sendErrorPage(emu, ctx, errors.invalidRequest(900144, "The request body must contain the following parameter: 'redirect_uri'."), correlationId);
  }
  const redirectUri = params.redirect_uri ?? onlyRedirectUri ?? "";
  if (!isRegisteredRedirectUri(client, redirectUri)) return sendErrorPage(emu, ctx, errors.redirectMismatch(redirectUri, clientId), correlationId);

  const mode = (params.response_mode ?? "query") as ResponseMode;
  const target = {
    redirectUri,
    ...(params.redirect_uri === undefined ? { redirectUriDefaulted: true } : {}),
    responseMode: RESPONSE_MODES.includes(mode) ? mode : "query",
    ...(params.state !== undefined ? { state: params.state } : {}),
    correlationId,
  } as const;
  const fail = (err: AadError) => sendErrorToClient(emu, ctx, target, err);

  if (!RESPONSE_MODES.includes(mode)) return fail(errors.invalidRequest(900144, `The response_mode '${mode}' is not supported.`));
  if (params.response_type !== "code") {
    return fail(new AadError("unsupported_response_type", 700054, `response_type '${params.response_type ?? ""}' is not enabled for the application.`));
  }
  if (params.amr_values !== undefined) return fail(errors.invalidRequest(901002, "The 'amr_values' request parameter isn't supported."));
  let scopes;
  let claims;
  try {
    scopes = resolveScopes(emu.apps, params.scope);
    claims = parseClaims(params.claims);
  } catch (err) {
    if (err instanceof AadError) return fail(err);
    throw err;
  }
  const challenge = params.code_challenge;
  if (client.platform === "spa" && !challenge) {
    return fail(errors.invalidRequest(9002325, "Proof Key for Code Exchange is required for cross-origin authorization code redemption."));
  }
  if (challenge !== undefined && (params.code_challenge_method !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(challenge))) {
    return fail(errors.invalidRequest(501491, "Invalid code_challenge or code_challenge_method: only S256 is accepted."));
  }
  let maxAgeSeconds: number | undefined;
  if (params.max_age !== undefined) {
    maxAgeSeconds = Number(params.max_age);
    if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 0) return fail(errors.invalidRequest(50133, "max_age must be a non-negative integer."));
  }
  // A login_hint claim value stands for its user's name (the pages show the name, never the value).
  const hintedOid = params.login_hint ? oidFromLoginHint(emu.tenantId, params.login_hint) : undefined;
  const loginHint = hintedOid ? emu.store.user(hintedOid)?.userPrincipalName : params.login_hint;
  const now = emu.store.now();
  const tx: AuthorizeTx = {
    ...target,
    id: randomId(24),
    csrf: randomId(24),
    createdAt: now,
    clientId,
    ...(params.nonce !== undefined ? { nonce: params.nonce } : {}),
    scope: params.scope ?? "",
    scopes,
    ...(challenge !== undefined ? { codeChallenge: challenge } : {}),
    ...(params.prompt !== undefined ? { prompt: params.prompt } : {}),
    ...(loginHint ? { loginHint } : {}),
    ...(maxAgeSeconds !== undefined ? { maxAgeSeconds } : {}),
    ...(params.claims ? { rawClaims: params.claims } : {}),
    ...(params.client_info === "1" ? { clientInfo: true } : {}),
    claims,
    passwordInTx: false,
    steps: [],
  };
  for (const [id, old] of emu.pending) if (now - old.createdAt > TX_TTL_MS) emu.pending.delete(id);
  emu.pending.set(tx.id, tx);
  emu.log("authorize", { clientId, prompt: tx.prompt, essential: essentialContexts(claims), correlationId });
  await continueFlow(emu, ctx, tx, currentSession(emu, ctx));
}

function methodsOf(user: DirectoryUser): MfaMethod[] {
  const has: Record<MfaMethod, boolean> = { totp: Boolean(totpMethod(user)), sms: Boolean(smsMethod(user)), passkey: passkeys(user).length > 0 };
  return MFA_METHODS.filter((m) => has[m]);
}

function choicePage(emu: Emulator, ctx: RequestContext, tx: AuthorizeTx, user: DirectoryUser, methods: MfaMethod[], reason: string): string {
  const phone = smsMethod(user)?.phoneNumber;
  return methodChoicePage(ctx.nonce, flowRef(emu, tx), { methods, reason, ...(phone ? { phoneNumber: phone } : {}) });
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
function allowedMethods(evaluation: Evaluation): MfaMethod[] {
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
function mustProveBeforeRegistering(user: DirectoryUser, session: SsoSession, now: number): boolean {
  const proven = lastMfaAt(session.auth);
  return methodsOf(user).length > 0 && (proven === undefined || now - proven > REGISTRATION_PROOF_MS);
}

/**
 * The methods the registration interrupt may add in this transaction now: none unless a required
 * context accepts no method the person has, registration is not refused for risk, and any existing
 * method was proven. Checked again by the registration endpoints, which a page only links to.
 */
function registrableNow(emu: Emulator, ctx: RequestContext, tx: AuthorizeTx, user: DirectoryUser, session: SsoSession): MfaMethod[] {
  const now = emu.store.now();
  const risk = txRisk(emu, ctx, tx, user);
  const evaluation = evaluate(emu.policy, essentialContexts(tx.claims), {
    user,
    auth: session.auth,
    now,
    risk: { signIn: risk.level, user: risk.userLevel },
    passwordChanged: tx.passwordChanged === true,
  });
  if (evaluation.blocked || evaluation.required.length === 0 || evaluation.required.some((r) => r.riskBased)) return [];
  const allowed = allowedMethods(evaluation);
  if (methodsOf(user).some((m) => allowed.includes(m)) || mustProveBeforeRegistering(user, session, now)) return [];
  return allowed.filter((m) => m !== "sms");
}

/** What the request still needs, in the words of the pages ("a passkey"). */
function needsInWords(allowed: MfaMethod[]): string {
  return allowed.length === 1 && allowed[0] === "passkey" ? "a passkey" : "a sign-in method your account doesn't have yet";
}

/**
 * The page for a second factor among `methods`: the one chosen, the only one, or the choice.
 * `reason` says why the page is asking.
 */
function secondFactorPage(
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
async function continueFlow(emu: Emulator, ctx: RequestContext, tx: AuthorizeTx, session: SsoSession | undefined, setCookie?: string): Promise<void> {
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
  const evaluation = evaluate(emu.policy, essentialContexts(tx.claims), {
    user,
    auth: session.auth,
    now,
    risk: { signIn: risk.level, user: risk.userLevel },
    passwordChanged: tx.passwordChanged === true,
  });
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

function webauthnRp(emu: Emulator): { rpID: string; origin: string } {
  return { rpID: new URL(emu.origin).hostname, origin: emu.origin };
}

/**
 * `POST /{tenant}/login/{step}`: the emulator's own sign-in pages. Every post names its transaction
 * and carries the transaction's CSRF token.
 */
export async function loginStep(emu: Emulator, ctx: RequestContext): Promise<void> {
  const step = ctx.params[1] ?? "";
  const isJson = step.endsWith("/options") || step.endsWith("/verify");
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

  switch (step) {
    case "username":
    case "password": {
      const username = (str(body, "loginfmt") ?? "").trim();
      const password = str(body, "passwd");
      const candidate = username ? emu.store.userByUpn(username) : tx.pendingOid ? emu.store.user(tx.pendingOid) : undefined;
      if (!candidate) {
        return page(
          usernamePage(ctx.nonce, flow, {
            username,
            error: username
              ? "This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin. (AADSTS50034)"
              : "Enter a valid email address or username.",
          }),
        );
      }
      // Steps belong to one user: typing another user name starts over.
      if (tx.pendingOid !== undefined && tx.pendingOid !== candidate.oid) tx.steps = [];
      tx.pendingOid = candidate.oid;
      if (password === undefined) return page(passwordPage(ctx.nonce, flow, { username: candidate.userPrincipalName }));
      if (!safeEqual(password, candidate.password)) {
        emu.log("password_failed", { oid: candidate.oid, correlationId: tx.correlationId });
        // Each wrong password is a failed sign-in of its own in Entra's log (50126).
        logTx(emu, ctx, tx, candidate, undefined, { error: errors.invalidCredentials(), steps: [{ method: "password", requirement: "primary", succeeded: false, at: now }] });
        return page(
          passwordPage(ctx.nonce, flow, {
            username: candidate.userPrincipalName,
            error: "Your account or password is incorrect. If you don't remember your password, reset it now.",
            errorCode: 50126,
          }),
        );
      }
      // Re-entering the password keeps second factors already proven on this browser's session.
      const keep = session && session.oid === candidate.oid ? session : undefined;
      const cookieValue = keep ? undefined : randomId(32);
      const next: SsoSession = keep ?? { id: secretKey(cookieValue ?? ""), sid: randomUUID(), oid: candidate.oid, createdAt: now, auth: {} };
      next.auth.passwordAt = now;
      emu.store.state.sessions[next.id] = next;
      emu.store.save();
      tx.passwordInTx = true;
      tx.steps.push({ method: "password", requirement: "primary", succeeded: true, at: now });
      emu.log("password_ok", { oid: candidate.oid, correlationId: tx.correlationId });
      return continueFlow(emu, ctx, tx, next, cookieValue ? sessionCookie(cookieValue) : undefined);
    }
    case "account": {
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
    case "another-account": {
      // Entra's "←" beside the user name: the hint was a suggestion, a person may sign in as anyone.
      delete tx.pendingOid;
      tx.steps = [];
      tx.passwordInTx = false;
      return page(usernamePage(ctx.nonce, flow));
    }
    case "cancel": {
      emu.pending.delete(tx.id);
      const who = tx.pendingOid ? emu.store.user(tx.pendingOid) : user;
      if (who) logTx(emu, ctx, tx, who, session?.oid === who.oid ? session : undefined, { error: errors.userCancelled() });
      return sendErrorToClient(emu, ctx, tx, errors.userCancelled());
    }
  }

  if (!session || !user || tx.pendingOid !== undefined && tx.pendingOid !== user.oid) {
    const err = errors.txExpired();
    if (isJson) return sendJson(ctx.res, 400, { ok: false, error: err.error, error_description: err.message });
    return sendErrorPage(emu, ctx, err);
  }
  const rp = webauthnRp(emu);

  switch (step) {
    case "continue":
      return continueFlow(emu, ctx, tx, session);
    case "method": {
      const method = str(body, "method");
      if (method === "totp" || method === "sms" || method === "passkey") tx.chosenMethod = method;
      else delete tx.chosenMethod;
      if (method === "sms" && str(body, "resend") === "1") delete tx.smsSentAt;
      if (method === "choose") return page(choicePage(emu, ctx, tx, user, methodsOf(user), "Choose how to verify your identity."));
      return continueFlow(emu, ctx, tx, session);
    }
    case "totp": {
      const secret = totpMethod(user)?.secret;
      if (!secret) return continueFlow(emu, ctx, tx, session);
      tx.chosenMethod = "totp";
      const result = verifyTotp(emu, user.oid, secret, str(body, "otc") ?? "");
      tx.steps.push({ method: "totp", requirement: "mfa", succeeded: result.ok, at: now, ...(result.ok ? {} : { detail: result.reason === "locked" ? "Authentication method locked" : "Invalid verification code" }) });
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
    case "sms": {
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
    case "passkey/options": {
      const creds = passkeys(user);
      if (creds.length === 0) return sendJson(ctx.res, 400, { ok: false, error: "invalid_request", error_description: "No passkey is registered." });
      const options = await generateAuthenticationOptions({
        rpID: rp.rpID,
        userVerification: "required",
        allowCredentials: creds.map((c) => ({ id: c.credentialId, ...(c.transports ? { transports: c.transports as AuthenticatorTransportFuture[] } : {}) })),
      });
      tx.webauthn = { challenge: options.challenge, purpose: "authenticate" };
      return sendJson(ctx.res, 200, options);
    }
    case "passkey/verify": {
      const response = body.response as AuthenticationResponseJSON | undefined;
      const cred = passkeys(user).find((c) => c.credentialId === response?.id);
      if (!response || !cred || tx.webauthn?.purpose !== "authenticate") {
        return sendJson(ctx.res, 400, { ok: false, error: "invalid_request", error_description: "This passkey isn't registered for your account." });
      }
      try {
        const result = await verifyAuthenticationResponse({
          response,
          expectedChallenge: tx.webauthn.challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.rpID,
          requireUserVerification: true,
          credential: {
            id: cred.credentialId,
            publicKey: new Uint8Array(Buffer.from(cred.publicKey, "base64url")),
            counter: cred.signCount,
            ...(cred.transports ? { transports: cred.transports as AuthenticatorTransportFuture[] } : {}),
          },
        });
        if (!result.verified) throw new Error("not verified");
        cred.signCount = result.authenticationInfo.newCounter;
      } catch (err) {
        tx.steps.push({ method: "passkey", requirement: "mfa", succeeded: false, at: now, detail: "The passkey could not be verified" });
        emu.log("passkey_failed", { oid: user.oid, reason: err instanceof Error ? err.message : "unknown" });
        return sendJson(ctx.res, 400, { ok: false, error: "invalid_request", error_description: "The passkey could not be verified." });
      }
      delete tx.webauthn;
      session.auth.passkeyAt = now;
      tx.steps.push({ method: "passkey", requirement: "mfa", succeeded: true, at: now });
      emu.store.save();
      emu.log("passkey_ok", { oid: user.oid, correlationId: tx.correlationId });
      return sendJson(ctx.res, 200, { ok: true });
    }
    case "register/totp": {
      const secret = tx.pendingTotpSecret;
      if (!secret) return continueFlow(emu, ctx, tx, session);
      const result = verifyTotp(emu, user.oid, secret, str(body, "otc") ?? "");
      if (!result.ok) {
        return page(
          registrationPage(ctx.nonce, flow, {
            totp: { secret, uri: totpUri(secret, user.userPrincipalName) },
            passkey: true,
            error: "That code didn't work. Check the code and try again.",
          }),
        );
      }
      user.methods.push({ type: "softwareOath", secret });
      delete tx.pendingTotpSecret;
      session.auth.totpAt = now;
      tx.steps.push({ method: "totp", requirement: "mfa", succeeded: true, at: now, detail: "Registered during sign-in" });
      emu.store.save();
      emu.log("totp_registered", { oid: user.oid });
      return continueFlow(emu, ctx, tx, session);
    }
    case "register/passkey/options": {
      if (!registrableNow(emu, ctx, tx, user, session).includes("passkey")) {
        return sendJson(ctx.res, 400, { ok: false, error: "invalid_request", error_description: "No passkey registration is due in this sign-in." });
      }
      const options = await generateRegistrationOptions({
        rpName: "Woodgrove (emulated Entra ID)",
        rpID: rp.rpID,
        userName: user.userPrincipalName,
        userDisplayName: user.displayName,
        userID: new Uint8Array(Buffer.from(user.oid, "utf8")),
        attestationType: "none",
        excludeCredentials: passkeys(user).map((c) => ({ id: c.credentialId })),
        authenticatorSelection: { residentKey: "required", userVerification: "required" },
      });
      tx.webauthn = { challenge: options.challenge, purpose: "register" };
      return sendJson(ctx.res, 200, options);
    }
    case "register/passkey/verify": {
      const response = body.response as RegistrationResponseJSON | undefined;
      if (!response || tx.webauthn?.purpose !== "register") return sendJson(ctx.res, 400, { ok: false, error: "invalid_request", error_description: "No passkey registration is in progress." });
      try {
        const result = await verifyRegistrationResponse({
          response,
          expectedChallenge: tx.webauthn.challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.rpID,
          requireUserVerification: true,
        });
        if (!result.verified) throw new Error("not verified");
        const { credential } = result.registrationInfo;
        user.methods.push({
          type: "fido2",
          credentialId: credential.id,
          publicKey: Buffer.from(credential.publicKey).toString("base64url"),
          signCount: credential.counter,
          userHandle: Buffer.from(user.oid, "utf8").toString("base64url"),
          ...(credential.transports ? { transports: credential.transports } : {}),
        });
      } catch (err) {
        emu.log("passkey_register_failed", { oid: user.oid, reason: err instanceof Error ? err.message : "unknown" });
        return sendJson(ctx.res, 400, { ok: false, error: "invalid_request", error_description: "The passkey could not be registered." });
      }
      delete tx.webauthn;
      session.auth.passkeyAt = now;
      tx.steps.push({ method: "passkey", requirement: "mfa", succeeded: true, at: now, detail: "Registered during sign-in" });
      emu.store.save();
      emu.log("passkey_registered", { oid: user.oid });
      return sendJson(ctx.res, 200, { ok: true });
    }
    case "password/change": {
      // Only offered once the passwordChange control's MFA part is met; anything else re-evaluates.
      const risk = txRisk(emu, ctx, tx, user);
      const evaluation = evaluate(emu.policy, essentialContexts(tx.claims), {
        user,
        auth: session.auth,
        now,
        risk: { signIn: risk.level, user: risk.userLevel },
        passwordChanged: tx.passwordChanged === true,
      });
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
    default:
      return sendErrorPage(emu, ctx, errors.invalidRequest(90010, "The request is not supported."), tx.correlationId, 404);
  }
}
