/** Signing in with a registered passkey (WebAuthn, user verification required). */
import { generateAuthenticationOptions, verifyAuthenticationResponse, type AuthenticationResponseJSON } from "@simplewebauthn/server";
import { passkeys } from "../../directory.js";
import { sendJson } from "../../http.js";
import type { SignedInStep } from "./step.js";
import { webauthnRp, type AuthenticatorTransportFuture } from "./webauthn.js";

/** `passkey/options`: the assertion options for the page's script. */
export async function passkeyOptionsStep(step: SignedInStep): Promise<void> {
  const { emu, ctx, tx, user } = step;
  const rp = webauthnRp(emu);
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

/** `passkey/verify`: checks the assertion and records the passkey as verified now. */
export async function passkeyVerifyStep(step: SignedInStep): Promise<void> {
  const { emu, ctx, tx, body, now, session, user } = step;
  const rp = webauthnRp(emu);
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
