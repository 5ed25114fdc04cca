/**
 * Protocol details clients rely on without seeing them: where the correlation id travels, how a
 * refresh that needs the user is refused, where sign-out may return to, and the format of
 * Microsoft Graph's tokens. Each test names the Microsoft page or library source it follows.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InteractionRequiredAuthError, Logger, ResponseHandler, ServerError } from "@azure/msal-common";
import { importJWK, jwtVerify } from "jose";
import {
  API_SCOPE, authorizeUrl, decode, graphGet, MEGAN, PORTAL, redeem, returned, SPA_CLIENT, TENANT, TestBrowser, totpCode, useGraphAppToken, useTestEmulator, WEB_CLIENT, WEB_REDIRECT, WEB_SECRET,
} from "./helpers.js";

const C1 = JSON.stringify({ access_token: { acrs: { essential: true, value: "c1" } } });

/** What MSAL.js makes of a token endpoint error body: the same classification its silent flow uses. */
function msalErrorFor(body: Record<string, unknown>): unknown {
  const handler = new ResponseHandler(WEB_CLIENT, undefined as never, undefined as never, new Logger({}), undefined as never, null, null);
  try {
    handler.validateTokenResponse(body as never, "test", false);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("protocol details clients rely on", () => {
  const emu = useTestEmulator();
  const graphToken = useGraphAppToken(emu);

  const tokenUrl = (query = "") => `${emu().origin}/${TENANT}/oauth2/v2.0/token${query}`;
  async function post(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await emu().fetch(url, { method: "POST", headers, body: new URLSearchParams(form) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  }
  async function signIn(user: { upn: string; password: string }, params: Record<string, string> = {}) {
    const browser = new TestBrowser(emu());
    const page = await browser.submit(await browser.go(authorizeUrl(emu(), { scope: `openid profile offline_access ${API_SCOPE}`, ...params })), "username", { loginfmt: user.upn, passwd: user.password });
    return { browser, page };
  }
  async function refreshTokenOf(page: Awaited<ReturnType<typeof signIn>>["page"]): Promise<string> {
    const tokens = await redeem(emu(), { grant_type: "authorization_code", code: returned(page).get("code") ?? "", client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    return String(tokens.body.refresh_token);
  }
  /** Sign-in log entries, interactive and not: beta lists both when the filter asks for both. */
  async function signInsWith(correlationId: string) {
    const filter = `correlationId eq '${correlationId}' and signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')`;
    const { body } = await graphGet(emu(), `auditLogs/signIns?$filter=${encodeURIComponent(filter)}`, graphToken(), "beta");
    return body.value as { correlationId: string; isInteractive: boolean; status: { errorCode: number } }[];
  }

  describe("correlation ids", () => {
    // MSAL.js puts its correlation id in the query string of authorize, token and logout requests
    // (msal-common `createTokenQueryParameters`, `createLogoutUrlQueryString`) and never in a header
    // there; other clients send the `client-request-id` header. Entra files the request under it.
    it("a token request's client-request-id query parameter is the error's correlation_id, echoed as a header, and the sign-in log's correlationId", async () => {
      const { page } = await signIn(MEGAN);
      const refreshToken = await refreshTokenOf(page);
      const id = "5f0e5c1e-0000-4000-8000-00000000c0de";
      const refused = await post(tokenUrl(`?client-request-id=${id}`), { grant_type: "refresh_token", refresh_token: refreshToken, client_id: WEB_CLIENT, client_secret: WEB_SECRET, claims: C1 });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.correlation_id, id);
      assert.match(String(refused.body.error_description), new RegExp(`Correlation ID: ${id}`));
      assert.equal(refused.headers.get("client-request-id"), id);
      assert.equal(refused.headers.get("x-ms-request-id"), refused.body.trace_id, "Entra's own request id is the error's trace id");

      const okId = "5f0e5c1e-0000-4000-8000-00000000beef";
      const issued = await post(tokenUrl(`?client-request-id=${okId}`), { grant_type: "refresh_token", refresh_token: refreshToken, client_id: WEB_CLIENT, client_secret: WEB_SECRET });
      assert.equal(issued.status, 200, JSON.stringify(issued.body));
      assert.equal(issued.headers.get("client-request-id"), okId);
      assert.match(issued.headers.get("x-ms-request-id") ?? "", /^[0-9a-f-]{36}$/);

      const [failedEntry] = await signInsWith(id);
      assert.deepEqual([failedEntry?.isInteractive, failedEntry?.status.errorCode], [false, 50076]);
      const [okEntry] = await signInsWith(okId);
      assert.deepEqual([okEntry?.isInteractive, okEntry?.status.errorCode], [false, 0]);
    });

    it("the header still counts (other clients), and wins over the query parameter; a malformed value is ignored", async () => {
      const headerOnly = await post(tokenUrl(), { grant_type: "refresh_token", refresh_token: "1.nope", client_id: WEB_CLIENT, client_secret: WEB_SECRET }, { "client-request-id": "from-header" });
      assert.deepEqual([headerOnly.body.correlation_id, headerOnly.headers.get("client-request-id")], ["from-header", "from-header"]);
      const both = await post(tokenUrl("?client-request-id=from-query"), { grant_type: "refresh_token", refresh_token: "1.nope", client_id: WEB_CLIENT, client_secret: WEB_SECRET }, { "client-request-id": "from-header" });
      assert.equal(both.body.correlation_id, "from-header");
      const malformed = await post(tokenUrl(`?client-request-id=${encodeURIComponent("<script>")}`), { grant_type: "refresh_token", refresh_token: "1.nope", client_id: WEB_CLIENT, client_secret: WEB_SECRET });
      assert.match(String(malformed.body.correlation_id), /^[0-9a-f-]{36}$/);
      assert.equal(malformed.headers.get("client-request-id"), null);
    });

    it("authorize: the query parameter names the interactive sign-in; logout reads and echoes it too", async () => {
      const { browser, page } = await signIn(MEGAN, { "client-request-id": "corr-authorize-query" });
      assert.ok(returned(page).get("code"));
      const [entry] = await signInsWith("corr-authorize-query");
      assert.equal(entry?.isInteractive, true);

      const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
      const out = await emu().fetch(
        `${emu().origin}/${TENANT}/oauth2/v2.0/logout?client_id=${WEB_CLIENT}&post_logout_redirect_uri=${encodeURIComponent(`${PORTAL}/signed-out`)}&client-request-id=corr-logout`,
        { headers: { cookie } },
      );
      assert.equal(out.status, 302);
      assert.equal(out.headers.get("client-request-id"), "corr-logout");
      assert.ok(emu().logs.some((line) => line.includes('"event":"signed_out"') && line.includes('"correlationId":"corr-logout"')));
    });
  });

  describe("a refresh that needs the user", () => {
    // Microsoft Learn, MSAL Java "Exceptions": a silent request that needs interaction fails with
    // invalid_grant; the suberror (basic_action) is what MSAL.js's `isInteractionRequiredError`
    // reads to raise InteractionRequiredAuthError instead of retrying in a hidden iframe.
    it("MFA required: invalid_grant, AADSTS50076, suberror basic_action and the claims; MSAL.js calls it interaction required", async () => {
      const { page } = await signIn(MEGAN);
      const refused = await redeem(emu(), { grant_type: "refresh_token", refresh_token: await refreshTokenOf(page), client_id: WEB_CLIENT, client_secret: WEB_SECRET, claims: C1 });
      assert.equal(refused.status, 400);
      assert.deepEqual([refused.body.error, refused.body.error_codes, refused.body.suberror, refused.body.claims], ["invalid_grant", [50076], "basic_action", C1]);
      const msal = msalErrorFor(refused.body);
      assert.ok(msal instanceof InteractionRequiredAuthError, String(msal));
      assert.deepEqual([msal.errorCode, msal.subError, msal.claims], ["invalid_grant", "basic_action", C1]);
      // Without the suberror MSAL would see a plain ServerError (and try an iframe first).
      const bare = msalErrorFor({ ...refused.body, suberror: undefined });
      assert.ok(bare instanceof ServerError && !(bare instanceof InteractionRequiredAuthError));
    });

    it("registration required: a user with no second factor is answered AADSTS50079, also an InteractionRequiredAuthError", async () => {
      const user = (await (await emu().control("users", { methods: [] })).json()) as { userPrincipalName: string; password: string };
      const { page } = await signIn({ upn: user.userPrincipalName, password: user.password });
      const refused = await redeem(emu(), { grant_type: "refresh_token", refresh_token: await refreshTokenOf(page), client_id: WEB_CLIENT, client_secret: WEB_SECRET, claims: C1 });
      assert.deepEqual([refused.body.error, refused.body.error_codes, refused.body.suberror], ["invalid_grant", [50079], "basic_action"]);
      assert.ok(msalErrorFor(refused.body) instanceof InteractionRequiredAuthError);
    });

    it("the refused refresh token stays usable: after the second factor, the same token is redeemed with the claims", async () => {
      const { browser, page } = await signIn(MEGAN);
      const refreshToken = await refreshTokenOf(page);
      const refused = await redeem(emu(), { grant_type: "refresh_token", refresh_token: refreshToken, client_id: WEB_CLIENT, client_secret: WEB_SECRET, claims: C1 });
      assert.equal(refused.body.error, "invalid_grant");
      const stepUp = await browser.go(authorizeUrl(emu(), { claims: C1 }));
      await browser.submit(stepUp, "totp", { otc: await totpCode(emu(), MEGAN.oid) });
      const issued = await redeem(emu(), { grant_type: "refresh_token", refresh_token: refreshToken, client_id: WEB_CLIENT, client_secret: WEB_SECRET, claims: C1, scope: API_SCOPE });
      assert.equal(issued.status, 200, JSON.stringify(issued.body));
      assert.deepEqual(decode(String(issued.body.access_token)).payload.acrs, ["c1"]);
    });
  });

  describe("sign-out", () => {
    // Microsoft Learn, "OpenID Connect on the Microsoft identity platform", Send a sign-out request:
    // post_logout_redirect_uri must match one of the redirect URIs registered for the application.
    const logout = (params: Record<string, string>) => emu().fetch(`${emu().origin}/${TENANT}/oauth2/v2.0/logout?${new URLSearchParams(params).toString()}`);

    it("returns to a redirect URI registered for the named client, and only there", async () => {
      const signedOut = `${PORTAL}/signed-out`;
      const back = await logout({ client_id: WEB_CLIENT, post_logout_redirect_uri: signedOut, state: "s1" });
      assert.deepEqual([back.status, back.headers.get("location")], [302, `${signedOut}?state=s1`]);
      const callback = await logout({ client_id: WEB_CLIENT, post_logout_redirect_uri: WEB_REDIRECT });
      assert.equal(callback.headers.get("location"), WEB_REDIRECT, "any registered redirect URI is a valid return");
      for (const [clientId, target] of [
        [WEB_CLIENT, `${PORTAL}/`],
        [WEB_CLIENT, "https://evil.example/signed-out"],
        [SPA_CLIENT, signedOut],
        ["00000000-0000-0000-0000-000000000000", signedOut],
      ] as const) {
        const page = await logout({ client_id: clientId, post_logout_redirect_uri: target });
        assert.equal(page.status, 200, `${clientId} ${target}`);
        assert.match(await page.text(), /You signed out/);
      }
    });
  });

  describe("Microsoft Graph tokens", () => {
    // Microsoft Learn, "Access token claims reference": Graph's tokens are v1.0 (iss
    // https://sts.windows.net/{tid}/, appid/appidacr, ver 1.0); app-only tokens carry idtyp "app".
    it("the client-credentials token for https://graph.microsoft.com/.default is v1.0 and app-only", async () => {
      const { header, payload } = decode(graphToken());
      assert.deepEqual([header.typ, header.alg, typeof header.kid], ["JWT", "RS256", "string"]);
      assert.deepEqual(
        [payload.aud, payload.iss, payload.idp, payload.ver, payload.appid, payload.appidacr, payload.idtyp, payload.tid],
        ["https://graph.microsoft.com", `https://sts.windows.net/${TENANT}/`, `https://sts.windows.net/${TENANT}/`, "1.0", WEB_CLIENT, "1", "app", TENANT],
      );
      assert.equal(payload.oid, payload.sub, "oid and sub are the service principal's");
      assert.notEqual(payload.oid, WEB_CLIENT);
      assert.deepEqual([payload.azp, payload.azpacr, payload.scp], [undefined, undefined, undefined]);
      assert.deepEqual(payload.roles, ["AuditLog.Read.All", "Policy.Read.All", "UserAuthenticationMethod.Read.All"]);
      const jwks = (await (await emu().fetch(`${emu().origin}/${TENANT}/discovery/v2.0/keys`)).json()) as { keys: { kid: string; n: string; e: string }[] };
      const jwk = jwks.keys.find((k) => k.kid === header.kid);
      assert.ok(jwk, "signed with a published key");
      await jwtVerify(graphToken(), await importJWK({ kty: "RSA", n: jwk.n, e: jwk.e }, "RS256"), { issuer: `https://sts.windows.net/${TENANT}/`, audience: "https://graph.microsoft.com" });
    });

    it("Graph accepts that token and refuses one in the v2.0 format (the portal API's app token)", async () => {
      assert.equal((await graphGet(emu(), "identity/conditionalAccess/authenticationContextClassReferences", graphToken())).status, 200);
      const apiToken = await redeem(emu(), { grant_type: "client_credentials", client_id: WEB_CLIENT, client_secret: WEB_SECRET, scope: "api://woodgrove-portal/.default" });
      assert.equal(decode(String(apiToken.body.access_token)).payload.ver, "2.0");
      const refused = await graphGet(emu(), "identity/conditionalAccess/authenticationContextClassReferences", String(apiToken.body.access_token));
      assert.equal(refused.status, 401);
      assert.match(refused.headers.get("www-authenticate") ?? "", /^Bearer /);
    });
  });
});
