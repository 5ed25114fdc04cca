/**
 * The emulator's admin console under `/console`: users (methods, lockout, simulated risk),
 * Conditional Access policies (switch set, change a policy's state), sign-in logs with an
 * explanation of each entry, and the simulated SMS inbox.
 *
 * The console is a client of the emulator itself, like the Entra admin center is of Entra ID: it
 * has its own app registration (apps.ts), signs people in through the emulator's authorize
 * endpoint (authorization code + PKCE, `state` and `nonce`), redeems the code at the emulator's
 * token endpoint over HTTPS, verifies the ID token and admits only holders of the
 * `Emulator.Admin` app role. So a console sign-in goes through Conditional Access and appears in
 * the sign-in logs like any other. Its own session is a `__Host-` cookie (HttpOnly, Secure,
 * SameSite=Lax) naming a server-side record; every form carries that session's CSRF token and a
 * cross-origin `Origin` is refused.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { request } from "node:https";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { z } from "zod";
import { activatePolicySet, fileState, setPolicyState, unlockTotp } from "./admin.js";
import { CONSOLE_ROLE, IDS } from "./apps.js";
import type { Emulator } from "./context.js";
import type { DirectoryUser } from "./directory.js";
import { redirect, type RequestContext } from "./http.js";
import { POLICY_SET_NAMES, POLICY_STATES, type PolicySetName } from "./policy.js";
import { riskyUser, setUserRisk } from "./risk.js";
import type { SignInFilter } from "./signin-log.js";
import type { ConsoleSession, ConsoleState, PendingLogin } from "./types.js";
import { sendPage } from "./ui/html.js";
import {
  consoleMessagePage,
  policiesPage,
  signInDetailPage,
  signInsPage,
  smsPage,
  usersPage,
  type ConsoleViewer,
  type PolicyLookup,
  type SignInFilters,
} from "./ui/console-pages.js";

/** The console's session cookie (`__Host-`: Secure, Path=/, no Domain, so no other host can set it). */
export const CONSOLE_COOKIE = "__Host-emuconsole";
/** Binds a console sign-in in progress to the browser that started it (login CSRF). */
export const CONSOLE_LOGIN_COOKIE = "__Host-emuconsole-login";

/**
 * Console sessions end after 30 minutes without a request or 8 hours in all. Wall-clock time, not
 * the emulator clock: tests move that clock, and an admin's session should not expire with it.
 */
export const CONSOLE_IDLE_MS = 30 * 60 * 1000;
export const CONSOLE_ABSOLUTE_MS = 8 * 60 * 60 * 1000;
/** A console sign-in must come back from the authorize endpoint within this. */
const LOGIN_TTL_MS = 10 * 60 * 1000;
/** Sign-in log entries one console page shows at most. */
export const CONSOLE_PAGE_SIZE = 200;

/** Creates the console's state; `ca` is the dev CA the emulator's certificate chains to. */
export function createConsoleState(ca: Buffer): ConsoleState {
  return { sessions: new Map(), logins: new Map(), ca };
}

function hash(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

function safeEqual(a: string, b: string): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y);
}

function cookie(name: string, value: string | null, maxAgeSeconds?: number): string {
  return value === null
    ? `${name}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`
    : `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax${maxAgeSeconds ? `; Max-Age=${maxAgeSeconds}` : ""}`;
}

/** Only users who still exist, are enabled and hold the console role may use the console. */
function isConsoleAdmin(user: DirectoryUser | undefined): user is DirectoryUser {
  return user !== undefined && user.accountEnabled !== false && (user.roles ?? []).includes(CONSOLE_ROLE);
}

function currentConsoleSession(emu: Emulator, ctx: RequestContext): { key: string; session: ConsoleSession; user: DirectoryUser } | undefined {
  const value = ctx.cookies()[CONSOLE_COOKIE];
  if (!value) return undefined;
  const key = hash(value);
  const session = emu.console.sessions.get(key);
  if (!session) return undefined;
  const now = Date.now();
  const user = emu.store.user(session.oid);
  if (now - session.lastSeenAt > CONSOLE_IDLE_MS || now - session.createdAt > CONSOLE_ABSOLUTE_MS || !isConsoleAdmin(user)) {
    emu.console.sessions.delete(key);
    return undefined;
  }
  session.lastSeenAt = now;
  return { key, session, user };
}

function page(emu: Emulator, ctx: RequestContext, status: number, html: string, headers: Record<string, string | string[]> = {}): void {
  // Console forms post only to the console itself ('self'). `same-origin`, not the sign-in pages'
  // `no-referrer`: with no-referrer browsers send `Origin: null` on the forms' posts, and the
  // console checks that header.
  sendPage(ctx.res, status, html, ctx.nonce, [], { "Referrer-Policy": "same-origin", ...headers });
}

function signInAgainLinks(): { href: string; label: string }[] {
  return [{ href: "/console/login?prompt=login", label: "Sign in with another account" }];
}

/** Only console paths are acceptable places to return to after sign-in. */
function safeReturnTo(value: string | undefined): string {
  return value && /^\/console(\/[A-Za-z0-9\-/]*)?(\?[A-Za-z0-9=&%._\-+]*)?$/.test(value) ? value : "/console/users";
}

/** Starts a console sign-in at the emulator's own authorize endpoint. */
function startLogin(emu: Emulator, ctx: RequestContext, returnTo: string, prompt?: string): void {
  const now = Date.now();
  for (const [state, login] of emu.console.logins) if (now - login.createdAt > LOGIN_TTL_MS) emu.console.logins.delete(state);
  const state = randomBytes(24).toString("base64url");
  const login: PendingLogin = { nonce: randomBytes(24).toString("base64url"), verifier: randomBytes(32).toString("base64url"), returnTo, createdAt: now };
  emu.console.logins.set(state, login);
  const url = new URL(`${emu.origin}/${emu.tenantId}/oauth2/v2.0/authorize`);
  const params: Record<string, string> = {
    client_id: IDS.consoleClientId,
    redirect_uri: `${emu.origin}/console/callback`,
    response_type: "code",
    response_mode: "query",
    scope: "openid profile",
    state,
    nonce: login.nonce,
    code_challenge: createHash("sha256").update(login.verifier).digest("base64url"),
    code_challenge_method: "S256",
    ...(prompt === "login" ? { prompt: "login" } : {}),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  redirect(ctx.res, url.toString(), { "Set-Cookie": cookie(CONSOLE_LOGIN_COOKIE, state, LOGIN_TTL_MS / 1000) });
}

/** Redeems the console's code at the emulator's token endpoint, over HTTPS like any client. */
function redeemCode(emu: Emulator, code: string, verifier: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const client = emu.apps.clients.get(IDS.consoleClientId);
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    client_id: IDS.consoleClientId,
    client_secret: client?.secret ?? "",
    code,
    redirect_uri: `${emu.origin}/console/callback`,
    code_verifier: verifier,
    scope: "openid profile",
  }).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      `${emu.origin}/${emu.tenantId}/oauth2/v2.0/token`,
      { method: "POST", ca: emu.console.ca, timeout: 10_000, headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(form) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            resolve({ status: res.statusCode ?? 500, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> });
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("token endpoint timed out")));
    req.on("error", reject);
    req.end(form);
  });
}

/** `/console/callback`: checks `state` against the browser's cookie, redeems, verifies, admits admins. */
async function callback(emu: Emulator, ctx: RequestContext): Promise<void> {
  const query = ctx.query();
  const state = query.state ?? "";
  const bound = ctx.cookies()[CONSOLE_LOGIN_COOKIE] ?? "";
  const login = state ? emu.console.logins.get(state) : undefined;
  const clearLogin = { "Set-Cookie": cookie(CONSOLE_LOGIN_COOKIE, null) };
  if (!login || !bound || !safeEqual(state, bound) || Date.now() - login.createdAt > LOGIN_TTL_MS) {
    return page(emu, ctx, 400, consoleMessagePage(ctx.nonce, { title: "Sign-in expired", message: "This console sign-in was not started in this browser or took too long. Start it again.", problem: true, links: [{ href: "/console/login", label: "Sign in to the console" }] }), clearLogin);
  }
  emu.console.logins.delete(state);
  if (query.error) {
    // The identity provider's own refusal (e.g. AADSTS53003, or Cancel): say so, offer a retry.
    const code = /AADSTS(\d+)/.exec(query.error_description ?? "")?.[1];
    return page(emu, ctx, 401, consoleMessagePage(ctx.nonce, { title: "Sign-in did not complete", message: `The identity provider answered ${query.error}${code ? ` (AADSTS${code})` : ""}.`, problem: true, links: [{ href: "/console/login", label: "Try again" }, ...signInAgainLinks()] }), clearLogin);
  }
  const { status, body } = await redeemCode(emu, query.code ?? "", login.verifier);
  const idToken = typeof body.id_token === "string" ? body.id_token : undefined;
  if (status !== 200 || !idToken) {
    emu.log("console_sign_in_failed", { reason: "token", error: typeof body.error === "string" ? body.error : undefined });
    return page(emu, ctx, 401, consoleMessagePage(ctx.nonce, { title: "Sign-in did not complete", message: "The code could not be redeemed. Start the sign-in again.", problem: true, links: [{ href: "/console/login", label: "Try again" }] }), clearLogin);
  }
  const { kid } = decodeProtectedHeader(idToken);
  const key = kid ? await emu.keys.publicKey(kid) : undefined;
  let claims: Record<string, unknown> | undefined;
  try {
    if (!key) throw new Error("unknown kid");
    claims = (await jwtVerify(idToken, key, { issuer: emu.issuer, audience: IDS.consoleClientId })).payload;
  } catch {
    claims = undefined;
  }
  if (!claims || claims.nonce !== login.nonce || claims.tid !== emu.tenantId || typeof claims.oid !== "string") {
    emu.log("console_sign_in_failed", { reason: "id_token" });
    return page(emu, ctx, 401, consoleMessagePage(ctx.nonce, { title: "Sign-in did not complete", message: "The identity provider's answer could not be verified. Start the sign-in again.", problem: true, links: [{ href: "/console/login", label: "Try again" }] }), clearLogin);
  }
  const user = emu.store.user(claims.oid);
  const roles = Array.isArray(claims.roles) ? claims.roles : [];
  if (!roles.includes(CONSOLE_ROLE) || !isConsoleAdmin(user)) {
    emu.log("console_access_denied", { oid: claims.oid });
    return page(
      emu,
      ctx,
      403,
      consoleMessagePage(ctx.nonce, {
        title: "You don't have access to the emulator console",
        message: `${typeof claims.preferred_username === "string" ? claims.preferred_username : "This account"} signed in, but only users with the ${CONSOLE_ROLE} role may use the console.`,
        problem: true,
        links: signInAgainLinks(),
      }),
      clearLogin,
    );
  }
  const value = randomBytes(32).toString("base64url");
  const now = Date.now();
  emu.console.sessions.set(hash(value), { oid: user.oid, csrf: randomBytes(24).toString("base64url"), createdAt: now, lastSeenAt: now });
  emu.log("console_signed_in", { oid: user.oid });
  redirect(ctx.res, safeReturnTo(login.returnTo), { "Set-Cookie": [cookie(CONSOLE_LOGIN_COOKIE, null), cookie(CONSOLE_COOKIE, value)] });
}

const riskActionSchema = z.strictObject({ csrf: z.string(), action: z.enum(["leaked", "dismiss"]) });
const policySetSchema = z.strictObject({ csrf: z.string(), set: z.enum(POLICY_SET_NAMES) });
const policyStateSchema = z.strictObject({ csrf: z.string(), state: z.enum(POLICY_STATES) });
const csrfOnlySchema = z.strictObject({ csrf: z.string() });

const localDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, "Use a date and time like 2026-01-31T13:45.")
  .optional()
  .or(z.literal("").transform(() => undefined));
const filterSchema = z.object({
  userId: z.uuid().optional().or(z.literal("").transform(() => undefined)),
  appId: z.uuid().optional().or(z.literal("").transform(() => undefined)),
  status: z.enum(["success", "failure"]).optional().or(z.literal("").transform(() => undefined)),
  from: localDateTime,
  to: localDateTime,
  correlationId: z
    .string()
    .trim()
    .max(64)
    .regex(/^[\w-]*$/, "A correlation ID has letters, digits and dashes only.")
    .optional()
    .transform((v) => v || undefined),
});

/** Messages the console shows after a POST (Post/Redirect/Get), from a fixed vocabulary. */
const DONE_MESSAGES: Record<string, (name: string) => string> = {
  "risk-set": (name) => `User risk set to high (leaked credentials) for ${name}.`,
  "risk-dismissed": (name) => `Risk dismissed for ${name}.`,
  unlocked: (name) => `Authenticator app unlocked for ${name}.`,
  "set-switched": (name) => `Active policy set: ${name}.`,
  "state-saved": (name) => `State saved for “${name}”.`,
};

function doneMessage(emu: Emulator, query: Record<string, string>): string | undefined {
  const make = query.done ? DONE_MESSAGES[query.done] : undefined;
  if (!make) return undefined;
  const subject = query.subject ?? "";
  const name =
    emu.store.user(subject)?.displayName ??
    emu.policy.policies.find((p) => p.id === subject)?.displayName ??
    ((POLICY_SET_NAMES as readonly string[]).includes(subject) ? subject : undefined);
  return name ? make(name) : undefined;
}

function policyLookup(emu: Emulator): PolicyLookup {
  return (id) => {
    for (const name of POLICY_SET_NAMES) {
      const set = emu.policySets[name];
      const policy = set.policies.find((p) => p.id === id);
      if (policy) return { policy, set };
    }
    return undefined;
  };
}

/**
 * `GET|POST /console[/…]`: every console route. Pages other than sign-in need a console session;
 * without one the browser is sent to sign in and brought back.
 */
export async function consoleRoute(emu: Emulator, ctx: RequestContext): Promise<void> {
  const path = ctx.url.pathname.replace(/\/+$/, "") || "/console";
  const method = ctx.req.method ?? "GET";
  if (method === "GET" && path === "/console/login") {
    const query = ctx.query();
    const returnTo = safeReturnTo(query.returnTo);
    if (query.prompt !== "login" && currentConsoleSession(emu, ctx)) return redirect(ctx.res, returnTo);
    return startLogin(emu, ctx, returnTo, query.prompt);
  }
  if (method === "GET" && path === "/console/callback") return callback(emu, ctx);
  if (method === "GET" && path === "/console/signed-out") {
    return page(emu, ctx, 200, consoleMessagePage(ctx.nonce, { title: "You signed out of the emulator console", message: "Your console session and your emulator sign-in session have ended.", links: [{ href: "/console/login", label: "Sign in to the console" }] }));
  }

  const current = currentConsoleSession(emu, ctx);
  if (!current) {
    if (method !== "GET") {
      return page(emu, ctx, 401, consoleMessagePage(ctx.nonce, { title: "Sign in to the emulator console", message: "Your console session has ended, so nothing was changed. Sign in and try again.", problem: true, links: [{ href: "/console/login", label: "Sign in to the console" }] }));
    }
    const returnTo = safeReturnTo(`${path}${ctx.url.search}`);
    return redirect(ctx.res, `/console/login?returnTo=${encodeURIComponent(returnTo)}`);
  }
  const { session, user: admin } = current;
  const viewer: ConsoleViewer = { displayName: admin.displayName, userPrincipalName: admin.userPrincipalName, csrf: session.csrf };

  if (method === "POST") {
    // SameSite=Lax already keeps cross-site posts from carrying the cookie; the per-session
    // token and the Origin check make the forms safe even without it.
    const origin = ctx.req.headers.origin;
    const body = await ctx.body();
    const csrf = typeof body.csrf === "string" ? body.csrf : "";
    if ((origin !== undefined && origin !== emu.origin) || !safeEqual(csrf, session.csrf)) {
      emu.log("console_csrf_refused", { oid: admin.oid, path });
      return page(emu, ctx, 403, consoleMessagePage(ctx.nonce, { title: "This form has expired", message: "Nothing was changed. Go back, reload the page and try again.", problem: true, links: [{ href: "/console/users", label: "Back to the console" }] }));
    }
    const invalid = (message: string) => page(emu, ctx, 400, consoleMessagePage(ctx.nonce, { title: "Nothing was changed", message, problem: true, links: [{ href: "/console/users", label: "Back to the console" }] }));
    const done = (to: string, code: string, subject: string) => redirect(ctx.res, `${to}?done=${code}&subject=${encodeURIComponent(subject)}`);

    if (path === "/console/signout") {
      if (!csrfOnlySchema.safeParse(body).success) return invalid("Unexpected fields in the form.");
      emu.console.sessions.delete(current.key);
      emu.log("console_signed_out", { oid: admin.oid });
      // Ends the emulator's SSO session too, as signing out of an admin portal does.
      const logout = new URL(`${emu.origin}/${emu.tenantId}/oauth2/v2.0/logout`);
      logout.searchParams.set("client_id", IDS.consoleClientId);
      logout.searchParams.set("post_logout_redirect_uri", `${emu.origin}/console/signed-out`);
      return redirect(ctx.res, logout.toString(), { "Set-Cookie": cookie(CONSOLE_COOKIE, null) });
    }
    const userAction = /^\/console\/users\/([0-9a-f-]{36})\/(risk|unlock)$/.exec(path);
    if (userAction) {
      const target = emu.store.user(userAction[1] ?? "");
      if (!target) return invalid("There is no such user.");
      if (userAction[2] === "unlock") {
        if (!csrfOnlySchema.safeParse(body).success) return invalid("Unexpected fields in the form.");
        unlockTotp(emu, target.oid);
        return done("/console/users", "unlocked", target.oid);
      }
      const input = riskActionSchema.safeParse(body);
      if (!input.success) return invalid("Choose an action: set user risk or dismiss it.");
      setUserRisk(emu, target.oid, input.data.action === "leaked" ? "high" : "none", input.data.action === "leaked" ? "leakedCredentials" : undefined);
      emu.store.save();
      emu.log("user_risk_set", { oid: target.oid, level: input.data.action === "leaked" ? "high" : "none", by: admin.oid });
      return done("/console/users", input.data.action === "leaked" ? "risk-set" : "risk-dismissed", target.oid);
    }
    if (path === "/console/policy-set") {
      const input = policySetSchema.safeParse(body);
      if (!input.success) return invalid(`Choose a policy set: ${POLICY_SET_NAMES.join(" or ")}.`);
      activatePolicySet(emu, input.data.set as PolicySetName);
      return done("/console/policies", "set-switched", input.data.set);
    }
    const stateAction = /^\/console\/policies\/([0-9a-f-]{36})\/state$/.exec(path);
    if (stateAction) {
      const input = policyStateSchema.safeParse(body);
      if (!input.success) return invalid("Choose a state: on, report-only or off.");
      const id = stateAction[1] ?? "";
      if (!setPolicyState(emu, id, input.data.state)) return invalid(`The active policy set (${emu.policy.name}) has no such policy.`);
      return done("/console/policies", "state-saved", id);
    }
    return page(emu, ctx, 404, consoleMessagePage(ctx.nonce, { title: "Not found", message: "There is no such console action.", problem: true, links: [{ href: "/console/users", label: "Back to the console" }] }));
  }

  const query = ctx.query();
  if (path === "/console") return redirect(ctx.res, "/console/users");
  if (path === "/console/users") {
    const now = emu.store.now();
    const rows = emu.store.state.users.map((user) => {
      const lock = emu.store.state.lockouts[user.oid];
      const network = emu.store.state.networks[user.oid];
      const location = network ? (network.location ?? emu.network.locate(network.ip)) : undefined;
      return {
        user,
        risk: riskyUser(emu, user),
        ...(lock?.lockedUntil !== undefined ? { lockedUntil: lock.lockedUntil } : {}),
        totpFailures: lock?.lockedUntil !== undefined && lock.lockedUntil <= now ? 0 : (lock?.failures ?? 0),
        ...(network ? { network: { ip: network.ip, ...(location ? { location } : {}) } } : {}),
      };
    });
    const message = doneMessage(emu, query);
    return page(emu, ctx, 200, usersPage(ctx.nonce, viewer, { rows, now, ...(message ? { notice: message } : {}) }));
  }
  if (path === "/console/policies") {
    const fileStates = Object.fromEntries(emu.policy.policies.map((p) => [p.id, fileState(emu, p.id)]));
    const message = doneMessage(emu, query);
    return page(emu, ctx, 200, policiesPage(ctx.nonce, viewer, { set: emu.policy, available: POLICY_SET_NAMES, fileStates, ...(message ? { notice: message } : {}) }));
  }
  if (path === "/console/sign-ins") {
    const apps = [...emu.apps.clients.values()].map((c) => ({ id: c.clientId, displayName: c.displayName }));
    const parsed = filterSchema.safeParse(query);
    const render = (filters: SignInFilters, entries: Parameters<typeof signInsPage>[2]["entries"], error?: string) =>
      page(emu, ctx, error ? 400 : 200, signInsPage(ctx.nonce, viewer, { entries, filters, users: emu.store.state.users, apps, limit: CONSOLE_PAGE_SIZE, ...(error ? { error } : {}) }));
    if (!parsed.success) return render({}, [], `These filters can't be used: ${parsed.error.issues.map((i) => i.message).join(" ")}`);
    const f = parsed.data;
    // datetime-local carries no zone: the form says UTC, so read it as UTC.
    const from = f.from ? Date.parse(`${f.from}Z`) : undefined;
    const to = f.to ? Date.parse(`${f.to}Z`) : undefined;
    const filter: SignInFilter = [
      ...(f.userId ? [{ property: "userId" as const, op: "eq" as const, value: f.userId }] : []),
      ...(f.appId ? [{ property: "appId" as const, op: "eq" as const, value: f.appId }] : []),
      ...(f.correlationId ? [{ property: "correlationId" as const, op: "eq" as const, value: f.correlationId }] : []),
      ...(from !== undefined ? [{ property: "createdDateTime" as const, op: "ge" as const, value: from }] : []),
      // "To 12:00:00" includes the whole of that second.
      ...(to !== undefined ? [{ property: "createdDateTime" as const, op: "lt" as const, value: to + (f.to && f.to.length === 16 ? 60_000 : 1000) }] : []),
    ];
    const wanted = (e: { status: { errorCode: number } }) => !f.status || (f.status === "success") === (e.status.errorCode === 0);
    // Status is not a Graph $filter the store knows; filter the newest entries after the query.
    const entries = emu.signIns.query(filter, 5000).entries.filter(wanted).slice(0, CONSOLE_PAGE_SIZE);
    const filters: SignInFilters = {
      ...(f.userId ? { userId: f.userId } : {}),
      ...(f.appId ? { appId: f.appId } : {}),
      ...(f.status ? { status: f.status } : {}),
      ...(f.from ? { from: f.from } : {}),
      ...(f.to ? { to: f.to } : {}),
      ...(f.correlationId ? { correlationId: f.correlationId } : {}),
    };
    return render(filters, entries);
  }
  const detail = /^\/console\/sign-ins\/([0-9a-f-]{36})$/.exec(path);
  if (detail) {
    const entry = emu.signIns.get(detail[1] ?? "");
    if (!entry) return page(emu, ctx, 404, consoleMessagePage(ctx.nonce, { title: "Sign-in not found", message: "No sign-in log entry has this id (a reset clears the logs).", problem: true, links: [{ href: "/console/sign-ins", label: "Back to sign-in logs" }] }));
    return page(emu, ctx, 200, signInDetailPage(ctx.nonce, viewer, entry, policyLookup(emu)));
  }
  if (path === "/console/sms") {
    const messages = [...emu.store.state.smsInbox].reverse().map((m) => {
      const user = emu.store.user(m.oid);
      return { sentAt: m.sentAt, expiresAt: m.expiresAt, ...(m.usedAt !== undefined ? { usedAt: m.usedAt } : {}), phoneNumber: m.phoneNumber, code: m.code, ...(user ? { user } : {}) };
    });
    return page(emu, ctx, 200, smsPage(ctx.nonce, viewer, { messages, now: emu.store.now() }));
  }
  return page(emu, ctx, 404, consoleMessagePage(ctx.nonce, { title: "Not found", message: "There is no such console page.", problem: true, links: [{ href: "/console/users", label: "Back to the console" }] }));
}
