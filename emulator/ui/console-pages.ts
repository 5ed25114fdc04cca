/**
 * The admin console's pages (emulator/console.ts serves them): plain server-rendered HTML, no
 * script, every form a normal POST (or GET for filters), tables with captions and header cells.
 * Whatever the emulator invents (risk, detections, text messages) is labelled as simulated.
 */
import type { DirectoryUser } from "../directory.js";
import type { ConditionalAccessPolicy, PolicySet, PolicySetName, PolicyState } from "../policy.js";
import type { RiskyUser } from "../risk.js";
import type { SignInLocation } from "../types.js";
import type { SignInLogEntry } from "../signin-log.js";
import { esc } from "./html.js";
import { maskedPhone } from "./pages.js";

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:"Segoe UI","Segoe UI Web",-apple-system,BlinkMacSystemFont,Roboto,"Helvetica Neue",Arial,sans-serif;background:#f2f2f2;color:#1b1b1b;font-size:15px;line-height:1.45}
header{background:#fff;border-bottom:1px solid #c8c6c4;padding:12px 24px;display:flex;flex-wrap:wrap;gap:12px 24px;align-items:center;justify-content:space-between}
.brand{display:flex;gap:8px;align-items:center;font-size:14px;color:#323130}
.badge{border:1px solid #8a8886;border-radius:2px;padding:1px 6px;font-size:12px;color:#323130;background:#faf9f8}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:4px 16px;margin:0;padding:0}
nav a{color:#005a9e;text-decoration:none;padding:4px 2px;border-bottom:2px solid transparent}
nav a[aria-current=page]{border-bottom-color:#005a9e;font-weight:600}
nav a:hover{text-decoration:underline}
.who{display:flex;gap:8px;align-items:center;font-size:14px}
.who form{margin:0}
main{max-width:1200px;margin:24px auto;padding:24px 32px;background:#fff;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:26px;font-weight:600;margin:0 0 12px}
h2{font-size:20px;font-weight:600;margin:28px 0 8px}
h3{font-size:16px;font-weight:600;margin:0 0 8px}
a{color:#005a9e}
a:focus,button:focus,input:focus,select:focus,summary:focus{outline:3px solid #0067b8;outline-offset:2px}
.skip{position:absolute;left:-10000px;top:8px;background:#fff;padding:8px;z-index:1}
.skip:focus{left:8px}
.vh{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.note{background:#fff4ce;border-left:4px solid #8a6d00;padding:8px 12px;margin:12px 0}
.notice{background:#dff6dd;border-left:4px solid #107c10;padding:8px 12px;margin:12px 0}
.problem{background:#fde7e9;border-left:4px solid #a4262c;padding:8px 12px;margin:12px 0}
.muted{color:#605e5c;font-size:13px}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:14px}
caption{text-align:left;font-weight:600;padding:4px 0 8px;font-size:15px}
th,td{border:1px solid #c8c6c4;padding:6px 8px;text-align:left;vertical-align:top}
thead th{background:#f3f2f1}
td form{margin:4px 0}
button{font:inherit;font-size:14px;padding:4px 10px;border:1px solid #605e5c;background:#fff;color:#1b1b1b;cursor:pointer}
button.primary{background:#0067b8;border-color:#0067b8;color:#fff}
label{font-weight:600;display:block;margin-bottom:2px}
input[type=text],input[type=datetime-local],select{font:inherit;font-size:14px;padding:4px 6px;border:1px solid #605e5c;background:#fff;color:#1b1b1b;min-width:12em}
.filters{display:flex;flex-wrap:wrap;gap:12px 16px;align-items:flex-end;margin:8px 0 16px}
.policy{border:1px solid #c8c6c4;padding:12px 16px;margin:12px 0}
.policy dl,.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:8px 0}
dt{font-weight:600}
dd{margin:0}
fieldset{border:1px solid #c8c6c4;padding:8px 12px;margin:8px 0}
legend{font-weight:600;padding:0 4px}
fieldset label{display:inline;font-weight:400;margin:0 12px 0 4px}
.state-enabled{color:#0b6a0b;font-weight:600}
.state-report{color:#8a5100;font-weight:600}
.state-off{color:#605e5c;font-weight:600}
.ok{color:#0b6a0b}
.bad{color:#a4262c}
pre{background:#f3f2f1;padding:12px;overflow:auto;font-size:12px}
code{font-family:Consolas,Menlo,monospace;background:#f3f2f1;padding:1px 3px}
`;

/** Console sections, in navigation order. */
export type ConsoleSection = "users" | "policies" | "sign-ins" | "sms";

const SECTIONS: { id: ConsoleSection; label: string }[] = [
  { id: "users", label: "Users" },
  { id: "policies", label: "Policies" },
  { id: "sign-ins", label: "Sign-in logs" },
  { id: "sms", label: "SMS inbox" },
];

/** Who is signed in to the console, and the token its forms must carry. */
export interface ConsoleViewer {
  displayName: string;
  userPrincipalName: string;
  csrf: string;
}

/** The hidden CSRF field every console form posts. */
export function csrfField(viewer: ConsoleViewer): string {
  return `<input type="hidden" name="csrf" value="${esc(viewer.csrf)}">`;
}

/** The console's page frame: skip link, emulator badge, navigation, who is signed in. */
export function consoleLayout(opts: { title: string; nonce: string; body: string; viewer?: ConsoleViewer; section?: ConsoleSection }): string {
  const nav = opts.viewer
    ? `<nav aria-label="Console"><ul>${SECTIONS.map(
        (s) => `<li><a href="/console/${s.id}"${s.id === opts.section ? ' aria-current="page"' : ""}>${esc(s.label)}</a></li>`,
      ).join("")}</ul></nav>
<div class="who"><span>Signed in as <strong>${esc(opts.viewer.displayName)}</strong> <span class="muted">(${esc(opts.viewer.userPrincipalName)})</span></span>
<form method="post" action="/console/signout">${csrfField(opts.viewer)}<button type="submit">Sign out</button></form></div>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${esc(opts.title)} · Emulator console</title>
<style nonce="${opts.nonce}">${STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header>
<div class="brand"><span>Woodgrove (emulated Entra ID)</span><span class="badge">Local Entra ID emulator</span><span>Admin console</span></div>
${nav}
</header>
<main id="main">
${opts.body}
</main>
</body>
</html>`;
}

/** Time as the console shows it: UTC, to the second, in a `<time>` element. */
export function when(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "–";
  const text = `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
  return `<time datetime="${esc(date.toISOString())}">${esc(text)}</time>`;
}

function notice(message: string | undefined): string {
  return message ? `<p class="notice" role="status">${esc(message)}</p>` : "";
}

function locationText(location: Pick<SignInLocation, "city" | "countryOrRegion"> | { city: string | null; countryOrRegion: string | null } | undefined | null): string {
  return location?.city ? `${location.city}, ${location.countryOrRegion ?? ""}` : "unknown location";
}

// ---------------------------------------------------------------------------------------------
// Sign-in, refusal, signed out

/** A console page shown to someone who is not (or may not be) signed in. */
export function consoleMessagePage(nonce: string, opts: { title: string; message: string; problem?: boolean; links: { href: string; label: string }[] }): string {
  return consoleLayout({
    title: opts.title,
    nonce,
    body: `<h1>${esc(opts.title)}</h1>
<p class="${opts.problem ? "problem" : "muted"}"${opts.problem ? ' role="alert"' : ""}>${esc(opts.message)}</p>
<ul>${opts.links.map((l) => `<li><a href="${esc(l.href)}">${esc(l.label)}</a></li>`).join("")}</ul>`,
  });
}

// ---------------------------------------------------------------------------------------------
// Users

/** One row of the users page. */
export interface UserRow {
  user: DirectoryUser;
  risk: RiskyUser;
  /** Set while the authenticator app is locked (emulator clock, ms). */
  lockedUntil?: number;
  /** Wrong codes in a row so far (0 when none). */
  totpFailures: number;
  network?: { ip: string; location?: SignInLocation };
}

function methodsText(user: DirectoryUser): string {
  const items: string[] = [];
  for (const m of user.methods) {
    if (m.type === "softwareOath") items.push("Authenticator app (TOTP)");
    else if (m.type === "fido2") items.push("Passkey (FIDO2)");
    else items.push(`Text message to ${maskedPhone(m.phoneNumber)} (simulated)`);
  }
  return items.length ? `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join("")}</ul>` : "None registered";
}

const RISK_DETAIL_TEXT: Record<string, string> = {
  none: "",
  userPassedMFADrivenByRiskBasedPolicy: "remediated: passed MFA a risk policy asked for",
  userPerformedSecuredPasswordChange: "remediated: secure password change",
  adminDismissedAllRiskForUser: "dismissed by an admin",
};

function riskCell(risk: RiskyUser): string {
  const detail = RISK_DETAIL_TEXT[risk.riskDetail] ?? risk.riskDetail;
  const reasons = risk.riskEventTypes.length ? ` · reason: ${risk.riskEventTypes.map((r) => (r === "leakedCredentials" ? "leaked credentials" : r)).join(", ")}` : "";
  return `<strong>${esc(risk.riskLevel)}</strong>, ${esc(risk.riskState)}${detail ? ` (${esc(detail)})` : ""}<span class="muted">${esc(reasons)}</span>${
    risk.riskLastUpdatedDateTime ? `<br><span class="muted">updated ${when(risk.riskLastUpdatedDateTime)}</span>` : ""
  }`;
}

/** Users: methods, account, authenticator-app lockout, simulated user risk, with actions. */
export function usersPage(nonce: string, viewer: ConsoleViewer, opts: { rows: UserRow[]; now: number; notice?: string }): string {
  const rows = opts.rows
    .map(({ user, risk, lockedUntil, totpFailures, network }) => {
      const who = `${esc(user.displayName)}`;
      const hasTotp = user.methods.some((m) => m.type === "softwareOath");
      const lockout = !hasTotp
        ? "No authenticator app"
        : lockedUntil !== undefined && lockedUntil > opts.now
          ? `<span class="bad">Locked</span> until ${when(lockedUntil)}
<form method="post" action="/console/users/${esc(user.oid)}/unlock">${csrfField(viewer)}<button type="submit">Unlock authenticator app<span class="vh"> for ${who}</span></button></form>`
          : `Not locked${totpFailures ? ` (${totpFailures} wrong code${totpFailures === 1 ? "" : "s"} in a row)` : ""}`;
      const account = [
        user.accountEnabled === false ? '<span class="bad">Disabled</span>' : '<span class="ok">Enabled</span>',
        user.blockedByConditionalAccess ? '<br><span class="bad">Blocked by Conditional Access (persona flag)</span>' : "",
      ].join("");
      const riskActions = `<form method="post" action="/console/users/${esc(user.oid)}/risk">${csrfField(viewer)}<input type="hidden" name="action" value="leaked"><button type="submit">Set user risk (leaked credentials)<span class="vh"> for ${who}</span></button></form>${
        risk.riskState === "atRisk"
          ? `<form method="post" action="/console/users/${esc(user.oid)}/risk">${csrfField(viewer)}<input type="hidden" name="action" value="dismiss"><button type="submit">Dismiss risk<span class="vh"> for ${who}</span></button></form>`
          : ""
      }`;
      const where = network ? `<br><span class="muted">Simulated network: ${esc(network.ip)} (${esc(locationText(network.location))})</span>` : "";
      return `<tr>
<th scope="row">${who}<br><span class="muted">${esc(user.userPrincipalName)}</span>${user.roles?.length ? `<br><span class="muted">Roles: ${esc(user.roles.join(", "))}</span>` : ""}${where}</th>
<td>${methodsText(user)}</td>
<td>${account}</td>
<td>${lockout}</td>
<td>${riskCell(risk)}${riskActions}</td>
</tr>`;
    })
    .join("\n");
  return consoleLayout({
    title: "Users",
    nonce,
    viewer,
    section: "users",
    body: `<h1>Users</h1>
${notice(opts.notice)}
<p class="note"><strong>Simulated:</strong> user risk and its reasons are set by hand here or by the emulator's own rules (simulated Identity Protection), not by Microsoft's detections. "Set user risk (leaked credentials)" makes the user's risk high: the next sign-in asks for MFA and then a secure password change.</p>
<table>
<caption>Directory users (${opts.rows.length})</caption>
<thead><tr><th scope="col">User</th><th scope="col">Sign-in methods</th><th scope="col">Account</th><th scope="col">Authenticator app lockout</th><th scope="col">User risk (simulated)</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`,
  });
}

// ---------------------------------------------------------------------------------------------
// Policies in words

const STATE_TEXT: Record<PolicyState, string> = { enabled: "On", enabledForReportingButNotEnforced: "Report-only", disabled: "Off" };
const STATE_CLASS: Record<PolicyState, string> = { enabled: "state-enabled", enabledForReportingButNotEnforced: "state-report", disabled: "state-off" };

/** "On", "Report-only" or "Off". */
export function stateText(state: PolicyState): string {
  return STATE_TEXT[state];
}

const STRENGTH_TEXT: Record<string, string> = {
  "00000000-0000-0000-0000-000000000002": "Multifactor authentication (app code, text message or passkey)",
  "00000000-0000-0000-0000-000000000003": "Passwordless MFA (a passkey)",
  "00000000-0000-0000-0000-000000000004": "Phishing-resistant MFA (a passkey)",
};

function contextLabel(set: PolicySet | undefined, id: string): string {
  const name = set?.authenticationContextClassReferences.find((c) => c.id === id)?.displayName;
  return name ? `${id} (${name})` : id;
}

function listText(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** Who a policy applies to, in words. */
export function usersText(policy: ConditionalAccessPolicy): string {
  const u = policy.conditions.users;
  const include = [
    ...(u.includeUsers.includes("All") ? ["All users"] : []),
    ...(u.includeUsers.filter((x) => x !== "All").length ? [`${u.includeUsers.filter((x) => x !== "All").length} selected user(s)`] : []),
    ...(u.includeRoles.length ? [`users with the role ${u.includeRoles.join(" or ")}`] : []),
  ].join(" and ");
  const exclude = [...(u.excludeUsers.length ? [`${u.excludeUsers.length} excluded user(s)`] : []), ...(u.excludeRoles.length ? [`users with the role ${u.excludeRoles.join(" or ")}`] : [])];
  return exclude.length ? `${include}, except ${exclude.join(" and ")}` : include;
}

/** What a policy targets: every sign-in, or requests for authentication contexts. */
export function targetText(policy: ConditionalAccessPolicy, set: PolicySet | undefined): string {
  const contexts = policy.conditions.applications.includeAuthenticationContextClassReferences;
  return contexts.length
    ? `Authentication context ${listText(contexts.map((c) => contextLabel(set, c)))}: applies when an app asks for it`
    : "All apps: applies to every sign-in";
}

/** The risk conditions, in words. */
export function conditionsText(policy: ConditionalAccessPolicy): string {
  const { signInRiskLevels, userRiskLevels } = policy.conditions;
  const parts = [
    ...(signInRiskLevels.length ? [`sign-in risk is ${listText(signInRiskLevels)} (simulated)`] : []),
    ...(userRiskLevels.length ? [`user risk is ${listText(userRiskLevels)} (simulated)`] : []),
  ];
  return parts.length ? `Only when ${parts.join(" and ")}` : "None";
}

/** What a policy requires, in words. */
export function grantText(policy: ConditionalAccessPolicy): string {
  const { builtInControls, authenticationStrength, operator } = policy.grantControls;
  if (builtInControls.includes("block")) return "Block access (AADSTS53003)";
  const parts = [
    ...(builtInControls.includes("mfa") ? ["Multifactor authentication (app code, text message or passkey)"] : []),
    ...(authenticationStrength ? [`Authentication strength: ${STRENGTH_TEXT[authenticationStrength.id] ?? authenticationStrength.id}`] : []),
    ...(builtInControls.includes("passwordChange") ? ["a secure password change"] : []),
  ];
  return `Require ${parts.join(operator === "AND" ? " and then " : " or ")}`;
}

/** The session controls, in words. */
export function sessionText(policy: ConditionalAccessPolicy): string {
  const frequency = policy.sessionControls?.signInFrequency;
  if (!frequency?.isEnabled) return "None: once per session is enough";
  const what = frequency.authenticationType === "secondaryAuthentication" ? "the second factor" : "the whole sign-in";
  if (frequency.frequencyInterval === "everyTime") return `Sign-in frequency: every time for ${what} (a verification within the last 5 minutes counts)`;
  const unit = frequency.type === "days" ? "day" : "hour";
  return `Sign-in frequency: every ${frequency.value} ${unit}${frequency.value === 1 ? "" : "s"}`;
}

/** Policies: the active set in words, switch set, change each policy's state. */
export function policiesPage(
  nonce: string,
  viewer: ConsoleViewer,
  opts: { set: PolicySet; available: readonly PolicySetName[]; fileStates: Record<string, PolicyState | undefined>; notice?: string },
): string {
  const { set } = opts;
  const policies = set.policies
    .map((p, i) => {
      const original = opts.fileStates[p.id];
      const changed = original !== undefined && original !== p.state;
      const headingId = `policy-${i}`;
      return `<section class="policy" aria-labelledby="${headingId}">
<h3 id="${headingId}">${esc(p.displayName)}</h3>
<dl>
<dt>State</dt><dd><span class="${STATE_CLASS[p.state]}">${esc(stateText(p.state))}</span>${changed ? ` <span class="muted">(changed in the console; the file says ${esc(stateText(original))})</span>` : ""}</dd>
<dt>Users</dt><dd>${esc(usersText(p))}</dd>
<dt>Target</dt><dd>${esc(targetText(p, set))}</dd>
<dt>Conditions</dt><dd>${esc(conditionsText(p))}</dd>
<dt>Grant</dt><dd>${esc(grantText(p))}</dd>
<dt>Session</dt><dd>${esc(sessionText(p))}</dd>
<dt>Id</dt><dd><code>${esc(p.id)}</code></dd>
</dl>
<form method="post" action="/console/policies/${esc(p.id)}/state">
${csrfField(viewer)}
<fieldset>
<legend>State of “${esc(p.displayName)}”</legend>
${(["enabled", "enabledForReportingButNotEnforced", "disabled"] as const)
  .map((s) => `<input type="radio" id="${headingId}-${s}" name="state" value="${s}"${s === p.state ? " checked" : ""}><label for="${headingId}-${s}">${esc(stateText(s))}</label>`)
  .join("\n")}
<button type="submit">Save state<span class="vh"> of “${esc(p.displayName)}”</span></button>
</fieldset>
</form>
</section>`;
    })
    .join("\n");
  return consoleLayout({
    title: "Policies",
    nonce,
    viewer,
    section: "policies",
    body: `<h1>Conditional Access policies</h1>
${notice(opts.notice)}
<p>Active policy set: <strong id="active-set">${esc(set.name)}</strong>. Policies are data in <code>emulator/policies/${esc(set.name)}.json</code>; state changes made here are kept in the emulator's state (a reset forgets them), the choice of set lasts until the emulator restarts.</p>
<form method="post" action="/console/policy-set" class="filters">
${csrfField(viewer)}
<div><label for="set">Policy set</label><select id="set" name="set">${opts.available.map((n) => `<option value="${esc(n)}"${n === set.name ? " selected" : ""}>${esc(n)}</option>`).join("")}</select></div>
<div><button type="submit">Switch policy set</button></div>
</form>
<p class="note"><strong>Simulated:</strong> risk conditions match the emulator's simulated Identity Protection levels, not Microsoft's detections.</p>
<table>
<caption>Authentication contexts in the ${esc(set.name)} set</caption>
<thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Description</th></tr></thead>
<tbody>${set.authenticationContextClassReferences.map((c) => `<tr><th scope="row">${esc(c.id)}</th><td>${esc(c.displayName)}</td><td>${esc(c.description ?? "")}</td></tr>`).join("")}</tbody>
</table>
<h2>Policies (${set.policies.length})</h2>
${policies}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Sign-in logs

/** The sign-in log filters, as the form holds them. */
export interface SignInFilters {
  userId?: string;
  appId?: string;
  status?: "success" | "failure";
  from?: string;
  to?: string;
  correlationId?: string;
}

function statusText(entry: SignInLogEntry): string {
  return entry.status.errorCode === 0 ? '<span class="ok">Success</span>' : `<span class="bad">Failure</span> <span class="muted">AADSTS${entry.status.errorCode}</span>`;
}

const CA_STATUS_TEXT: Record<SignInLogEntry["conditionalAccessStatus"], string> = { success: "Success", failure: "Failure", notApplied: "Not applied" };

/** Sign-in logs: filters and the matching entries, newest first. */
export function signInsPage(
  nonce: string,
  viewer: ConsoleViewer,
  opts: { entries: SignInLogEntry[]; filters: SignInFilters; users: DirectoryUser[]; apps: { id: string; displayName: string }[]; limit: number; error?: string },
): string {
  const f = opts.filters;
  const select = (id: string, label: string, options: { value: string; label: string }[], value: string | undefined, any: string) =>
    `<div><label for="${id}">${esc(label)}</label><select id="${id}" name="${id}"><option value="">${esc(any)}</option>${options
      .map((o) => `<option value="${esc(o.value)}"${o.value === value ? " selected" : ""}>${esc(o.label)}</option>`)
      .join("")}</select></div>`;
  const rows = opts.entries
    .map(
      (e) => `<tr>
<td>${when(e.createdDateTime)}</td>
<th scope="row">${esc(e.userDisplayName)}<br><span class="muted">${esc(e.userPrincipalName)}</span></th>
<td>${esc(e.appDisplayName)}</td>
<td>${e.isInteractive ? "Interactive" : "Non-interactive (refresh)"}</td>
<td>${statusText(e)}</td>
<td>${esc(CA_STATUS_TEXT[e.conditionalAccessStatus])}</td>
<td>${esc(e.riskLevelDuringSignIn)}</td>
<td>${e.authenticationContextClassReferences.map((c) => esc(c.id)).join(", ") || "–"}</td>
<td><a href="/console/sign-ins/${esc(e.id)}">Details<span class="vh"> of the sign-in by ${esc(e.userDisplayName)} at ${esc(e.createdDateTime)}</span></a></td>
</tr>`,
    )
    .join("\n");
  return consoleLayout({
    title: "Sign-in logs",
    nonce,
    viewer,
    section: "sign-ins",
    body: `<h1>Sign-in logs</h1>
<p class="muted">Interactive and non-interactive sign-ins together: Microsoft Graph on this emulator serves the interactive ones at <code>GET /v1.0/auditLogs/signIns</code> and the non-interactive ones only at <code>GET /beta/auditLogs/signIns</code> with <code>signInEventTypes/any(t: t eq 'nonInteractiveUser')</code>, as Entra does. Times are the emulator's clock, in UTC.</p>
<p class="note"><strong>Simulated:</strong> sign-in risk levels and detections come from the emulator's own rules (simulated Identity Protection).</p>
${opts.error ? `<p class="problem" role="alert">${esc(opts.error)}</p>` : ""}
<form method="get" action="/console/sign-ins" class="filters" aria-label="Filter sign-ins">
${select("userId", "User", opts.users.map((u) => ({ value: u.oid, label: `${u.displayName} (${u.userPrincipalName})` })), f.userId, "Any user")}
${select("appId", "Application", opts.apps.map((a) => ({ value: a.id, label: a.displayName })), f.appId, "Any application")}
${select("status", "Status", [{ value: "success", label: "Success" }, { value: "failure", label: "Failure" }], f.status, "Any status")}
<div><label for="from">From (UTC)</label><input type="datetime-local" id="from" name="from" step="1" value="${esc(f.from)}"></div>
<div><label for="to">To (UTC)</label><input type="datetime-local" id="to" name="to" step="1" value="${esc(f.to)}"></div>
<div><label for="correlationId">Correlation ID</label><input type="text" id="correlationId" name="correlationId" value="${esc(f.correlationId)}" autocomplete="off" spellcheck="false"></div>
<div><button type="submit" class="primary">Filter</button> <a href="/console/sign-ins">Clear filters</a></div>
</form>
<table>
<caption>Sign-ins, newest first (${opts.entries.length}${opts.entries.length === opts.limit ? `, the newest ${opts.limit} shown` : ""})</caption>
<thead><tr><th scope="col">Date</th><th scope="col">User</th><th scope="col">Application</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Conditional Access</th><th scope="col">Sign-in risk (simulated)</th><th scope="col">Authentication contexts</th><th scope="col">Details</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="9">No sign-ins match these filters.</td></tr>'}
</tbody>
</table>`,
  });
}

const RESULT_TEXT: Record<string, string> = {
  success: "Success: it applied and the sign-in met it",
  failure: "Failure: it applied and the sign-in did not meet it",
  notApplied: "Not applied: its users, target or risk conditions did not match",
  notEnabled: "Off: not evaluated",
  reportOnlySuccess: "Report-only, would have succeeded: not enforced",
  reportOnlyFailure: "Report-only, would have failed: not enforced",
  reportOnlyInterrupted: "Report-only, user action required: it would have asked the user for more; not enforced",
  reportOnlyNotApplied: "Report-only, would not have applied",
};

const DETECTION_TEXT: Record<string, string> = {
  anonymizedIPAddress: "Anonymous IP address: the sign-in came from an anonymising network (simulated Tor exit or VPN)",
  unfamiliarFeatures: "Unfamiliar sign-in properties: an IP address or browser this user had not used before",
  unlikelyTravel: "Atypical travel: too far from the previous sign-in for the time between them",
};

/** Looks a policy up by id in every loaded set (ids are unique across sets). */
export type PolicyLookup = (id: string) => { policy: ConditionalAccessPolicy; set: PolicySet } | undefined;

/**
 * The sign-in in words: what happened, which policies applied and what each required, what
 * became of each requested authentication context, and the (simulated) risk.
 */
export function explainSignIn(entry: SignInLogEntry, lookup: PolicyLookup): { summary: string; contexts: string[]; risk: string[] } {
  const ok = entry.status.errorCode === 0;
  const where = `${entry.ipAddress} (${locationText(entry.location)})`;
  const kind = entry.isInteractive ? "signed in interactively" : "redeemed a refresh token (a non-interactive sign-in)";
  const summary = `${entry.userDisplayName} ${kind} to ${entry.appDisplayName}${entry.resourceDisplayName ? ` for ${entry.resourceDisplayName}` : ""} from ${where}. ${
    ok ? "It succeeded" : `It failed with AADSTS${entry.status.errorCode}: ${entry.status.failureReason ?? ""}`
  }${entry.status.additionalDetails ? ` (${entry.status.additionalDetails})` : ""}.`;
  const applied = entry.appliedConditionalAccessPolicies;
  const contexts = entry.authenticationContextClassReferences.map((c) => {
    const targeting = applied
      .map((p) => ({ p, def: lookup(p.id) }))
      .filter(({ def }) => def?.policy.conditions.applications.includeAuthenticationContextClassReferences.includes(c.id));
    const name = contextLabel(targeting[0]?.def?.set, c.id);
    const enforced = targeting.filter(({ p }) => p.result === "success" || p.result === "failure");
    const reportOnly = targeting.filter(({ p }) => p.result.startsWith("reportOnly") && p.result !== "reportOnlyNotApplied");
    const how = c.detail === "previouslySatisfied" ? "the session had already met it" : "this sign-in did the work for it";
    const reportNote = reportOnly.length ? ` Report-only: ${reportOnly.map(({ p }) => `“${p.displayName}” (${RESULT_TEXT[p.result] ?? p.result})`).join("; ")}.` : "";
    if (!ok) {
      const failed = enforced.filter(({ p }) => p.result === "failure");
      return `${name} was requested and not issued: the sign-in failed${failed.length ? `; not met: ${failed.map(({ p }) => `“${p.displayName}”`).join(", ")}` : ""}.${reportNote}`;
    }
    if (enforced.length === 0) {
      return `${name} was requested and issued unenforced: no enabled policy applied to it, so it was issued as Entra does (${how}).${reportNote}`;
    }
    return `${name} was requested and issued enforced by ${enforced.map(({ p }) => `“${p.displayName}”`).join(", ")} (${how}).${reportNote}`;
  });
  const risk = [
    `Sign-in risk during the sign-in: ${entry.riskLevelDuringSignIn}; aggregated with user risk: ${entry.riskLevelAggregated}; state: ${entry.riskState}${
      entry.riskDetail !== "none" ? ` (${RISK_DETAIL_TEXT[entry.riskDetail] ?? entry.riskDetail})` : ""
    }.`,
    ...(entry.riskEventTypes_v2.length ? entry.riskEventTypes_v2.map((d) => `Detection: ${DETECTION_TEXT[d] ?? d}.`) : ["No risk detections."]),
  ];
  return { summary, contexts, risk };
}

/** One sign-in, explained in words, with the raw Graph entry. */
export function signInDetailPage(nonce: string, viewer: ConsoleViewer, entry: SignInLogEntry, lookup: PolicyLookup): string {
  const words = explainSignIn(entry, lookup);
  const policies = entry.appliedConditionalAccessPolicies
    .map((p) => {
      const def = lookup(p.id)?.policy;
      return `<tr>
<th scope="row">${esc(p.displayName)}</th>
<td>${def ? `${esc(targetText(def, lookup(p.id)?.set))}.<br>${esc(conditionsText(def))}.` : "–"}</td>
<td>${def ? `${esc(grantText(def))}.<br><span class="muted">${esc(sessionText(def))}</span>` : esc(p.enforcedGrantControls.join(", "))}</td>
<td>${esc(RESULT_TEXT[p.result] ?? p.result)}</td>
</tr>`;
    })
    .join("\n");
  const steps = entry.authenticationDetails
    .map(
      (s) => `<tr><td>${when(s.authenticationStepDateTime)}</td><td>${esc(s.authenticationStepRequirement)}</td><td>${esc(s.authenticationMethod)}</td><td>${
        s.succeeded ? '<span class="ok">Succeeded</span>' : '<span class="bad">Failed</span>'
      }</td><td>${esc(s.authenticationStepResultDetail ?? "")}</td></tr>`,
    )
    .join("\n");
  return consoleLayout({
    title: "Sign-in details",
    nonce,
    viewer,
    section: "sign-ins",
    body: `<p><a href="/console/sign-ins">Back to sign-in logs</a></p>
<h1>Sign-in details</h1>
<h2>What happened</h2>
<p id="sign-in-summary">${esc(words.summary)}</p>
<dl class="facts">
<dt>Date</dt><dd>${when(entry.createdDateTime)}</dd>
<dt>Request id</dt><dd><code>${esc(entry.id)}</code></dd>
<dt>Correlation ID</dt><dd><code>${esc(entry.correlationId)}</code></dd>
<dt>Token identifier (uti)</dt><dd>${entry.uniqueTokenIdentifier ? `<code>${esc(entry.uniqueTokenIdentifier)}</code>` : "none issued"}</dd>
<dt>Conditional Access</dt><dd>${esc(CA_STATUS_TEXT[entry.conditionalAccessStatus])}</dd>
<dt>Authentication requirement</dt><dd>${entry.authenticationRequirement === "multiFactorAuthentication" ? "Multifactor authentication" : "Single-factor authentication"}</dd>
</dl>
<h2>Authentication contexts</h2>
${words.contexts.length ? `<ul id="context-explanations">${words.contexts.map((c) => `<li>${esc(c)}</li>`).join("")}</ul>` : "<p>No authentication context was requested.</p>"}
<h2>Conditional Access policies</h2>
<table>
<caption>Policies evaluated for this sign-in (${entry.appliedConditionalAccessPolicies.length})</caption>
<thead><tr><th scope="col">Policy</th><th scope="col">Applies to</th><th scope="col">Requires</th><th scope="col">Result</th></tr></thead>
<tbody>
${policies || '<tr><td colspan="4">Conditional Access was not evaluated (the sign-in stopped before it, e.g. at the password).</td></tr>'}
</tbody>
</table>
<h2>Authentication steps</h2>
<table>
<caption>Authentication steps</caption>
<thead><tr><th scope="col">Date</th><th scope="col">Requirement</th><th scope="col">Method</th><th scope="col">Result</th><th scope="col">Detail</th></tr></thead>
<tbody>${steps || '<tr><td colspan="5">None recorded.</td></tr>'}</tbody>
</table>
<h2>Risk (simulated)</h2>
<p class="note"><strong>Simulated:</strong> the emulator's own rules, not Microsoft's Identity Protection.</p>
<ul id="risk-explanations">${words.risk.map((r) => `<li>${esc(r)}</li>`).join("")}</ul>
<h2>Raw entry</h2>
<details><summary>Graph <code>signIn</code> JSON</summary><pre>${esc(JSON.stringify(entry, null, 2))}</pre></details>`,
  });
}

// ---------------------------------------------------------------------------------------------
// SMS inbox

/** A simulated text message as the inbox lists it. */
export interface SmsRow {
  sentAt: number;
  expiresAt: number;
  usedAt?: number;
  phoneNumber: string;
  code: string;
  user?: DirectoryUser;
}

/** The simulated SMS inbox: every message, newest first, with its code's state. */
export function smsPage(nonce: string, viewer: ConsoleViewer, opts: { messages: SmsRow[]; now: number }): string {
  const rows = opts.messages
    .map((m) => {
      const minutes = Math.max(0, Math.ceil((m.expiresAt - opts.now) / 60_000));
      const status =
        m.usedAt !== undefined
          ? `Used at ${when(m.usedAt)}`
          : m.expiresAt < opts.now
            ? `<span class="bad">Expired</span> at ${when(m.expiresAt)}`
            : `<span class="ok">Valid</span>, expires in ${minutes} minute${minutes === 1 ? "" : "s"} (${when(m.expiresAt)})`;
      return `<tr>
<td>${when(m.sentAt)}</td>
<td>${esc(m.phoneNumber)}</td>
<th scope="row">${esc(m.user?.displayName ?? "unknown user")}<br><span class="muted">${esc(m.user?.userPrincipalName ?? "")}</span></th>
<td>Use verification code ${esc(m.code)} for Woodgrove (emulated).</td>
<td><code>${esc(m.code)}</code></td>
<td>${status}</td>
</tr>`;
    })
    .join("\n");
  return consoleLayout({
    title: "SMS inbox",
    nonce,
    viewer,
    section: "sms",
    body: `<h1>SMS inbox</h1>
<p class="note"><strong>Simulated:</strong> no text message leaves this machine. Codes the emulator "texts" land here (and in its terminal); a code works once and expires after 10 minutes of the emulator's clock.</p>
<table>
<caption>Simulated text messages, newest first (${opts.messages.length})</caption>
<thead><tr><th scope="col">Sent</th><th scope="col">To</th><th scope="col">User</th><th scope="col">Message</th><th scope="col">Code</th><th scope="col">Status</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="6">No messages yet.</td></tr>'}
</tbody>
</table>`,
  });
}
