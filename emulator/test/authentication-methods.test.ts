/**
 * `GET /v1.0/users/{id | userPrincipalName}/authentication/methods`: Graph's "List methods", read
 * with the web app's app-only token (`UserAuthenticationMethod.Read.All`), from the live directory.
 */
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { authorizeUrl, decode, graphGet, MEGAN, redeem, returned, TestBrowser, totpCode, useGraphAppToken, useTestEmulator, WEB_CLIENT, WEB_REDIRECT, WEB_SECRET } from "./helpers.js";

type Method = Record<string, unknown> & { "@odata.type": string; id: string };

const ADELE = { oid: "e2fb0559-b876-4663-aa61-e5d95de69343", credentialId: "8lwJrqjJi10OjkCl9axnEQ" };
const DIEGO = { oid: "e66e2ed2-fd39-4c38-a6e8-2f6001d6975a" };
const NESTOR = { upn: "nestor@woodgrove.test" };
const PASSWORD_METHOD = { "@odata.type": "#microsoft.graph.passwordAuthenticationMethod", id: "28c10230-6103-485e-b985-444c60001490", password: null, createdDateTime: null };
const c2 = JSON.stringify({ access_token: { acrs: { essential: true, value: "c2" } } });

/** A CBOR byte string's header (lengths below 65536). */
function cborBytes(bytes: Buffer): Buffer {
  const header = bytes.length < 24 ? Buffer.from([0x40 + bytes.length]) : bytes.length < 256 ? Buffer.from([0x58, bytes.length]) : Buffer.from([0x59, bytes.length >> 8, bytes.length & 0xff]);
  return Buffer.concat([header, bytes]);
}

/**
 * A software authenticator's answer to registration options: a new P-256 passkey with user
 * verification and `none` attestation, as a platform authenticator would create it.
 */
function attestation(options: { challenge: string }, origin: string) {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  // COSE_Key {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}, RFC 9053 §7.1.1.
  const cose = Buffer.concat([Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]), Buffer.from(jwk.x ?? "", "base64url"), Buffer.from([0x22, 0x58, 0x20]), Buffer.from(jwk.y ?? "", "base64url")]);
  const credentialId = randomBytes(16);
  const authData = Buffer.concat([
    createHash("sha256").update("localhost").digest(),
    Buffer.from([0x45]), // UP | UV | AT
    Buffer.alloc(4),
    Buffer.alloc(16), // AAGUID
    Buffer.from([0, credentialId.length]),
    credentialId,
    cose,
  ]);
  const text = (value: string) => Buffer.concat([Buffer.from([0x60 + value.length]), Buffer.from(value)]);
  const attestationObject = Buffer.concat([Buffer.from([0xa3]), text("fmt"), text("none"), text("attStmt"), Buffer.from([0xa0]), text("authData"), cborBytes(authData)]);
  const clientData = Buffer.from(JSON.stringify({ type: "webauthn.create", challenge: options.challenge, origin, crossOrigin: false }));
  const id = credentialId.toString("base64url");
  return {
    id,
    rawId: id,
    type: "public-key",
    response: { clientDataJSON: clientData.toString("base64url"), attestationObject: attestationObject.toString("base64url"), transports: ["internal"] },
    clientExtensionResults: {},
    authenticatorAttachment: "platform",
  };
}

describe("GET /v1.0/users/{id}/authentication/methods", () => {
  const emu = useTestEmulator();
  const token = useGraphAppToken(emu);

  async function methodsOf(id: string): Promise<Method[]> {
    const { status, body } = await graphGet(emu(), `users/${encodeURIComponent(id)}/authentication/methods`, token());
    assert.equal(status, 200, JSON.stringify(body));
    return body.value as Method[];
  }

  it("the web app's app-only Graph token carries UserAuthenticationMethod.Read.All", () => {
    assert.ok((decode(token()).payload.roles as string[]).includes("UserAuthenticationMethod.Read.All"));
  });

  it("each user's registered methods with Graph's @odata.type and ids, the password first, no secret", async () => {
    const megan = await methodsOf(MEGAN.oid);
    assert.deepEqual(megan[0], PASSWORD_METHOD);
    assert.deepEqual(
      megan.slice(1).map((m) => [m["@odata.type"], m.secretKey]),
      [["#microsoft.graph.softwareOathAuthenticationMethod", null]],
    );
    assert.match(megan[1]?.id ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(await methodsOf(MEGAN.oid), megan, "ids are stable across reads");
    const { body } = await graphGet(emu(), `users/${MEGAN.oid}/authentication/methods`, token());
    assert.doesNotMatch(JSON.stringify(body), /NNGFPYVOUVX7S3HQX6NX/, "the authenticator app's secret never leaves");

    const adele = await methodsOf(ADELE.oid);
    assert.deepEqual(
      adele.map((m) => [m["@odata.type"], m.id]),
      [
        [PASSWORD_METHOD["@odata.type"], PASSWORD_METHOD.id],
        ["#microsoft.graph.fido2AuthenticationMethod", ADELE.credentialId],
      ],
    );
    assert.equal(adele[1]?.attestationLevel, "notAttested");

    const diego = await methodsOf(DIEGO.oid);
    assert.deepEqual(diego[1], {
      "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
      id: "3179e48a-750b-4051-897c-87b9720928f7",
      phoneNumber: "+1 555 0100 1234",
      phoneType: "mobile",
      smsSignInState: "notAllowedByPolicy",
    });
  });

  it("accepts the user principal name (any case) and the object id in upper case, as Graph does", async () => {
    assert.deepEqual(await methodsOf(NESTOR.upn.toUpperCase()), [PASSWORD_METHOD]);
    assert.deepEqual(await methodsOf(MEGAN.oid.toUpperCase()), await methodsOf(MEGAN.upn));
  });

  it("an unknown user is Graph's 404 Request_ResourceNotFound", async () => {
    for (const id of ["0b7c1f4e-0000-4000-8000-000000000000", "nobody@woodgrove.test"]) {
      const { status, body } = await graphGet(emu(), `users/${encodeURIComponent(id)}/authentication/methods`, token());
      assert.equal(status, 404);
      const error = body.error as { code: string; message: string; innerError: Record<string, string> };
      assert.equal(error.code, "Request_ResourceNotFound");
      assert.match(error.message, new RegExp(`Resource '${id}' does not exist`));
      assert.ok(error.innerError["request-id"]);
    }
  });

  it("401 without a valid app token; 403 for a token without the permission (a user's delegated Graph token)", async () => {
    const none = await graphGet(emu(), `users/${MEGAN.oid}/authentication/methods`);
    assert.equal(none.status, 401);
    assert.equal((none.body.error as { code: string }).code, "InvalidAuthenticationToken");
    assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer /);

    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { scope: "openid profile offline_access" }));
    page = await browser.submit(page, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
    const tokens = await redeem(emu(), { grant_type: "authorization_code", code: returned(page).get("code") ?? "", client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT });
    const delegated = String(tokens.body.access_token);
    assert.equal(decode(delegated).payload.aud, "00000003-0000-0000-c000-000000000000");
    const denied = await graphGet(emu(), `users/${MEGAN.oid}/authentication/methods`, delegated);
    assert.equal(denied.status, 403);
    assert.equal((denied.body.error as { code: string }).code, "Authorization_RequestDenied");
  });

  it("reads the live directory: a passkey registered in a sign-in is listed at once", async () => {
    const user = (await (await emu().control("users", { methods: ["totp"] })).json()) as { oid: string; userPrincipalName: string; password: string };
    assert.deepEqual(
      (await methodsOf(user.oid)).map((m) => m["@odata.type"]),
      ["#microsoft.graph.passwordAuthenticationMethod", "#microsoft.graph.softwareOathAuthenticationMethod"],
    );

    // c2 needs a passkey: the authenticator app first, then the registration interrupt.
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { claims: c2, scope: "openid offline_access api://woodgrove-portal/access_as_user" }));
    page = await browser.submit(page, "username", { loginfmt: user.userPrincipalName, passwd: user.password });
    page = await browser.submit(page, "totp", { otc: await totpCode(emu(), user.oid) });
    assert.match(page.html, /Register a passkey/);
    const options = await browser.json(page, "register/passkey/options");
    assert.equal(options.status, 200, JSON.stringify(options.body));
    const credential = attestation(options.body as { challenge: string }, emu().origin);
    const registered = await browser.json(page, "register/passkey/verify", { response: credential });
    assert.deepEqual(registered.body, { ok: true });

    const after = await methodsOf(user.oid);
    assert.deepEqual(
      after.map((m) => [m["@odata.type"], m.id]).slice(2),
      [["#microsoft.graph.fido2AuthenticationMethod", credential.id]],
    );

    // The registration is in Graph's directory audit log, as Entra logs it.
    const filter = `initiatedBy/user/id eq '${user.oid}' and category eq 'UserManagement' and activityDateTime ge ${new Date(Date.now() - 3_600_000).toISOString()}`;
    const audits = await graphGet(emu(), `auditLogs/directoryAudits?$filter=${encodeURIComponent(filter)}`, token());
    assert.equal(audits.status, 200, JSON.stringify(audits.body));
    const entries = audits.body.value as Record<string, unknown>[];
    assert.equal(entries.length, 1);
    assert.deepEqual(
      { ...entries[0], id: undefined, activityDateTime: undefined, correlationId: undefined },
      {
        id: undefined,
        activityDateTime: undefined,
        correlationId: undefined,
        category: "UserManagement",
        result: "success",
        resultReason: "User registered FIDO2 security key",
        activityDisplayName: "User registered security info",
        loggedByService: "Authentication Methods",
        operationType: "Add",
        initiatedBy: { app: null, user: { id: user.oid, displayName: null, userPrincipalName: user.userPrincipalName, ipAddress: "127.0.0.1", userType: null } },
        targetResources: [{ id: user.oid, displayName: null, type: "User", userPrincipalName: user.userPrincipalName, groupType: null, modifiedProperties: [] }],
        additionalDetails: [],
      },
    );
    const one = await graphGet(emu(), `auditLogs/directoryAudits/${encodeURIComponent(String(entries[0]?.id))}`, token());
    assert.equal(one.status, 200);
    assert.equal(one.body.id, entries[0]?.id);
  });
});

describe("GET /v1.0/auditLogs/directoryAudits", () => {
  const emu = useTestEmulator();
  const token = useGraphAppToken(emu);

  it("filters it does not support are Graph's 400; $top is bounded; no token is 401", async () => {
    const bad = await graphGet(emu(), `auditLogs/directoryAudits?$filter=${encodeURIComponent("targetResources/any(t: t/id eq 'x')")}`, token());
    assert.equal(bad.status, 400);
    assert.equal((bad.body.error as { code: string }).code, "BadRequest");
    assert.equal((await graphGet(emu(), "auditLogs/directoryAudits?$top=0", token())).status, 400);
    const empty = await graphGet(emu(), `auditLogs/directoryAudits?$filter=${encodeURIComponent(`initiatedBy/user/id eq '${MEGAN.oid}'`)}`, token());
    assert.deepEqual([empty.status, empty.body.value], [200, []]);
    assert.equal((await graphGet(emu(), "auditLogs/directoryAudits")).status, 401);
    assert.equal((await graphGet(emu(), "auditLogs/directoryAudits/no-such-entry", token())).status, 404);
  });
});
