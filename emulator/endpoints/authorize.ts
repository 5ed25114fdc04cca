import { randomUUID, timingSafeEqual } from "node:crypto";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { essentialContexts, parseClaims } from "../claims.js";
import { TX_TTL_MS, type AuthorizeTx, type Emulator, type ResponseMode } from "../context.js";
import { passkeys, smsMethod, totpMethod, type DirectoryUser } from "../directory.js";
import { AadError, errors } from "../errors.js";
import { sendJson, str, type RequestContext } from "../http.js";
import { isTotpLocked, newTotpSecret, totpUri, verifyTotp, WARN_AFTER_FAILURES } from "../mfa.js";
import { contextName, evaluate, methodsFor, MFA_METHODS, type MfaMethod } from "../policy.js";
import { resolveScopes } from "../scopes.js";
import { SMS_CODE_TTL_MS, sendSmsCode, verifySmsCode } from "../sms.js";
import type { SsoSession } from "../state.js";
import { secretKey } from "../state.js";
import { clientInfo, randomId } from "../tokens.js";
import { sendPage } from "../ui/html.js";
import {
  codePage,
  methodChoicePage,
  passkeyPage,
  passwordPage,
  registrationPage,
  usernamePage,
  type FlowRef,
} from "../ui/pages.js";
import { SESSION_COOKIE, sendErrorPage, sendErrorToClient, sendToClient, sessionCookie } from "./respond.js";

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

function correlationOf(ctx: RequestContext, params: Record<string, string>): string | undefined {
  const header = ctx.req.headers["client-request-id"];
  const value = (typeof header === "string" ? header : undefined) ?? params["client-request-id"];
  return value && /^[\w-]{1,64}$/.test(value) ? value : undefined;
}

function flowRef(emu: Emulator, tx: AuthorizeTx): FlowRef {
  return { id: tx.id, csrf: tx.csrf, tenant: emu.tenantId };
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
  const correlationId = correlationOf(ctx, params);
  const clientId = params.client_id ?? "";
  const client = emu.apps.clients.get(clientId);
  if (!client) return sendErrorPage(emu, ctx, errors.unknownClient(clientId), correlationId);
  const redirectUri = params.redirect_uri ?? "";
  if (!client.redirectUris.includes(redirectUri)) return sendErrorPage(emu, ctx, errors.redirectMismatch(redirectUri, clientId), correlationId);

  const mode = (params.response_mode ?? "query") as ResponseMode;
  const target = {
    redirectUri,
    responseMode: RESPONSE_MODES.includes(mode) ? mode : "query",
    ...(params.state !== undefined ? { state: params.state } : {}),
    ...(correlationId ? { correlationId } : {}),
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
    ...(params.login_hint ? { loginHint: params.login_hint } : {}),
    ...(maxAgeSeconds !== undefined ? { maxAgeSeconds } : {}),
    ...(params.claims ? { rawClaims: params.claims } : {}),
    claims,
    passwordInTx: false,
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
 * Decides the next step of a transaction: sign-in, a second factor, the registration interrupt,
 * or the code. Called after every step, so each page asks only for what is still missing.
 */
async function continueFlow(emu: Emulator, ctx: RequestContext, tx: AuthorizeTx, session: SsoSession | undefined, setCookie?: string): Promise<void> {
  const headers: Record<string, string> = setCookie ? { "Set-Cookie": setCookie } : {};
  const page = (html: string) => sendPage(ctx.res, 200, html, ctx.nonce, emu.apps.redirectOrigins, headers);
  const fail = (err: AadError) => {
    emu.pending.delete(tx.id);
    sendErrorToClient(emu, ctx, tx, err, headers);
  };
  const now = emu.store.now();
  const user = session ? emu.store.user(session.oid) : undefined;
  const hintMismatch = tx.loginHint !== undefined && user !== undefined && user.userPrincipalName.toLowerCase() !== tx.loginHint.toLowerCase();
  const tooOld =
    tx.maxAgeSeconds !== undefined && (session?.auth.passwordAt === undefined || now - session.auth.passwordAt > tx.maxAgeSeconds * 1000);
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

  // Entra evaluates the account and Conditional Access after primary authentication.
  if (user.blockedByConditionalAccess) return fail(errors.blockedByCa());
  if (user.accountEnabled === false) return fail(errors.userDisabled());

  const evaluation = evaluate(emu.policy, essentialContexts(tx.claims), { user, auth: session.auth, now });
  // A password change (user risk) is not emulated yet; such policies cannot apply until risk is.
  if (evaluation.blocked) return fail(errors.blockedByCa());
  if (evaluation.required.length > 0) {
    const allowed = MFA_METHODS.filter((m) => evaluation.required.every((r) => methodsFor(r).includes(m)));
    const usable = methodsOf(user).filter((m) => allowed.includes(m));
    if (tx.prompt === "none") return fail(usable.length ? errors.mfaRequired(tx.rawClaims) : errors.mfaRegistrationRequired());

    const scriptIndex = emu.store.state.scripted.findIndex((s) => s.oid === undefined || s.oid === user.oid);
    const script = scriptIndex >= 0 ? emu.store.state.scripted[scriptIndex] : undefined;
    if (script) {
      emu.store.state.scripted.splice(scriptIndex, 1);
      emu.store.save();
      emu.log("scripted_interaction", { oid: user.oid, action: script.action });
      switch (script.action) {
        case "approve":
          if (allowed.includes("passkey")) session.auth.passkeyAt = now;
          else session.auth.totpAt = now;
          emu.store.save();
          return continueFlow(emu, ctx, tx, session, setCookie);
        case "deny":
          return fail(errors.mfaDenied());
        case "cancel":
          return fail(errors.userCancelled());
        case "hang":
          // Holds the request until the client gives up; the transaction expires on its own.
          await new Promise<void>((resolve) => ctx.res.once("close", () => resolve()));
          return;
      }
    }

    const flow = flowRef(emu, tx);
    if (usable.length === 0) {
      if (allowed.includes("totp")) tx.pendingTotpSecret ??= newTotpSecret();
      return page(
        registrationPage(ctx.nonce, flow, {
          ...(tx.pendingTotpSecret && allowed.includes("totp") ? { totp: { secret: tx.pendingTotpSecret, uri: totpUri(tx.pendingTotpSecret, user.userPrincipalName) } } : {}),
          passkey: allowed.includes("passkey"),
        }),
      );
    }
    const chosen = tx.chosenMethod && usable.includes(tx.chosenMethod) ? tx.chosenMethod : usable.length === 1 ? usable[0] : undefined;
    if (chosen === "totp") {
      const locked = isTotpLocked(emu, user.oid);
      return page(codePage(ctx.nonce, flow, { otherMethods: usable.length > 1, locked, ...(locked ? { error: errors.methodLocked().message } : {}) }));
    }
    if (chosen === "sms") {
      const phone = smsMethod(user);
      // One code per transaction until it expires or the user asks for a new one.
      if (phone && (tx.smsSentAt === undefined || now - tx.smsSentAt > SMS_CODE_TTL_MS)) {
        sendSmsCode(emu, user);
        tx.smsSentAt = now;
      }
      return page(codePage(ctx.nonce, flow, { otherMethods: usable.length > 1, sms: { phoneNumber: phone?.phoneNumber ?? "" } }));
    }
    if (chosen === "passkey") return page(passkeyPage(ctx.nonce, flow, { otherMethods: usable.length > 1 }));
    const names = evaluation.missing.map((id) => contextName(emu.policy, id)).join(", ");
    const reason = names ? `This action (${names}) needs you to verify your identity again.` : "Your organization requires you to verify your identity.";
    return page(choicePage(emu, ctx, tx, user, usable, reason));
  }

  const code = randomId(48);
  emu.store.state.codes[secretKey(code)] = {
    clientId: tx.clientId,
    redirectUri: tx.redirectUri,
    ...(tx.codeChallenge ? { codeChallenge: tx.codeChallenge } : {}),
    ...(tx.nonce !== undefined ? { nonce: tx.nonce } : {}),
    scope: tx.scope,
    ...(tx.rawClaims ? { claims: tx.rawClaims } : {}),
    sessionId: session.id,
    sid: session.sid,
    oid: user.oid,
    auth: { ...session.auth },
    expiresAt: now + CODE_TTL_MS,
    redeemed: false,
    familyId: randomId(16),
  };
  emu.store.save();
  emu.pending.delete(tx.id);
  emu.log("code_issued", { clientId: tx.clientId, oid: user.oid, correlationId: tx.correlationId });
  sendToClient(emu, ctx, tx, { code, client_info: clientInfo(user.oid, emu.tenantId), session_state: session.sid }, headers);
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
  const page = (html: string, headers: Record<string, string> = {}) => sendPage(ctx.res, 200, html, ctx.nonce, emu.apps.redirectOrigins, headers);
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
      tx.pendingOid = candidate.oid;
      if (password === undefined) return page(passwordPage(ctx.nonce, flow, { username: candidate.userPrincipalName }));
      if (!safeEqual(password, candidate.password)) {
        emu.log("password_failed", { oid: candidate.oid, correlationId: tx.correlationId });
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
      emu.log("password_ok", { oid: candidate.oid, correlationId: tx.correlationId });
      return continueFlow(emu, ctx, tx, next, cookieValue ? sessionCookie(cookieValue) : undefined);
    }
    case "cancel":
      emu.pending.delete(tx.id);
      return sendErrorToClient(emu, ctx, tx, errors.userCancelled());
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
        emu.log("passkey_failed", { oid: user.oid, reason: err instanceof Error ? err.message : "unknown" });
        return sendJson(ctx.res, 400, { ok: false, error: "invalid_request", error_description: "The passkey could not be verified." });
      }
      delete tx.webauthn;
      session.auth.passkeyAt = now;
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
      emu.store.save();
      emu.log("totp_registered", { oid: user.oid });
      return continueFlow(emu, ctx, tx, session);
    }
    case "register/passkey/options": {
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
      emu.store.save();
      emu.log("passkey_registered", { oid: user.oid });
      return sendJson(ctx.res, 200, { ok: true });
    }
    default:
      return sendErrorPage(emu, ctx, errors.invalidRequest(90010, "The request is not supported."), tx.correlationId, 404);
  }
}
