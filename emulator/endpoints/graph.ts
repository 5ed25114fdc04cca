import { createHash, randomUUID } from "node:crypto";
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { GRAPH_APP_ID, GRAPH_RESOURCE } from "../apps.js";
import type { Emulator } from "../context.js";
import type { DirectoryMethod, DirectoryUser } from "../directory.js";
import { sendJson, type RequestContext } from "../http.js";
import { v1Issuer } from "../tokens.js";
import { DirectoryAuditFilterError, parseDirectoryAuditFilter, queryDirectoryAudits, type DirectoryAuditFilterClause } from "../directory-audit.js";
import { FilterError, parseSignInFilter, type GraphVersion, type SignInFilter, type SignInLogEntry } from "../signin-log.js";

/** The application permission `GET /auditLogs/signIns` needs (app-only tokens). */
export const AUDIT_LOG_ROLE = "AuditLog.Read.All";
/** The application permission the Conditional Access reads need. */
export const POLICY_READ_ROLE = "Policy.Read.All";
/**
 * The application permissions that let an app read other users' authentication methods: the
 * least privileged one first; Graph accepts either.
 */
export const AUTHENTICATION_METHOD_READ_ROLES = ["UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All"] as const;
/** Graph's default and maximum page size for sign-ins. */
export const SIGN_INS_MAX_TOP = 1000;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requestIdOf(ctx: RequestContext): string | undefined {
  const header = ctx.req.headers["client-request-id"];
  return typeof header === "string" && /^[\w-]{1,64}$/.test(header) ? header : undefined;
}

/** Graph's error body: `{error: {code, message, innerError}}`. */
function graphError(ctx: RequestContext, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const requestId = randomUUID();
  const clientRequestId = requestIdOf(ctx);
  sendJson(
    ctx.res,
    status,
    { error: { code, message, innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ""), "request-id": requestId, "client-request-id": clientRequestId ?? requestId } } },
    { "request-id": requestId, ...(clientRequestId ? { "client-request-id": clientRequestId } : {}), ...headers },
  );
}

/** What Graph answers an unauthenticated call with (the challenge names Graph's app id). */
const CHALLENGE = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`;

/**
 * Checks the caller's Bearer token as Graph would for an application permission: signed by
 * one of the emulator's published keys, a v1.0 token of this tenant (`iss`
 * https://sts.windows.net/{tid}/, `ver` "1.0", as the token endpoint mints Graph tokens: see
 * `issueAppToken`), for Graph, unexpired, app-only, with the role (or one of the roles). Sends the 401/403 itself and returns undefined when the caller
 * may not proceed.
 */
async function authorizeCaller(emu: Emulator, ctx: RequestContext, role: string | readonly string[] = AUDIT_LOG_ROLE): Promise<JWTPayload | undefined> {
  const header = ctx.req.headers.authorization ?? "";
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) {
    graphError(ctx, 401, "InvalidAuthenticationToken", "Access token is empty.", { "WWW-Authenticate": CHALLENGE });
    return undefined;
  }
  let payload: JWTPayload;
  try {
    const { kid } = decodeProtectedHeader(token);
    ({ payload } = await jwtVerify(
      token,
      async () => {
        const key = kid ? await emu.keys.publicKey(kid) : undefined;
        if (!key) throw new joseErrors.JWKSNoMatchingKey();
        return key;
      },
      { issuer: v1Issuer(emu.tenantId), audience: [GRAPH_RESOURCE, GRAPH_APP_ID], algorithms: ["RS256"], requiredClaims: ["exp", "tid"] },
    ));
    if (payload.tid !== emu.tenantId || payload.ver !== "1.0") throw new Error("tenant or token version");
  } catch (err) {
    const reason = err instanceof joseErrors.JWTExpired ? "Lifetime validation failed, the token is expired." : err instanceof joseErrors.JWTClaimValidationFailed ? `Invalid ${err.claim}.` : "Invalid signature or token.";
    graphError(ctx, 401, "InvalidAuthenticationToken", `Access token validation failure. ${reason}`, { "WWW-Authenticate": CHALLENGE });
    return undefined;
  }
  const roles: unknown[] = Array.isArray(payload.roles) ? payload.roles : [];
  const accepted: readonly string[] = typeof role === "string" ? [role] : role;
  if (payload.idtyp !== "app" || !accepted.some((r) => roles.includes(r))) {
    emu.log("graph_denied", { appid: payload.appid, idtyp: payload.idtyp });
    graphError(ctx, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
    return undefined;
  }
  return payload;
}

const SUPPORTED_OPTIONS = new Set(["$filter", "$top", "$skiptoken"]);

/** An entry as `version` serves it: `signInEventTypes` is a beta property. */
function asServed(entry: SignInLogEntry, version: GraphVersion): Omit<SignInLogEntry, "signInEventTypes"> & { signInEventTypes?: SignInLogEntry["signInEventTypes"] } {
  if (version === "beta") return entry;
  const v1: Partial<SignInLogEntry> = { ...entry };
  delete v1.signInEventTypes;
  return v1 as Omit<SignInLogEntry, "signInEventTypes">;
}

/**
 * `GET /{v1.0|beta}/auditLogs/signIns`: newest first, `$filter` (see `parseSignInFilter`), `$top`
 * (default and maximum 1000, as Graph's), `@odata.nextLink` paging with `$skiptoken`.
 *
 * Which kinds of sign-in are listed follows Graph: v1.0 lists interactive sign-ins only, and so
 * does beta unless its `$filter` names other `signInEventTypes`; non-interactive sign-ins (refresh
 * tokens redeemed, silent token requests) are read from beta with
 * `signInEventTypes/any(t: t eq 'nonInteractiveUser')`.
 *
 * @see https://learn.microsoft.com/graph/api/signin-list
 * @see https://learn.microsoft.com/graph/api/resources/signin?view=graph-rest-beta
 */
export async function listSignIns(emu: Emulator, ctx: RequestContext, version: GraphVersion): Promise<void> {
  if (!(await authorizeCaller(emu, ctx))) return;
  const query = ctx.query();
  const unsupported = Object.keys(query).find((k) => k.startsWith("$") && !SUPPORTED_OPTIONS.has(k));
  if (unsupported) return graphError(ctx, 400, "BadRequest", `Query option '${unsupported}' is not supported by the emulator's signIns endpoint.`);
  let filter: SignInFilter = [];
  if (query.$filter !== undefined) {
    try {
      filter = parseSignInFilter(query.$filter, version);
    } catch (err) {
      if (err instanceof FilterError) return graphError(ctx, 400, "BadRequest", err.message);
      throw err;
    }
  }
  if (!filter.some((c) => c.property === "signInEventTypes")) filter.push({ property: "signInEventTypes", op: "any", anyOf: [{ op: "eq", value: "interactiveUser" }] });
  const top = query.$top === undefined ? SIGN_INS_MAX_TOP : Number(query.$top);
  if (!/^\d+$/.test(query.$top ?? "1") || !Number.isInteger(top) || top < 1 || top > SIGN_INS_MAX_TOP) {
    return graphError(ctx, 400, "BadRequest", `Invalid page size specified: '${query.$top}'. Must be between 1 and ${SIGN_INS_MAX_TOP} inclusive.`);
  }
  let before: number | undefined;
  if (query.$skiptoken !== undefined) {
    before = Number(Buffer.from(query.$skiptoken, "base64url").toString("utf8"));
    if (!Number.isInteger(before) || before < 1) return graphError(ctx, 400, "BadRequest", "The $skiptoken is not valid.");
  }
  const result = emu.signIns.query(filter, top, before);
  const body: Record<string, unknown> = { "@odata.context": `${emu.origin}/${version}/$metadata#auditLogs/signIns`, value: result.entries.map((e) => asServed(e, version)) };
  if (result.before !== undefined) {
    const next = new URL(`${emu.origin}/${version}/auditLogs/signIns`);
    if (query.$filter !== undefined) next.searchParams.set("$filter", query.$filter);
    if (query.$top !== undefined) next.searchParams.set("$top", query.$top);
    next.searchParams.set("$skiptoken", Buffer.from(String(result.before)).toString("base64url"));
    body["@odata.nextLink"] = next.toString();
  }
  sendJson(ctx.res, 200, body);
}

/**
 * `GET /{v1.0|beta}/auditLogs/signIns/{id}`: any entry by its id, in the version's shape.
 *
 * @see https://learn.microsoft.com/graph/api/signin-get
 */
export async function getSignIn(emu: Emulator, ctx: RequestContext, version: GraphVersion): Promise<void> {
  if (!(await authorizeCaller(emu, ctx))) return;
  const id = ctx.params[0] ?? "";
  const entry = GUID.test(id) ? emu.signIns.get(id) : undefined;
  if (!entry) return graphError(ctx, 404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
  sendJson(ctx.res, 200, { "@odata.context": `${emu.origin}/${version}/$metadata#auditLogs/signIns/$entity`, ...asServed(entry, version) });
}

/** Graph's default and maximum page size for directory audits in the emulator. */
export const DIRECTORY_AUDITS_MAX_TOP = 1000;

/**
 * `GET /v1.0/auditLogs/directoryAudits`: newest first, `$filter` (see `parseDirectoryAuditFilter`),
 * `$top`, `@odata.nextLink` paging with `$skiptoken`. Needs `AuditLog.Read.All`, as Graph does.
 *
 * @see https://learn.microsoft.com/graph/api/directoryaudit-list
 * @see https://learn.microsoft.com/graph/api/resources/directoryaudit
 */
export async function listDirectoryAudits(emu: Emulator, ctx: RequestContext): Promise<void> {
  if (!(await authorizeCaller(emu, ctx))) return;
  const query = ctx.query();
  const unsupported = Object.keys(query).find((k) => k.startsWith("$") && !SUPPORTED_OPTIONS.has(k));
  if (unsupported) return graphError(ctx, 400, "BadRequest", `Query option '${unsupported}' is not supported by the emulator's directoryAudits endpoint.`);
  let filter: DirectoryAuditFilterClause[] = [];
  if (query.$filter !== undefined) {
    try {
      filter = parseDirectoryAuditFilter(query.$filter);
    } catch (err) {
      if (err instanceof DirectoryAuditFilterError) return graphError(ctx, 400, "BadRequest", err.message);
      throw err;
    }
  }
  const top = query.$top === undefined ? DIRECTORY_AUDITS_MAX_TOP : Number(query.$top);
  if (!/^\d+$/.test(query.$top ?? "1") || !Number.isInteger(top) || top < 1 || top > DIRECTORY_AUDITS_MAX_TOP) {
    return graphError(ctx, 400, "BadRequest", `Invalid page size specified: '${query.$top}'. Must be between 1 and ${DIRECTORY_AUDITS_MAX_TOP} inclusive.`);
  }
  const skip = query.$skiptoken === undefined ? 0 : Number(Buffer.from(query.$skiptoken, "base64url").toString("utf8"));
  if (!Number.isInteger(skip) || skip < 0) return graphError(ctx, 400, "BadRequest", "The $skiptoken is not valid.");
  const all = queryDirectoryAudits(emu.store.state.directoryAudits, filter);
  const body: Record<string, unknown> = { "@odata.context": `${emu.origin}/v1.0/$metadata#auditLogs/directoryAudits`, value: all.slice(skip, skip + top) };
  if (skip + top < all.length) {
    const next = new URL(`${emu.origin}/v1.0/auditLogs/directoryAudits`);
    if (query.$filter !== undefined) next.searchParams.set("$filter", query.$filter);
    if (query.$top !== undefined) next.searchParams.set("$top", query.$top);
    next.searchParams.set("$skiptoken", Buffer.from(String(skip + top)).toString("base64url"));
    body["@odata.nextLink"] = next.toString();
  }
  sendJson(ctx.res, 200, body);
}

/**
 * `GET /v1.0/auditLogs/directoryAudits/{id}`: one entry by its id.
 *
 * @see https://learn.microsoft.com/graph/api/directoryaudit-get
 */
export async function getDirectoryAudit(emu: Emulator, ctx: RequestContext): Promise<void> {
  if (!(await authorizeCaller(emu, ctx))) return;
  const id = decodeURIComponent(ctx.params[0] ?? "");
  const entry = emu.store.state.directoryAudits.find((e) => e.id === id);
  if (!entry) return graphError(ctx, 404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
  sendJson(ctx.res, 200, { "@odata.context": `${emu.origin}/v1.0/$metadata#auditLogs/directoryAudits/$entity`, ...entry });
}

/**
 * `GET /v1.0/identity/conditionalAccess/policies`: the active set's policies, as stored (the files
 * hold Graph's `conditionalAccessPolicy` shape, `sessionControls.signInFrequency` included), with
 * their current state and `modifiedDateTime`. A policy without session controls has
 * `sessionControls: null`, as Graph serves it. Needs `Policy.Read.All`.
 *
 * @see https://learn.microsoft.com/graph/api/conditionalaccessroot-list-policies
 * @see https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy
 */
export async function listConditionalAccessPolicies(emu: Emulator, ctx: RequestContext): Promise<void> {
  if (!(await authorizeCaller(emu, ctx, POLICY_READ_ROLE))) return;
  const value = emu.policy.policies.map((p) => ({ ...p, sessionControls: p.sessionControls ?? null }));
  sendJson(ctx.res, 200, { "@odata.context": `${emu.origin}/v1.0/$metadata#identity/conditionalAccess/policies`, value });
}

/**
 * `GET /v1.0/identity/conditionalAccess/authenticationContextClassReferences`. Needs `Policy.Read.All`.
 *
 * @see https://learn.microsoft.com/graph/api/conditionalaccessroot-list-authenticationcontextclassreferences
 */
export async function listAuthenticationContexts(emu: Emulator, ctx: RequestContext): Promise<void> {
  if (!(await authorizeCaller(emu, ctx, POLICY_READ_ROLE))) return;
  sendJson(ctx.res, 200, {
    "@odata.context": `${emu.origin}/v1.0/$metadata#identity/conditionalAccess/authenticationContextClassReferences`,
    value: emu.policy.authenticationContextClassReferences,
  });
}

/** Graph's fixed id of every user's password method. */
const PASSWORD_METHOD_ID = "28c10230-6103-485e-b985-444c60001490";
/** Graph's fixed id of a user's mobile phone method (`phoneType: "mobile"`). */
const MOBILE_PHONE_METHOD_ID = "3179e48a-750b-4051-897c-87b9720928f7";

/**
 * A stable GUID for a method the directory stores without an id (an authenticator-app secret):
 * a one-way hash, so the id reveals nothing of the secret and stays the same across requests.
 */
function derivedMethodId(user: DirectoryUser, kind: string, material: string): string {
  const hex = createHash("sha256").update(`${user.oid}\0${kind}\0${material}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * One directory method as Graph's `authenticationMethod` subtype. An authenticator app holding a
 * TOTP secret is a `softwareOathAuthenticationMethod` (Microsoft Authenticator's push method is
 * not emulated); the secret itself is never returned, as Graph returns `secretKey: null`.
 */
function graphMethod(user: DirectoryUser, method: DirectoryMethod): Record<string, unknown> {
  switch (method.type) {
    case "softwareOath":
      return { "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod", id: derivedMethodId(user, method.type, method.secret), secretKey: null };
    case "sms":
      return { "@odata.type": "#microsoft.graph.phoneAuthenticationMethod", id: MOBILE_PHONE_METHOD_ID, phoneNumber: method.phoneNumber, phoneType: "mobile", smsSignInState: "notAllowedByPolicy" };
    case "fido2":
      // Attestation is not verified (`attestationType: none`), so nothing is known of the model.
      return {
        "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
        id: method.credentialId,
        displayName: "Passkey",
        createdDateTime: null,
        aaGuid: "00000000-0000-0000-0000-000000000000",
        model: null,
        attestationCertificates: [],
        attestationLevel: "notAttested",
      };
  }
}

/**
 * `GET /v1.0/users/{id | userPrincipalName}/authentication/methods`: every method registered to
 * the user, from the live directory (a passkey registered in a sign-in a moment ago is listed),
 * the password first. Needs `UserAuthenticationMethod.Read.All` (or `.ReadWrite.All`). Takes no
 * query options, as Graph's does not.
 *
 * @see https://learn.microsoft.com/graph/api/authentication-list-methods
 */
export async function listAuthenticationMethods(emu: Emulator, ctx: RequestContext): Promise<void> {
  if (!(await authorizeCaller(emu, ctx, AUTHENTICATION_METHOD_READ_ROLES))) return;
  const id = ctx.params[0] ?? "";
  const user = GUID.test(id) ? emu.store.user(id.toLowerCase()) : emu.store.userByUpn(id);
  if (!user) return graphError(ctx, 404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
  sendJson(ctx.res, 200, {
    "@odata.context": `${emu.origin}/v1.0/$metadata#users('${encodeURIComponent(id)}')/authentication/methods`,
    value: [
      { "@odata.type": "#microsoft.graph.passwordAuthenticationMethod", id: PASSWORD_METHOD_ID, password: null, createdDateTime: null },
      ...user.methods.map((method) => graphMethod(user, method)),
    ],
  });
}
