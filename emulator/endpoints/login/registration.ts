/**
 * The registration interrupt: adding an authenticator app or a passkey during sign-in, when a
 * required context accepts no method the person has (`registrableNow` in methods.ts decides).
 */
import { generateRegistrationOptions, verifyRegistrationResponse, type RegistrationResponseJSON } from "@simplewebauthn/server";
import type { AuthorizeTx, Emulator } from "../../context.js";
import { appendDirectoryAudit, securityInfoRegistered, type RegisteredMethod } from "../../directory-audit.js";
import { passkeys, type DirectoryUser } from "../../directory.js";
import { sendJson, str } from "../../http.js";
import { totpUri, verifyTotp } from "../../mfa.js";
import { registrationPage } from "../../ui/pages.js";
import { continueFlow } from "./flow.js";
import { registrableNow } from "./methods.js";
import type { SignedInStep } from "./step.js";
import { webauthnRp } from "./webauthn.js";

/** Writes the directory audit entry Entra logs when a user registers security info. */
function auditRegistration(emu: Emulator, tx: AuthorizeTx, user: DirectoryUser, method: RegisteredMethod, at: number): void {
  appendDirectoryAudit(emu.store.state.directoryAudits, securityInfoRegistered({ at, user, method, correlationId: tx.correlationId, ...(tx.risk?.ip ? { ip: tx.risk.ip } : {}) }));
}

/** `register/totp`: confirms the offered secret with a first code, then adds it. */
export async function registerTotpStep(step: SignedInStep): Promise<void> {
  const { emu, ctx, tx, body, now, flow, page, session, user } = step;
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
  auditRegistration(emu, tx, user, "softwareOath", now);
  emu.store.save();
  emu.log("totp_registered", { oid: user.oid });
  return continueFlow(emu, ctx, tx, session);
}

/** `register/passkey/options`: the creation options, only when a passkey may be added now. */
export async function registerPasskeyOptionsStep(step: SignedInStep): Promise<void> {
  const { emu, ctx, tx, session, user } = step;
  const rp = webauthnRp(emu);
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

/** `register/passkey/verify`: checks the attestation and adds the passkey. */
export async function registerPasskeyVerifyStep(step: SignedInStep): Promise<void> {
  const { emu, ctx, tx, body, now, session, user } = step;
  const rp = webauthnRp(emu);
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
  auditRegistration(emu, tx, user, "fido2", now);
  emu.store.save();
  emu.log("passkey_registered", { oid: user.oid });
  return sendJson(ctx.res, 200, { ok: true });
}
