/**
 * Conformance: unmodified client libraries (MSAL Node and openid-client) against a running
 * emulator, asserting what Microsoft documents for Entra ID rather than what the emulator happens
 * to do. Each test names the page it follows. The libraries get the emulator's certificate through
 * the hooks they document (MSAL's `system.networkClient`, openid-client's `customFetch`), and every
 * request they make is recorded so a test fails if one leaves for another host.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  ConfidentialClientApplication, CryptoProvider, InteractionRequiredAuthError,
  type Configuration, type INetworkModule, type NetworkRequestOptions, type NetworkResponse,
} from "@azure/msal-node";
import * as client from "openid-client";
import { API_APP, API_SCOPE, decode, MEGAN, type Page, PORTAL, TENANT, TestBrowser, type TestEmulator, totpCode, useTestEmulator, WEB_CLIENT, WEB_REDIRECT, WEB_SECRET } from "./helpers.js";

const c1 = JSON.stringify({ access_token: { acrs: { essential: true, value: "c1" } } });
const GRAPH_DEFAULT = "https://graph.microsoft.com/.default";

/** One request a client library made, with the JSON it got back. */
interface Exchange {
  method: "GET" | "POST";
  url: URL;
  body: URLSearchParams;
  status: number;
  response: Record<string, unknown>;
}

/**
 * MSAL Node's documented extension point for its HTTP calls (`system.networkClient`), over the
 * test fetch that trusts the emulator's CA. Same contract as MSAL's own fetch client: headers as a
 * record, the body parsed as JSON.
 */
function recordingNetworkClient(emu: TestEmulator, log: Exchange[]): INetworkModule {
  const send = async <T>(method: "GET" | "POST", url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const res = await emu.fetch(url, { method, headers: options?.headers ?? {}, ...(method === "POST" ? { body: options?.body ?? "" } : {}) });
    const response = (await res.json()) as Record<string, unknown>;
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    log.push({ method, url: new URL(url), body: new URLSearchParams(options?.body ?? ""), status: res.status, response });
    return { headers, body: response as T, status: res.status };
  };
  return {
    sendGetRequestAsync: (url, options) => send("GET", url, options),
    sendPostRequestAsync: (url, options) => send("POST", url, options),
  };
}

/** Signs Megan in on the emulator's pages (TOTP when asked) and returns where it sent the browser. */
async function signInAt(emu: TestEmulator, authorizeUrl: string, factor?: "totp"): Promise<{ callback: URL; browser: TestBrowser }> {
  const browser = new TestBrowser(emu);
  let page: Page = await browser.go(authorizeUrl);
  page = await browser.submit(page, "username", { loginfmt: MEGAN.upn });
  page = await browser.submit(page, "password", { passwd: MEGAN.password });
  if (factor === "totp") page = await browser.submit(page, "totp", { otc: await totpCode(emu, MEGAN.oid) });
  assert.equal(page.status, 302, page.html.slice(0, 400));
  return { callback: new URL(page.url), browser };
}


/**
 * A v2.0 ID token for Megan issued to the web app in this flow (ID token claims reference): the
 * tenant's GUID issuer, the client as audience, her tenant and object id, the request's nonce.
 */
function assertMegansIdToken(id: Record<string, unknown>, nonce: string, origin: string): void {
  assert.equal(id.iss, `${origin}/${TENANT}/v2.0`);
  assert.equal(id.aud, WEB_CLIENT);
  assert.equal(id.tid, TENANT);
  assert.equal(id.oid, MEGAN.oid);
  assert.equal(id.nonce, nonce);
  assert.equal(id.ver, "2.0");
}
describe("conformance: MSAL Node (ConfidentialClientApplication)", () => {
  const emu = useTestEmulator();
  let host: string;
  const log: Exchange[] = [];
  const crypto = new CryptoProvider();

  before(async () => {
    host = new URL(emu().origin).host;
  });

  /**
   * MSAL Node configured as Microsoft Learn's "Initialize a confidential client application"
   * describes, with the emulator as a known authority (MSAL then skips instance discovery at
   * login.microsoftonline.com).
   */
  function msal(extra: Partial<Configuration["auth"]> = {}): ConfidentialClientApplication {
    return new ConfidentialClientApplication({
      auth: { clientId: WEB_CLIENT, clientSecret: WEB_SECRET, authority: `${emu().origin}/${TENANT}`, knownAuthorities: [host], ...extra },
      system: { networkClient: recordingNetworkClient(emu(), log) },
    });
  }

  /** getAuthCodeUrl with PKCE, the sign-in pages, then acquireTokenByCode with the whole payload. */
  async function codeFlow(app: ConfidentialClientApplication, options: { claims?: string; factor?: "totp" } = {}) {
    const scopes = [API_SCOPE];
    const { verifier, challenge } = await crypto.generatePkceCodes();
    const state = crypto.createNewGuid();
    const nonce = crypto.createNewGuid();
    const url = await app.getAuthCodeUrl({
      scopes, redirectUri: WEB_REDIRECT, codeChallenge: challenge, codeChallengeMethod: "S256", state, nonce, ...(options.claims ? { claims: options.claims } : {}),
    });
    const { callback, browser } = await signInAt(emu(), url, options.factor);
    const code = callback.searchParams.get("code") ?? "";
    const clientInfo = callback.searchParams.get("client_info") ?? undefined;
    // MSAL compares the returned state with the request's and the ID token's nonce with the request's.
    const result = await app.acquireTokenByCode(
      { code, scopes, redirectUri: WEB_REDIRECT, codeVerifier: verifier, state, nonce, ...(options.claims ? { claims: options.claims } : {}) },
      { code, state: callback.searchParams.get("state") ?? "", ...(clientInfo ? { client_info: clientInfo } : {}) },
    );
    return { url: new URL(url), callback, browser, result, nonce };
  }

  function lastTokenExchange(): Exchange {
    const exchange = log.findLast((e) => e.method === "POST" && e.url.pathname.endsWith("/oauth2/v2.0/token"));
    assert.ok(exchange, "MSAL called the token endpoint");
    return exchange;
  }

  // Microsoft Learn, "Microsoft identity platform and OAuth 2.0 authorization code flow" (request an
  // authorization code, redeem a code for an access token: token_type Bearer, expires_in,
  // ext_expires_in, scope) and "ID token claims reference" (iss, aud, tid, oid, nonce, ver).
  it("authorization code + PKCE: getAuthCodeUrl, acquireTokenByCode, the documented token response and ID token", async () => {
    const { url, callback, result, nonce } = await codeFlow(msal());
    assert.equal(`${url.origin}${url.pathname}`, `${emu().origin}/${TENANT}/oauth2/v2.0/authorize`, "from the tenant's metadata");
    assert.equal(url.searchParams.get("code_challenge_method"), "S256");
    assert.equal(url.searchParams.get("client_info"), "1", "MSAL asks for client_info");
    assert.ok(callback.searchParams.get("client_info"), "and the authorize response carries it");

    const exchange = lastTokenExchange();
    assert.equal(exchange.body.get("grant_type"), "authorization_code");
    assert.ok(exchange.body.get("code_verifier"));
    assert.equal(exchange.body.get("client_info"), "1");
    const body = exchange.response;
    assert.equal(body.token_type, "Bearer");
    assert.equal(typeof body.expires_in, "number");
    assert.equal(typeof body.ext_expires_in, "number");
    const granted = String(body.scope).split(" ");
    assert.ok(granted.includes(API_SCOPE), `scope lists the granted scopes: ${String(body.scope)}`);
    assert.ok(body.refresh_token, "offline_access is added by MSAL");
    assert.ok(body.client_info, "client_info comes back because MSAL sent client_info=1");
    assert.deepEqual(JSON.parse(Buffer.from(String(body.client_info), "base64url").toString()), { uid: MEGAN.oid, utid: TENANT });

    const id = result.idTokenClaims as Record<string, unknown>;
    assertMegansIdToken(id, nonce, emu().origin);
    assert.equal(id.amr, undefined, "v2.0 ID tokens carry no amr");

    assert.equal(result.tokenType, "Bearer");
    assert.equal(result.fromCache, false);
    assert.ok(result.scopes.includes(API_SCOPE));
    const at = decode(result.accessToken).payload;
    assert.equal(at.aud, API_APP, "v2.0 access tokens name the API by its application id");
    assert.equal(at.iss, `${emu().origin}/${TENANT}/v2.0`);
    assert.equal(at.ver, "2.0");
    assert.equal(at.scp, "access_as_user");
    assert.equal(at.azp, WEB_CLIENT);
    assert.equal(at.azpacr, "1", "client secret");
    assert.equal(at.xms_cc, undefined, "no capability was declared");
  });

  // MSAL.js documentation, "Accounts in MSAL Node" / AccountInfo: homeAccountId is `{oid}.{tid}`
  // from client_info, environment is the authority's host, tenantId the tid.
  it("the account object is keyed by oid.tid on the authority's host", async () => {
    const { result } = await codeFlow(msal());
    const account = result.account;
    assert.ok(account);
    assert.equal(account.homeAccountId, `${MEGAN.oid}.${TENANT}`);
    assert.equal(account.environment, host);
    assert.equal(account.tenantId, TENANT);
    assert.equal(account.localAccountId, MEGAN.oid);
    assert.equal(account.username, MEGAN.upn);
  });

  // Microsoft Learn, "Acquire and cache tokens with MSAL" and "Refresh tokens in the Microsoft
  // identity platform": a silent call with forceRefresh redeems the refresh token; the account stays
  // the same and Entra returns a new refresh token.
  it("acquireTokenSilent with forceRefresh redeems the refresh token and keeps the same account", async () => {
    const app = msal();
    const { result } = await codeFlow(app);
    assert.ok(result.account);
    const before = lastTokenExchange();
    const silent = await app.acquireTokenSilent({ account: result.account, scopes: [API_SCOPE], forceRefresh: true });
    const exchange = lastTokenExchange();
    assert.notEqual(exchange, before);
    assert.equal(exchange.body.get("grant_type"), "refresh_token");
    assert.equal(exchange.body.get("refresh_token"), before.response.refresh_token);
    assert.ok(exchange.response.refresh_token && exchange.response.refresh_token !== before.response.refresh_token, "a new refresh token each redemption");
    assert.equal(silent.fromCache, false);
    assert.notEqual(silent.accessToken, result.accessToken);
    assert.equal(silent.account?.homeAccountId, result.account.homeAccountId);
    assert.equal((silent.idTokenClaims as Record<string, unknown>).oid, MEGAN.oid);
    assert.equal((await app.getTokenCache().getAllAccounts()).length, 1, "one account, not a second one for the refresh");
    const cached = await app.acquireTokenSilent({ account: result.account, scopes: [API_SCOPE] });
    assert.equal(cached.fromCache, true, "without forceRefresh the cached token is returned");
  });

  // Microsoft Learn, "Claims challenges, claims requests and client capabilities" (client
  // capabilities, cp1) and the optional claims reference (xms_cc): the claim appears only when the
  // client declared the capability in a claims request.
  it("clientCapabilities CP1: xms_cc carries cp1; an app that does not declare it gets no xms_cc", async () => {
    const { url, result } = await codeFlow(msal({ clientCapabilities: ["CP1"] }));
    const claims = JSON.parse(url.searchParams.get("claims") ?? "{}") as { access_token?: { xms_cc?: { values?: string[] } } };
    assert.deepEqual(claims.access_token?.xms_cc?.values, ["CP1"], "MSAL sends the capability as a claims request");
    assert.deepEqual(decode(result.accessToken).payload.xms_cc, ["cp1"], "a JSON array with the documented value cp1");

    const plain = await codeFlow(msal());
    assert.equal(decode(plain.result.accessToken).payload.xms_cc, undefined);
  });

  // Microsoft Learn, "Developer guide to Conditional Access authentication context": the claims
  // request {"access_token":{"acrs":{"essential":true,"value":"c1"}}} yields acrs ["c1"] once the
  // policy is satisfied; MSAL merges it with the declared capabilities. A silent request with claims
  // skips the cache and redeems the refresh token with the claims, which Entra answers from the
  // session when the context is still met.
  it("claims request for c1 with CP1: acrs and xms_cc together; acquireTokenSilent with the claims refreshes", async () => {
    const app = msal({ clientCapabilities: ["CP1"] });
    const { url, result } = await codeFlow(app, { claims: c1, factor: "totp" });
    const sent = JSON.parse(url.searchParams.get("claims") ?? "{}") as { access_token?: Record<string, unknown> };
    assert.deepEqual(sent.access_token?.acrs, { essential: true, value: "c1" });
    assert.deepEqual(sent.access_token?.xms_cc, { values: ["CP1"] });
    const at = decode(result.accessToken).payload;
    assert.deepEqual(at.acrs, ["c1"]);
    assert.deepEqual(at.xms_cc, ["cp1"]);
    assert.ok(result.account);

    const silent = await app.acquireTokenSilent({ account: result.account, scopes: [API_SCOPE], claims: c1 });
    assert.equal(silent.fromCache, false, "a claims request bypasses the cache");
    const exchange = lastTokenExchange();
    assert.equal(exchange.body.get("grant_type"), "refresh_token");
    assert.ok(exchange.body.get("claims")?.includes('"acrs"'));
    assert.deepEqual(decode(silent.accessToken).payload.acrs, ["c1"]);
  });

  // Microsoft Learn, "Developer guide to Conditional Access authentication context" and the
  // AADSTS error reference (50076: MFA required): a context the session has not met cannot be
  // satisfied silently, and MSAL turns Entra's answer into InteractionRequiredAuthError, the signal
  // to go interactive. Which OAuth error carries 50076 is left open here: MSAL treats both
  // interaction_required and invalid_grant with a suberror as interaction required.
  it("acquireTokenSilent with claims for an unmet context throws InteractionRequiredAuthError (AADSTS50076)", async () => {
    const app = msal({ clientCapabilities: ["CP1"] });
    const { result } = await codeFlow(app);
    assert.ok(result.account);
    await assert.rejects(app.acquireTokenSilent({ account: result.account, scopes: [API_SCOPE], claims: c1 }), (err: unknown) => {
      assert.ok(err instanceof InteractionRequiredAuthError, String(err));
      return true;
    });
    const answer = lastTokenExchange();
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.response.error_codes, [50076]);
  });

  // Microsoft Learn, "Microsoft identity platform and the OAuth 2.0 client credentials flow":
  // scope {resource}/.default, an app-only token for that resource, no refresh token, no user.
  it("client credentials for Microsoft Graph: an app-only token with Graph's audience, cached by MSAL", async () => {
    const app = msal();
    const result = await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] });
    assert.ok(result);
    assert.equal(result.tokenType, "Bearer");
    assert.equal(result.account, null, "no user");
    const exchange = lastTokenExchange();
    assert.equal(exchange.body.get("grant_type"), "client_credentials");
    assert.equal(exchange.body.get("scope"), GRAPH_DEFAULT);
    assert.equal(exchange.response.refresh_token, undefined);
    assert.equal(exchange.response.token_type, "Bearer");
    assert.equal(typeof exchange.response.expires_in, "number");
    const at = decode(result.accessToken).payload;
    // The access token reference allows either of Graph's names in aud (App ID URI or app id).
    assert.ok(["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"].includes(String(at.aud)), String(at.aud));
    assert.equal(at.tid, TENANT);
    assert.equal(at.scp, undefined, "app-only: no delegated scopes");
    assert.ok(Array.isArray(at.roles) && at.roles.includes("AuditLog.Read.All"), "application permissions as roles");
    const again = await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] });
    assert.equal(again?.fromCache, true);
  });

  // Microsoft Learn, MSAL "Application configuration options" (authority, instance discovery):
  // cloudDiscoveryMetadata may be supplied instead of knownAuthorities; the emulator's instance
  // discovery answer has the shape MSAL accepts, and MSAL then calls nothing but the emulator.
  it("MSAL trusts the emulator from its instance discovery answer passed as cloudDiscoveryMetadata", async () => {
    const discovery = await emu().fetch(`${emu().origin}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${emu().origin}/${TENANT}/oauth2/v2.0/authorize`)}`);
    assert.equal(discovery.status, 200);
    const app = msal({ knownAuthorities: [], cloudDiscoveryMetadata: await discovery.text() });
    const { result } = await codeFlow(app);
    assert.equal(result.account?.environment, host);
  });

  // Microsoft Learn, "OpenID Connect on the Microsoft identity platform": a tenant may be named by
  // its verified domain; its metadata and tokens still name the tenant by id.
  it("an authority naming the tenant by its verified domain yields the same account and issuer", async () => {
    const { url, result } = await codeFlow(msal({ authority: `${emu().origin}/woodgrove.test` }));
    assert.equal(`${url.origin}${url.pathname}`, `${emu().origin}/woodgrove.test/oauth2/v2.0/authorize`, "MSAL keeps the authority's own tenant segment");
    assert.equal((result.idTokenClaims as Record<string, unknown>).iss, `${emu().origin}/${TENANT}/v2.0`);
    assert.equal(result.account?.homeAccountId, `${MEGAN.oid}.${TENANT}`);
    assert.equal(result.account?.tenantId, TENANT);
  });

  // Nothing MSAL did in these tests left the emulator: no instance discovery at
  // login.microsoftonline.com, no region discovery.
  it("every request MSAL made went to the emulator", () => {
    assert.ok(log.length > 0);
    for (const e of log) assert.equal(e.url.origin, emu().origin, `${e.method} ${e.url.href}`);
  });
});

describe("conformance: openid-client", () => {
  const emu = useTestEmulator();
  let config: client.Configuration;
  const seen: URL[] = [];

  before(async () => {
    const recording: TestEmulator["fetch"] = (input, init) => {
      seen.push(new URL(input instanceof Request ? input.url : String(input)));
      return emu().fetch(input, init);
    };
    config = await client.discovery(new URL(`${emu().origin}/${TENANT}/v2.0`), WEB_CLIENT, WEB_SECRET, client.ClientSecretPost(WEB_SECRET), { [client.customFetch]: recording });
    config[client.customFetch] = recording;
  });

  async function codeFlow() {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: WEB_REDIRECT, scope: `openid profile offline_access ${API_SCOPE}`,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256", state, nonce,
    });
    const { callback, browser } = await signInAt(emu(), url.toString());
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    return { tokens, browser, nonce };
  }

  // Microsoft Learn, "OpenID Connect on the Microsoft identity platform" (the OpenID configuration
  // document) and OpenID Connect Discovery 1.0 §4.3: the issuer equals the URL discovery started from.
  it("discovery: the tenant's v2.0 metadata, issuer equal to the discovery URL", () => {
    const meta = config.serverMetadata();
    assert.equal(meta.issuer, `${emu().origin}/${TENANT}/v2.0`);
    assert.equal(meta.authorization_endpoint, `${emu().origin}/${TENANT}/oauth2/v2.0/authorize`);
    assert.equal(meta.token_endpoint, `${emu().origin}/${TENANT}/oauth2/v2.0/token`);
    assert.equal(meta.end_session_endpoint, `${emu().origin}/${TENANT}/oauth2/v2.0/logout`);
    assert.equal(meta.jwks_uri, `${emu().origin}/${TENANT}/discovery/v2.0/keys`);
  });

  // Microsoft Learn, "Microsoft identity platform and OAuth 2.0 authorization code flow" and "ID
  // token claims reference"; RFC 7636 (PKCE). openid-client validates the ID token's signature,
  // iss, aud, nonce and times itself; the test checks the claims the portal keys on.
  it("authorization code + PKCE + nonce: the documented token response; no client_info unless asked", async () => {
    const { tokens, nonce } = await codeFlow();
    assert.equal(tokens.token_type.toLowerCase(), "bearer");
    assert.equal(typeof tokens.expires_in, "number");
    const body = tokens as unknown as Record<string, unknown>;
    assert.equal(typeof body.ext_expires_in, "number");
    assert.ok(String(tokens.scope).split(" ").includes(API_SCOPE), String(tokens.scope));
    assert.equal(body.client_info, undefined, "openid-client does not send client_info=1");
    const id = tokens.claims();
    assert.ok(id);
    assertMegansIdToken(id, nonce, emu().origin);
  });

  // Microsoft Learn, "Refresh tokens in the Microsoft identity platform" and OpenID Connect Core
  // 1.0 §12.2: a refreshed ID token names the same subject; a new refresh token comes back.
  it("refresh: same subject and user, a new refresh token", async () => {
    const { tokens } = await codeFlow();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? "");
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token);
    assert.equal(refreshed.token_type.toLowerCase(), "bearer");
    assert.equal(refreshed.claims()?.sub, tokens.claims()?.sub);
    assert.equal(refreshed.claims()?.oid, MEGAN.oid);
    assert.equal(decode(refreshed.access_token).payload.oid, MEGAN.oid);
  });

  // Microsoft Learn, "OpenID Connect on the Microsoft identity platform" (send a sign-out request)
  // and OpenID Connect RP-Initiated Logout 1.0: the end_session_endpoint with id_token_hint,
  // post_logout_redirect_uri and state ends the Entra session.
  it("RP-initiated logout: buildEndSessionUrl targets the end_session_endpoint and ends the session", async () => {
    const { tokens, browser } = await codeFlow();
    const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token ?? "", post_logout_redirect_uri: `${PORTAL}/`, state: "bye" });
    assert.equal(`${url.origin}${url.pathname}`, `${emu().origin}/${TENANT}/oauth2/v2.0/logout`);
    await browser.go(url.toString());
    const again = await browser.go(client.buildAuthorizationUrl(config, { redirect_uri: WEB_REDIRECT, scope: "openid", prompt: "none", nonce: "n" }).toString());
    assert.equal(new URL(again.url).searchParams.get("error"), "login_required", "no session after sign-out");
  });

  it("every request openid-client made went to the emulator", () => {
    assert.ok(seen.length > 0);
    for (const url of seen) assert.equal(url.origin, emu().origin, url.href);
  });
});
