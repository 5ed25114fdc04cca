import type { MfaMethod } from "../policy.js";
import { esc, layout } from "./html.js";

/** The transaction fields every form carries. */
export interface FlowRef {
  id: string;
  csrf: string;
  tenant: string;
}

function hidden(flow: FlowRef): string {
  return `<input type="hidden" name="flow" value="${esc(flow.id)}"><input type="hidden" name="csrf" value="${esc(flow.csrf)}">`;
}

function action(flow: FlowRef, step: string): string {
  return `/${esc(flow.tenant)}/login/${step}`;
}

function alert(id: string, message: string | undefined, kind: "error" | "warning" = "error"): string {
  return message ? `<p id="${id}" class="${kind}" role="alert">${esc(message)}</p>` : "";
}

function cancelForm(flow: FlowRef): string {
  return `<form method="post" action="${action(flow, "cancel")}">${hidden(flow)}<button type="submit">Cancel</button></form>`;
}

/** Username step. Labels are a contract with the portal's Playwright tests (see README). */
export function usernamePage(nonce: string, flow: FlowRef, opts: { username?: string; error?: string } = {}): string {
  const described = opts.error ? ' aria-describedby="username-error" aria-invalid="true"' : "";
  return layout({
    title: "Sign in to your account",
    nonce,
    body: `<h1>Sign in</h1>
<form method="post" action="${action(flow, "username")}" novalidate>
${hidden(flow)}
<label for="loginfmt">Email or username</label>
<input id="loginfmt" name="loginfmt" type="email" autocomplete="username" required autofocus value="${esc(opts.username)}"${described}>
${alert("username-error", opts.error)}
<div class="actions"><button class="primary" type="submit">Next</button></div>
</form>
${cancelForm(flow)}`,
  });
}

/** Password step. */
export function passwordPage(nonce: string, flow: FlowRef, opts: { username: string; error?: string; errorCode?: number }): string {
  const described = opts.error ? ' aria-describedby="password-error" aria-invalid="true"' : "";
  return layout({
    title: "Enter password",
    nonce,
    body: `<p class="muted">${esc(opts.username)}</p>
<form method="post" action="${action(flow, "another-account")}">${hidden(flow)}<button type="submit" class="link">Use another account</button></form>
<h1>Enter password</h1>
<form method="post" action="${action(flow, "password")}" novalidate>
${hidden(flow)}
<input type="hidden" name="loginfmt" value="${esc(opts.username)}" autocomplete="username">
<label for="passwd">Password</label>
<input id="passwd" name="passwd" type="password" autocomplete="current-password" required autofocus${described}>
${opts.error ? `<div id="password-error" class="error" role="alert"><p>${esc(opts.error)}</p>${opts.errorCode ? `<p class="muted">Error code: AADSTS${opts.errorCode}</p>` : ""}</div>` : ""}
<div class="actions"><button class="primary" type="submit">Sign in</button></div>
</form>
${cancelForm(flow)}`,
  });
}

/** A phone number as Entra shows it: only the last four digits ("••• ••• 1234"). */
export function maskedPhone(phoneNumber: string): string {
  return `••• ••• ${phoneNumber.replace(/\D/g, "").slice(-4)}`;
}

/** Labels for the second-factor choices (the SMS one names the masked number). */
export function methodLabel(method: MfaMethod, phoneNumber?: string): string {
  switch (method) {
    case "totp":
      return "Use a verification code from my authenticator app";
    case "sms":
      return `Text a code to ${maskedPhone(phoneNumber ?? "")}`;
    case "passkey":
      return "Use a passkey";
  }
}

/**
 * `prompt=select_account`: the accounts signed in to this browser's emulator session, each a
 * button, and "Use another account" (Entra's "Pick an account").
 */
export function accountPickerPage(nonce: string, flow: FlowRef, opts: { accounts: { displayName: string; userPrincipalName: string }[] }): string {
  const accounts = opts.accounts
    .map(
      (a, i) =>
        `<li><button class="method" type="submit" name="account" value="${i}" aria-describedby="account-${i}-state"><strong>${esc(a.displayName)}</strong><br><span class="muted">${esc(a.userPrincipalName)}</span><br><span class="muted" id="account-${i}-state">Signed in</span></button></li>`,
    )
    .join("\n");
  return layout({
    title: "Pick an account",
    nonce,
    body: `<h1>Pick an account</h1>
<form method="post" action="${action(flow, "account")}">
${hidden(flow)}
<ul class="accounts" aria-label="Accounts">
${accounts}
<li><button class="method" type="submit" name="account" value="another">Use another account</button></li>
</ul>
</form>
${cancelForm(flow)}`,
  });
}

/** Method choice: only methods that satisfy what is missing are listed. */
export function methodChoicePage(nonce: string, flow: FlowRef, opts: { methods: MfaMethod[]; phoneNumber?: string; reason: string; notice?: string }): string {
  return layout({
    title: "Verify your identity",
    nonce,
    body: `<h1>Verify your identity</h1>
<p>${esc(opts.reason)}</p>
${alert("method-notice", opts.notice)}
<form method="post" action="${action(flow, "method")}">
${hidden(flow)}
${opts.methods.map((m) => `<button class="method" type="submit" name="method" value="${m}">${esc(methodLabel(m, opts.phoneNumber))}</button>`).join("\n")}
</form>
${cancelForm(flow)}`,
  });
}

/** Code entry: authenticator app, or a texted code when `sms` names the phone it went to. */
export function codePage(
  nonce: string,
  flow: FlowRef,
  opts: { error?: string; warning?: string; locked?: boolean; otherMethods: boolean; sms?: { phoneNumber: string }; reason?: string },
): string {
  const describedBy = [opts.error ? "code-error" : "", opts.warning ? "code-warning" : ""].filter(Boolean).join(" ");
  return layout({
    title: "Enter code",
    nonce,
    body: `<h1>Enter code</h1>
${opts.reason ? `<p id="code-reason">${esc(opts.reason)}</p>` : ""}
<p>${opts.sms ? `We texted your phone ${esc(maskedPhone(opts.sms.phoneNumber))}. Enter the code to sign in.` : "Enter the code displayed in the authenticator app on your device."}</p>
<form method="post" action="${action(flow, opts.sms ? "sms" : "totp")}" novalidate>
${hidden(flow)}
<label for="otc">Enter code</label>
<input id="otc" name="otc" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus${opts.locked ? " disabled" : ""}${describedBy ? ` aria-describedby="${describedBy}" aria-invalid="${opts.error ? "true" : "false"}"` : ""}>
${alert("code-error", opts.error)}
${alert("code-warning", opts.warning, "warning")}
<div class="actions"><button class="primary" type="submit"${opts.locked ? " disabled" : ""}>Verify</button></div>
</form>
${opts.sms ? `<form method="post" action="${action(flow, "method")}">${hidden(flow)}<input type="hidden" name="resend" value="1"><button type="submit" name="method" value="sms">Send a new code</button></form>` : ""}
${opts.otherMethods ? `<form method="post" action="${action(flow, "method")}">${hidden(flow)}<button type="submit" name="method" value="choose">Sign in another way</button></form>` : ""}
${cancelForm(flow)}`,
  });
}

function passkeyScript(purpose: "authenticate" | "register"): string {
  // Configuration travels in data-* attributes so no request data is interpolated into script.
  return `(() => {
  const button = document.getElementById("passkey-button");
  const status = document.getElementById("passkey-status");
  const help = document.getElementById("passkey-help");
  const post = async (url, body) => (await fetch(url, { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json();
  button.addEventListener("click", async () => {
    const { optionsUrl, verifyUrl, flow, csrf } = button.dataset;
    button.disabled = true;
    status.className = "muted";
    status.removeAttribute("role");
    status.textContent = "Waiting for your passkey…";
    try {
      const options = await post(optionsUrl, { flow, csrf });
      if (options.error) throw new Error(options.error_description || options.error);
      const response = await SimpleWebAuthnBrowser.${purpose === "register" ? "startRegistration" : "startAuthentication"}({ optionsJSON: options });
      const result = await post(verifyUrl, { flow, csrf, response });
      if (!result.ok) throw new Error(result.error_description || "The passkey could not be verified.");
      status.textContent = "Passkey verified. Continuing…";
      document.getElementById("continue-form").submit();
    } catch (e) {
      status.className = "error";
      status.setAttribute("role", "alert");
      const notAllowed = Boolean(e && e.name === "NotAllowedError");
      status.textContent = notAllowed ? status.dataset.notAllowed : String(e && e.message ? e.message : e);
      // What to do next is rendered by the server (it knows what the request accepts); shown only
      // when the browser found no passkey or the person cancelled.
      help.hidden = !notAllowed;
      button.disabled = false;
    }
  });
})();`;
}

/**
 * The passkey button, its live status, and `help`: what to do when the browser reports
 * NotAllowedError, which WebAuthn uses both for "no passkey for this site on this device" and for
 * "the person cancelled", so the page cannot tell them apart and must cover both.
 */
function passkeyBlock(flow: FlowRef, purpose: "authenticate" | "register", label: string, help: { failed: string; next: string }): string {
  const base = purpose === "register" ? "register/passkey" : "passkey";
  return `<button id="passkey-button" class="primary" type="button" data-options-url="${action(flow, `${base}/options`)}" data-verify-url="${action(flow, `${base}/verify`)}" data-flow="${esc(flow.id)}" data-csrf="${esc(flow.csrf)}">${esc(label)}</button>
<p id="passkey-status" class="muted" aria-live="polite" data-not-allowed="${esc(help.failed)}"></p>
<div id="passkey-help" hidden><p>${esc(help.next)}</p></div>
<form id="continue-form" method="post" action="${action(flow, "continue")}">${hidden(flow)}</form>`;
}

/**
 * Passkey verification as the second factor. `needs` is what the request accepts: only a passkey
 * (a phishing-resistant strength), or any second factor; the help after a failed attempt says so.
 */
export function passkeyPage(nonce: string, flow: FlowRef, opts: { otherMethods: boolean; needs: "a passkey" | "a second factor" }): string {
  const next =
    opts.needs === "a passkey"
      ? "This request needs a passkey; no other method will do. If your passkey is on another device or a security key, try again and choose it in your browser's prompt. To add a passkey for this device, add it in your security info, then sign in again."
      : opts.otherMethods
        ? "Try again with the device or security key that holds your passkey, or choose Sign in another way to use a different method."
        : "Try again with the device or security key that holds your passkey.";
  return layout({
    title: "Use a passkey",
    nonce,
    body: `<h1>Use a passkey</h1>
<p>Use the passkey saved on this device or a security key to verify your identity.</p>
${passkeyBlock(flow, "authenticate", "Use a passkey", { failed: "No passkey was used: none was found on this device, or the request was cancelled or timed out.", next })}
${opts.otherMethods ? `<form method="post" action="${action(flow, "method")}">${hidden(flow)}<button type="submit" name="method" value="choose">Sign in another way</button></form>` : ""}
${cancelForm(flow)}`,
    scripts: ["/static/simplewebauthn-browser.js", passkeyScript("authenticate")],
  });
}

/**
 * The secure password change a user-risk policy's `passwordChange` control asks for, after MFA.
 * Labels are a contract with the portal's Playwright tests (see README).
 */
export function passwordChangePage(nonce: string, flow: FlowRef, opts: { error?: string }): string {
  const described = opts.error ? ' aria-describedby="password-change-error" aria-invalid="true"' : "";
  return layout({
    title: "Update your password",
    nonce,
    body: `<h1>Update your password</h1>
<p>Your organization requires you to change your password because your account may be at risk (simulated Identity Protection).</p>
<form method="post" action="${action(flow, "password/change")}" novalidate>
${hidden(flow)}
<label for="newPassword">New password</label>
<input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required autofocus${described}>
<label for="confirmPassword">Confirm password</label>
<input id="confirmPassword" name="confirmPassword" type="password" autocomplete="new-password" required${described}>
${alert("password-change-error", opts.error)}
<p class="muted">8 to 256 characters, with at least three of: lowercase letters, uppercase letters, numbers, symbols.</p>
<div class="actions"><button class="primary" type="submit">Update password</button></div>
</form>
${cancelForm(flow)}`,
  });
}

/** The AADSTS50079 interrupt: register an authenticator app and/or a passkey, then continue. */
export function registrationPage(
  nonce: string,
  flow: FlowRef,
  opts: { totp?: { secret: string; uri: string }; passkey: boolean; error?: string },
): string {
  const totp = opts.totp
    ? `<h2>Authenticator app</h2>
<p>Add an account in your authenticator app with this secret key, then enter the code it shows.</p>
<p>Secret key: <span class="secret" id="totp-secret">${esc(opts.totp.secret)}</span></p>
<p class="muted">Setup URI: <code id="totp-uri">${esc(opts.totp.uri)}</code></p>
<form method="post" action="${action(flow, "register/totp")}" novalidate>
${hidden(flow)}
<label for="otc">Enter code</label>
<input id="otc" name="otc" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required${opts.error ? ' aria-describedby="register-error" aria-invalid="true"' : ""}>
${alert("register-error", opts.error)}
<div class="actions"><button class="primary" type="submit">Verify</button></div>
</form>`
    : "";
  const passkey = opts.passkey
    ? `<h2>Passkey</h2>
<p>Create a passkey on this device or a security key.</p>
${passkeyBlock(flow, "register", "Register a passkey", {
  failed: "No passkey was created: the request was cancelled or timed out.",
  next: "Try again. Your browser may also offer to save the passkey on a phone or a security key.",
})}`
    : "";
  return layout({
    title: "More information required",
    nonce,
    body: `<h1>More information required</h1>
<p>Your organization needs more information to keep your account secure. Set up a sign-in method to continue. (AADSTS50079)</p>
${totp}
${passkey}
${cancelForm(flow)}`,
    scripts: opts.passkey ? ["/static/simplewebauthn-browser.js", passkeyScript("register")] : [],
  });
}

/** An error the user cannot fix here: code, plain message, correlation and trace ids. */
export function errorPage(
  nonce: string,
  opts: { code: number; message: string; correlationId: string; traceId: string; timestamp: string; backUrl?: string },
): string {
  return layout({
    title: "Sign-in error",
    nonce,
    body: `<h1>Sorry, but we’re having trouble signing you in.</h1>
<div role="alert"><p id="error-code"><strong>AADSTS${opts.code}</strong>: ${esc(opts.message)}</p></div>
<dl class="details">
<dt>Correlation ID</dt><dd id="correlation-id">${esc(opts.correlationId)}</dd>
<dt>Trace ID</dt><dd id="trace-id">${esc(opts.traceId)}</dd>
<dt>Timestamp</dt><dd>${esc(opts.timestamp)}</dd>
</dl>
${opts.backUrl ? `<p><a href="${esc(opts.backUrl)}">Back to the application</a></p>` : ""}`,
  });
}

/**
 * `GET /error?code=n`, where every `error_uri` points: what the code means (Entra's error code
 * lookup page), with a form to look up another.
 */
export function errorLookupPage(nonce: string, opts: { code?: string; meaning?: string }): string {
  const result =
    opts.code === undefined
      ? ""
      : opts.meaning
        ? `<p id="error-code"><strong>AADSTS${esc(opts.code)}</strong>: ${esc(opts.meaning)}</p>`
        : `<p id="error-code">The emulator doesn’t answer with error code ${esc(opts.code)}.</p>`;
  return layout({
    title: "Error code lookup",
    nonce,
    body: `<h1>Error code lookup</h1>
${result}
<form method="get" action="/error">
<label for="code">Error code</label>
<input id="code" name="code" type="text" inputmode="numeric" value="${esc(opts.code ?? "")}">
<div class="actions"><button class="primary" type="submit">Look up</button></div>
</form>
<p class="muted">Every code Microsoft Entra ID can answer: <a href="https://learn.microsoft.com/entra/identity-platform/reference-error-codes">Microsoft Entra authentication and authorization error codes</a>.</p>`,
  });
}

/** Shown by the logout endpoint when there is no registered place to return to. */
export function signedOutPage(nonce: string): string {
  return layout({
    title: "You signed out",
    nonce,
    body: `<h1>You signed out of your account</h1>
<p id="signed-out">It’s a good idea to close all browser windows.</p>`,
  });
}

/** `response_mode=form_post`: an auto-submitting form (with a button when script is off). */
export function formPostPage(nonce: string, target: string, params: Record<string, string>): string {
  const inputs = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join("");
  return layout({
    title: "Working…",
    nonce,
    body: `<h1>Working…</h1>
<form id="form-post" method="post" action="${esc(target)}">${inputs}<noscript><button class="primary" type="submit">Continue</button></noscript></form>`,
    scripts: ['document.getElementById("form-post").submit();'],
  });
}
