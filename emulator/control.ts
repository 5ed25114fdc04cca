import { createHash, createSecretKey, randomBytes, randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import { createPublicKey } from "node:crypto";
import { SignJWT, type JWTPayload } from "jose";
import { z } from "zod";
import { activatePolicySet, fileState, setPolicyState, unlockTotp } from "./admin.js";
import { IDS } from "./apps.js";
import { parseClaims } from "./claims.js";
import type { Emulator } from "./context.js";
import type { DirectoryMethod, DirectoryUser } from "./directory.js";
import { isLoopback, sendJson, type RequestContext } from "./http.js";
import { createDemoPasskey, newTotpSecret, unusedTotpCode } from "./mfa.js";
import { POLICY_SET_NAMES, POLICY_STATES } from "./policy.js";
import { listRiskyUsers, locationSchema, normalizeIp, riskyUser, RISK_LEVELS, setUserRisk } from "./risk.js";
import { resolveScopes } from "./scopes.js";
import { accessTokenClaims, idTokenClaims, randomId, signJwt } from "./tokens.js";
import type { AuthSnapshot } from "./types.js";

const createUserSchema = z.object({
  displayName: z.string().min(1).max(128).optional(),
  methods: z.array(z.enum(["totp", "sms", "passkey"])).max(4).default([]),
  roles: z.array(z.string().max(64)).max(16).optional(),
  accountEnabled: z.boolean().optional(),
  blockedByConditionalAccess: z.boolean().optional(),
});

const ageSchema = z.object({ seconds: z.number().int().min(1).max(400 * 24 * 3600) }).strict();
const policySetSchema = z.object({ set: z.enum(POLICY_SET_NAMES) });

const policyStateSchema = z.strictObject({ state: z.enum(POLICY_STATES) });

const smsQuerySchema = z.object({ oid: z.uuid() });

const clockSchema = z.object({ advanceSeconds: z.number().int().min(-86400 * 365).max(86400 * 365) });

const riskSchema = z.strictObject({ userRisk: z.enum(RISK_LEVELS), reason: z.enum(["leakedCredentials", "generic"]).optional() });

const networkSchema = z.strictObject({
  ip: z.union([z.ipv4(), z.ipv6()]),
  /** Overrides the location table for this IP (impossible travel, the log's location). */
  location: locationSchema.optional(),
});

const signInsQuerySchema = z.strictObject({ userId: z.uuid().optional(), correlationId: z.string().max(64).optional() });

const interactionSchema = z.object({ oid: z.uuid().optional(), action: z.enum(["approve", "deny", "cancel", "hang"]) });

const BROKEN_KINDS = [
  "wrong-signature",
  "alg-none",
  "hs256-public-key",
  "wrong-issuer",
  "wrong-audience",
  "wrong-tenant",
  "wrong-azp",
  "expired",
  "not-yet-valid",
  "missing-acrs",
  "missing-auth-time",
  "stale-auth-time",
  "id-token",
] as const;

const brokenSchema = z.object({
  kind: z.enum(BROKEN_KINDS),
  oid: z.uuid(),
  acrs: z.array(z.string().regex(/^c\d{1,2}$/)).max(99).optional(),
  /**
   * The token's `iat` (and `nbf`), in seconds since the epoch, instead of now; `exp` follows an
   * hour later. Lets a test mint a proof in exactly the second it needs (transaction binding's
   * "minted strictly after the operation" rule is about whole seconds).
   */
  issuedAt: z.number().int().positive().optional(),
});

/** A kind of deliberately broken token the control API can mint. */
export type BrokenKind = (typeof BROKEN_KINDS)[number];

function authorized(emu: Emulator, ctx: RequestContext): boolean {
  const secret = emu.controlSecret;
  const header = ctx.req.headers.authorization ?? "";
  if (!secret || !header.startsWith("Bearer ")) return false;
  const a = createHash("sha256").update(header.slice(7)).digest();
  const b = createHash("sha256").update(secret).digest();
  return timingSafeEqual(a, b);
}

function fail(ctx: RequestContext, status: number, error: string, description: string): void {
  sendJson(ctx.res, status, { error, error_description: description });
}

function b64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

async function brokenToken(emu: Emulator, kind: BrokenKind, user: DirectoryUser, acrs: string[], issuedAt?: number): Promise<string> {
  const client = emu.apps.clients.get(IDS.spaClientId);
  if (!client) throw new Error("SPA client missing");
  const now = emu.store.now();
  const base = {
    client,
    user,
    sessionId: randomUUID(),
    sid: randomUUID(),
    auth: { passwordAt: now, totpAt: now },
    scopes: resolveScopes(emu.apps, `${IDS.apiIdentifierUri}/access_as_user openid profile offline_access`),
    claims: parseClaims(acrs.length ? JSON.stringify({ access_token: { acrs: { essential: true, values: acrs } } }) : undefined),
  };
  const claims: JWTPayload = accessTokenClaims(emu, base);
  // The broken token still carries exactly the contexts asked for, whatever the policy says.
  if (acrs.length) claims.acrs = acrs;
  if (issuedAt !== undefined) Object.assign(claims, { iat: issuedAt, nbf: issuedAt, exp: issuedAt + 3600 });
  const { kid, jwk } = await emu.keys.current();
  const iat = issuedAt ?? emu.store.toTokenSeconds(now);
  switch (kind) {
    case "wrong-signature": {
      const token = await signJwt(emu, claims);
      const [h, p] = token.split(".");
      const other = await signJwt(emu, { ...claims, uti: randomId(16) });
      return `${h}.${p}.${other.split(".")[2]}`;
    }
    case "alg-none":
      return `${b64urlJson({ typ: "JWT", alg: "none", kid })}.${b64urlJson(claims)}.`;
    case "hs256-public-key": {
      // The classic key-confusion attack: HMAC keyed with the published RSA public key (PEM).
      const pem = createPublicKey({ key: { kty: "RSA", n: jwk.n ?? "", e: jwk.e ?? "" }, format: "jwk" }).export({ type: "spki", format: "pem" });
      return new SignJWT(claims).setProtectedHeader({ typ: "JWT", alg: "HS256", kid }).sign(createSecretKey(Buffer.from(pem)));
    }
    case "wrong-issuer":
      return signJwt(emu, { ...claims, iss: `https://login.microsoftonline.com/${emu.tenantId}/v2.0` });
    case "wrong-audience":
      return signJwt(emu, { ...claims, aud: "00000003-0000-0000-c000-000000000000" });
    case "wrong-tenant": {
      const otherTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
      return signJwt(emu, { ...claims, tid: otherTenant, iss: `${emu.origin}/${otherTenant}/v2.0` });
    }
    case "wrong-azp":
      return signJwt(emu, { ...claims, azp: randomUUID(), azpacr: "1" });
    case "expired":
      return signJwt(emu, { ...claims, iat: iat - 7200, nbf: iat - 7200, exp: iat - 3600 });
    case "not-yet-valid":
      return signJwt(emu, { ...claims, nbf: iat + 3600, exp: iat + 7200 });
    case "missing-acrs":
      return signJwt(emu, { ...claims, acrs: undefined });
    case "missing-auth-time":
      return signJwt(emu, { ...claims, auth_time: undefined });
    case "stale-auth-time":
      // Freshly issued, but the verification it reports is two hours old: older than any
      // context's window (c1/c2 every time, c3 within the hour).
      return signJwt(emu, { ...claims, auth_time: iat - 7200 });
    case "id-token": {
      const web = emu.apps.clients.get(IDS.webClientId);
      if (!web) throw new Error("web client missing");
      const idClaims = idTokenClaims(emu, {
        ...base,
        client: web,
        claims: parseClaims(JSON.stringify({ id_token: { auth_time: { essential: true }, ...(acrs.length ? { acrs: { essential: true, values: acrs } } : {}) } })),
      });
      if (acrs.length) idClaims.acrs = acrs;
      return signJwt(emu, idClaims);
    }
  }
}

/**
 * `/__control/*`: test-only control API, mounted only with `--test-control`. Loopback callers with
 * the bearer secret only. Documented in emulator/README.md.
 */
export async function control(emu: Emulator, ctx: RequestContext): Promise<void> {
  if (!isLoopback(ctx.req.socket.remoteAddress)) return fail(ctx, 403, "forbidden", "The control API accepts loopback callers only.");
  if (!authorized(emu, ctx)) return fail(ctx, 401, "unauthorized", "Missing or wrong control secret.");
  const route = `${ctx.req.method} ${ctx.params[0] ?? ""}`;
  const store = emu.store;
  const parse = async <T>(schema: z.ZodType<T>): Promise<T | undefined> => {
    const result = schema.safeParse(await ctx.body());
    if (!result.success) {
      fail(ctx, 400, "invalid_request", z.prettifyError(result.error));
      return undefined;
    }
    return result.data;
  };

  if (route === "POST reset") {
    store.reset();
    emu.signIns.clear();
    emu.pending.clear();
    activatePolicySet(emu, emu.initialPolicySet);
    emu.log("control_reset");
    return sendJson(ctx.res, 200, { ok: true });
  }
  if (route === "GET clock") return sendJson(ctx.res, 200, { now: new Date(store.now()).toISOString(), offsetSeconds: store.state.clockOffsetMs / 1000 });
  if (route === "POST clock") {
    const input = await parse(clockSchema);
    if (!input) return;
    store.state.clockOffsetMs += input.advanceSeconds * 1000;
    store.save();
    return sendJson(ctx.res, 200, { now: new Date(store.now()).toISOString(), offsetSeconds: store.state.clockOffsetMs / 1000 });
  }
  const ageMatch = /^POST users\/([0-9a-f-]{36})\/age-authentication$/.exec(route);
  if (ageMatch) {
    // Per-user "time passes": makes this user's recorded verifications (in their SSO sessions
    // and refresh tokens) older without moving the shared clock, so a test can lapse a sign-in
    // frequency for one person while other tests run in parallel.
    const input = await parse(ageSchema);
    if (!input) return;
    const oid = ageMatch[1]!;
    const shift = input.seconds * 1000;
    const age = (auth: AuthSnapshot) => {
      for (const key of ["passwordAt", "totpAt", "passkeyAt", "smsAt"] as const) if (auth[key] !== undefined) auth[key] = auth[key]! - shift;
    };
    const owned = [...Object.values(store.state.sessions), ...Object.values(store.state.refreshTokens)].filter((entry) => entry.oid === oid);
    for (const entry of owned) age(entry.auth);
    const touched = owned.length;
    store.save();
    return sendJson(ctx.res, 200, { aged: touched });
  }
  if (route === "GET policy-set") return sendJson(ctx.res, 200, { set: emu.policy.name, available: POLICY_SET_NAMES });
  if (route === "POST policy-set") {
    const input = await parse(policySetSchema);
    if (!input) return;
    // In memory only: a restart (or POST /reset) returns to EMULATOR_POLICY_SET.
    activatePolicySet(emu, input.set);
    return sendJson(ctx.res, 200, { set: emu.policy.name, available: POLICY_SET_NAMES });
  }
  if (route === "GET policies") {
    return sendJson(ctx.res, 200, {
      set: emu.policy.name,
      policies: emu.policy.policies.map((p) => ({ id: p.id, displayName: p.displayName, state: p.state, fileState: fileState(emu, p.id) })),
    });
  }
  const policyStateMatch = /^POST policies\/([0-9a-f-]{36})\/state$/.exec(route);
  if (policyStateMatch) {
    const input = await parse(policyStateSchema);
    if (!input) return;
    const id = policyStateMatch[1] ?? "";
    if (!setPolicyState(emu, id, input.state)) return fail(ctx, 404, "not_found", `The active policy set (${emu.policy.name}) has no policy ${id}.`);
    return sendJson(ctx.res, 200, { id, state: input.state, fileState: fileState(emu, id) });
  }
  if (route === "GET unenforced") {
    return sendJson(ctx.res, 200, { issuances: store.state.unenforced.map((r) => ({ ...r, at: new Date(r.at).toISOString() })) });
  }
  if (route === "GET report-only") {
    return sendJson(ctx.res, 200, { results: store.state.reportOnly.map((r) => ({ ...r, at: new Date(r.at).toISOString() })) });
  }
  if (route === "POST keys/rotate") {
    const kid = await emu.keys.rotate();
    emu.log("keys_rotated", { kid });
    return sendJson(ctx.res, 200, { kid, keys: emu.keys.jwks(emu.issuer).keys.map((k) => k.kid) });
  }
  if (route === "POST users") {
    const input = await parse(createUserSchema);
    if (!input) return;
    const oid = randomUUID();
    const tag = randomBytes(6).toString("hex");
    const password = `Test#${randomBytes(12).toString("base64url")}`;
    const methods: DirectoryMethod[] = [];
    const displayName = input.displayName ?? `Test User ${tag}`;
    const out: Record<string, unknown> = { oid, userPrincipalName: `test-${tag}@woodgrove.test`, displayName, password };
    if (input.methods.includes("totp")) {
      const secret = newTotpSecret();
      methods.push({ type: "softwareOath", secret });
      out.totpSecret = secret;
    }
    if (input.methods.includes("sms")) {
      // 555-01xx numbers are reserved for fiction in North America.
      const phoneNumber = `+1 555 01${String(randomInt(0, 100)).padStart(2, "0")} ${String(randomInt(0, 10_000)).padStart(4, "0")}`;
      methods.push({ type: "sms", phoneNumber });
      out.phoneNumber = phoneNumber;
    }
    if (input.methods.includes("passkey")) {
      const { method } = createDemoPasskey(oid);
      methods.push(method);
      out.passkey = { credentialId: method.credentialId, privateKeyPkcs8: method.testPrivateKeyPkcs8, userHandle: method.userHandle, rpId: new URL(emu.origin).hostname };
    }
    store.state.users.push({
      oid,
      userPrincipalName: out.userPrincipalName as string,
      displayName,
      persona: "test",
      password,
      ...(input.accountEnabled !== undefined ? { accountEnabled: input.accountEnabled } : {}),
      ...(input.blockedByConditionalAccess ? { blockedByConditionalAccess: true } : {}),
      ...(input.roles ? { roles: input.roles } : {}),
      methods,
    });
    store.save();
    return sendJson(ctx.res, 201, out);
  }
  const totpMatch = /^GET users\/([0-9a-f-]{36})\/totp$/.exec(route);
  if (totpMatch) {
    const user = store.user(totpMatch[1] ?? "");
    if (!user) return fail(ctx, 404, "not_found", "No such user.");
    const code = unusedTotpCode(emu, user);
    if (!code) return fail(ctx, 409, "no_code", "The user has no authenticator app, or every current code was used; advance the clock.");
    return sendJson(ctx.res, 200, { code });
  }
  if (route === "GET sms") {
    const query = smsQuerySchema.safeParse(ctx.query());
    if (!query.success) return fail(ctx, 400, "invalid_request", "oid must be a user object id.");
    if (!store.user(query.data.oid)) return fail(ctx, 404, "not_found", "No such user.");
    const now = store.now();
    const messages = store.state.smsInbox
      .filter((m) => m.oid === query.data.oid)
      .reverse()
      .map((m) => ({
        to: m.phoneNumber,
        code: m.code,
        text: `Use verification code ${m.code} for Woodgrove (emulated).`,
        sentAt: new Date(m.sentAt).toISOString(),
        expiresAt: new Date(m.expiresAt).toISOString(),
        used: m.usedAt !== undefined,
        expired: now > m.expiresAt,
      }));
    return sendJson(ctx.res, 200, { messages });
  }
  const riskMatch = /^(GET|POST) users\/([0-9a-f-]{36})\/risk$/.exec(route);
  if (riskMatch) {
    const user = store.user(riskMatch[2] ?? "");
    if (!user) return fail(ctx, 404, "not_found", "No such user.");
    if (riskMatch[1] === "POST") {
      const input = await parse(riskSchema);
      if (!input) return;
      setUserRisk(emu, user.oid, input.userRisk, input.reason);
      store.save();
      emu.log("user_risk_set", { oid: user.oid, level: input.userRisk, reason: input.reason });
    }
    return sendJson(ctx.res, 200, riskyUser(emu, user));
  }
  const lockoutMatch = /^DELETE users\/([0-9a-f-]{36})\/lockout$/.exec(route);
  if (lockoutMatch) {
    const oid = lockoutMatch[1] ?? "";
    if (!store.user(oid)) return fail(ctx, 404, "not_found", "No such user.");
    unlockTotp(emu, oid);
    return sendJson(ctx.res, 200, { oid, locked: false });
  }
  if (route === "GET risky-users") return sendJson(ctx.res, 200, { value: listRiskyUsers(emu) });
  const networkMatch = /^(GET|POST|DELETE) users\/([0-9a-f-]{36})\/network$/.exec(route);
  if (networkMatch) {
    const oid = networkMatch[2] ?? "";
    if (!store.user(oid)) return fail(ctx, 404, "not_found", "No such user.");
    if (networkMatch[1] === "POST") {
      const input = await parse(networkSchema);
      if (!input) return;
      store.state.networks[oid] = { ip: normalizeIp(input.ip), ...(input.location ? { location: input.location } : {}) };
      store.save();
    } else if (networkMatch[1] === "DELETE") {
      delete store.state.networks[oid];
      store.save();
    }
    const network = store.state.networks[oid];
    return sendJson(ctx.res, 200, { oid, ip: network?.ip ?? null, location: network?.location ?? emu.network.locate(network?.ip ?? "") ?? null, overridden: network !== undefined });
  }
  if (route === "GET sign-ins") {
    const query = signInsQuerySchema.safeParse(ctx.query());
    if (!query.success) return fail(ctx, 400, "invalid_request", z.prettifyError(query.error));
    const filter = [
      ...(query.data.userId ? [{ property: "userId" as const, op: "eq" as const, value: query.data.userId }] : []),
      ...(query.data.correlationId ? [{ property: "correlationId" as const, op: "eq" as const, value: query.data.correlationId }] : []),
    ];
    return sendJson(ctx.res, 200, { value: emu.signIns.query(filter, 100).entries });
  }
  if (route === "POST next-interaction") {
    const input = await parse(interactionSchema);
    if (!input) return;
    store.state.scripted.push({ action: input.action, ...(input.oid ? { oid: input.oid } : {}) });
    store.save();
    return sendJson(ctx.res, 200, { ok: true, queued: store.state.scripted.length });
  }
  if (route === "POST tokens/broken") {
    const input = await parse(brokenSchema);
    if (!input) return;
    const user = store.user(input.oid);
    if (!user) return fail(ctx, 404, "not_found", "No such user.");
    return sendJson(ctx.res, 200, { token: await brokenToken(emu, input.kind, user, input.acrs ?? [], input.issuedAt) });
  }
  return fail(ctx, 404, "not_found", "No such control route.");
}
