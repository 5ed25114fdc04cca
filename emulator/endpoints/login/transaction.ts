/**
 * What an interactive sign-in records about itself: its risk, assessed once (simulated Identity
 * Protection, risk.ts), and its sign-in log entry.
 */
import { resourceOf } from "../../apps.js";
import { essentialContexts } from "../../claims.js";
import type { AuthorizeTx, Emulator, TxRisk } from "../../context.js";
import type { DirectoryUser } from "../../directory.js";
import { AadError } from "../../errors.js";
import type { RequestContext } from "../../http.js";
import { evaluate, type Evaluation } from "../../policy.js";
import { clientNetwork, detectSignInRisk, effectiveUserRisk } from "../../risk.js";
import { recordSignIn } from "../../signin-log.js";
import type { SsoSession } from "../../state.js";
import type { AuthStep } from "../../types.js";

function userAgentOf(ctx: RequestContext): string | undefined {
  const ua = ctx.req.headers["user-agent"];
  return ua ? ua.slice(0, 512) : undefined;
}

/**
 * Assesses the sign-in once per transaction and user (simulated Identity Protection): the network
 * (the user's override or the socket), sign-in risk from the user's history, and user risk.
 */
export function txRisk(emu: Emulator, ctx: RequestContext, tx: AuthorizeTx, user: DirectoryUser): TxRisk {
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

/**
 * Conditional Access for this transaction as it stands: the contexts the client asked for, what
 * the SSO session has proved, this sign-in's risk, and a password changed in it. Entra evaluates
 * after primary authentication and again after every step.
 */
export function evaluateTx(emu: Emulator, ctx: RequestContext, tx: AuthorizeTx, user: DirectoryUser, session: SsoSession, now: number): Evaluation {
  const risk = txRisk(emu, ctx, tx, user);
  return evaluate(emu.policy, essentialContexts(tx.claims), {
    user,
    auth: session.auth,
    now,
    risk: { signIn: risk.level, user: risk.userLevel },
    passwordChanged: tx.passwordChanged === true,
  });
}

/** The latest second-factor verification in a session snapshot. */
export function lastMfaAt(auth: SsoSession["auth"]): number | undefined {
  const times = [auth.totpAt, auth.smsAt, auth.passkeyAt].filter((t): t is number => t !== undefined);
  return times.length ? Math.max(...times) : undefined;
}

/**
 * Writes the sign-in log entry for an interactive sign-in. Steps done in this transaction are
 * listed as they happened; what the SSO session already proved appears as "Previously satisfied".
 */
export function logTx(
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
