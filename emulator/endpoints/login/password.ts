/** The user name and password pages (`username`, `password`): primary authentication. */
import { randomUUID } from "node:crypto";
import { errors } from "../../errors.js";
import { str } from "../../http.js";
import { secretKey, type SsoSession } from "../../state.js";
import { randomId } from "../../tokens.js";
import { passwordPage, usernamePage } from "../../ui/pages.js";
import { sessionCookie } from "../respond.js";
import { continueFlow } from "./flow.js";
import { safeEqual, type Step } from "./step.js";
import { logTx } from "./transaction.js";

/** Identifies the user from the name typed (or the transaction's), then checks the password and opens or keeps the SSO session. */
export async function passwordStep(step: Step): Promise<void> {
  const { emu, ctx, tx, body, now, flow, page, session } = step;
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
