import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { describe, it } from "node:test";
import * as client from "openid-client";
import { createRemoteJWKSet, jwtVerify, customFetch as joseFetch } from "jose";
import { API_APP, authorizeUrl, decode, MEGAN, PORTAL, redeem, returned, SPA_CLIENT, TENANT, TestBrowser, useTestEmulator, WEB_CLIENT, WEB_REDIRECT, WEB_SECRET } from "./helpers.js";

describe("discovery, keys and rotation", () => {
  const emu = useTestEmulator();

  it("publishes Entra's v2.0 metadata layout", async () => {
    const res = await emu().fetch(`${emu().origin}/${TENANT}/v2.0/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const meta = (await res.json()) as Record<string, unknown>;
    const base = `${emu().origin}/${TENANT}`;
    assert.equal(meta.issuer, `${base}/v2.0`);
    assert.equal(meta.authorization_endpoint, `${base}/oauth2/v2.0/authorize`);
    assert.equal(meta.token_endpoint, `${base}/oauth2/v2.0/token`);
    assert.equal(meta.end_session_endpoint, `${base}/oauth2/v2.0/logout`);
    assert.equal(meta.jwks_uri, `${base}/discovery/v2.0/keys`);
    assert.deepEqual(meta.subject_types_supported, ["pairwise"]);
    assert.deepEqual(meta.id_token_signing_alg_values_supported, ["RS256"]);
    assert.deepEqual(meta.response_modes_supported, ["query", "fragment", "form_post"]);
    assert.equal(meta.code_challenge_methods_supported, undefined, "Entra omits it");
    for (const field of ["tenant_region_scope", "cloud_instance_name", "msgraph_host", "claims_supported", "scopes_supported"]) assert.ok(field in meta, field);
  });

  // Microsoft Learn, "OpenID Connect on the Microsoft identity platform" (find your app's OpenID
  // configuration document URI): common and organizations publish the issuer with a {tenantid}
  // template and their own segment in the endpoints; a tenant may be named by id or verified domain.
  it("common and organizations publish the {tenantid} issuer template; the verified domain names the tenant", async () => {
    for (const alias of ["organizations", "common"]) {
      const meta = (await (await emu().fetch(`${emu().origin}/${alias}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      assert.equal(meta.issuer, `${emu().origin}/{tenantid}/v2.0`);
      assert.equal(meta.authorization_endpoint, `${emu().origin}/${alias}/oauth2/v2.0/authorize`);
      assert.equal(meta.token_endpoint, `${emu().origin}/${alias}/oauth2/v2.0/token`);
      assert.equal(meta.jwks_uri, `${emu().origin}/${alias}/discovery/v2.0/keys`);
      assert.equal(meta.tenant_region_scope, null);
      const keys = (await (await emu().fetch(`${emu().origin}/${alias}/discovery/v2.0/keys`)).json()) as { keys: { issuer: string }[] };
      assert.equal(keys.keys[0]?.issuer, `${emu().origin}/{tenantid}/v2.0`);
    }
    for (const domain of ["woodgrove.test", "Woodgrove.Test"]) {
      const res = await emu().fetch(`${emu().origin}/${domain}/v2.0/.well-known/openid-configuration`);
      assert.equal(res.status, 200, domain);
      const meta = (await res.json()) as Record<string, unknown>;
      assert.equal(meta.issuer, `${emu().origin}/${TENANT}/v2.0`);
      assert.equal(meta.token_endpoint, `${emu().origin}/${TENANT}/oauth2/v2.0/token`);
    }
    const byDomain = await new TestBrowser(emu()).go(authorizeUrl(emu(), {}).replace(`/${TENANT}/`, "/woodgrove.test/"));
    assert.match(byDomain.html, /Email or username/, "authorize answers under the domain too");
  });

  it("advertises only endpoints the emulator serves", async () => {
    const meta = (await (await emu().fetch(`${emu().origin}/${TENANT}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(meta.device_authorization_endpoint, undefined);
    assert.equal(meta.kerberos_endpoint, undefined);
    assert.ok(!(meta.token_endpoint_auth_methods_supported as string[]).includes("private_key_jwt"));
    for (const field of ["authorization_endpoint", "token_endpoint", "end_session_endpoint", "jwks_uri"]) {
      const url = new URL(String(meta[field]));
      assert.equal(url.origin, emu().origin, field);
    }
  });

  // Microsoft Learn, "Application configuration options" (authority, instance discovery) and
  // Entra's answer for an unknown host (invalid_instance, AADSTS50049).
  it("instance discovery names the addressed tenant's metadata; unknown instances are refused", async () => {
    const ask = (endpoint: string) => emu().fetch(`${emu().origin}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(endpoint)}`);
    const res = await ask(`${emu().origin}/${TENANT}/oauth2/v2.0/authorize`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { tenant_discovery_endpoint: string; metadata: { aliases: string[] }[] };
    assert.equal(body.tenant_discovery_endpoint, `${emu().origin}/${TENANT}/v2.0/.well-known/openid-configuration`);
    assert.deepEqual(body.metadata[0]?.aliases, [new URL(emu().origin).host]);
    const common = (await (await ask(`${emu().origin}/common/oauth2/v2.0/authorize`)).json()) as { tenant_discovery_endpoint: string };
    assert.equal(common.tenant_discovery_endpoint, `${emu().origin}/common/v2.0/.well-known/openid-configuration`);
    const unknown = await ask("https://login.example.com/common/oauth2/v2.0/authorize");
    assert.equal(unknown.status, 400);
    const error = (await unknown.json()) as { error: string; error_codes: number[] };
    assert.equal(error.error, "invalid_instance");
    assert.deepEqual(error.error_codes, [50049]);
  });

  it("rejects other tenants in Entra's error shape", async () => {
    const res = await emu().fetch(`${emu().origin}/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration`);
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error_codes: number[]; error_description: string };
    assert.deepEqual(body.error_codes, [90002]);
    assert.match(body.error_description, /^AADSTS90002: .* Trace ID: .* Correlation ID: .* Timestamp: /);
  });

  it("answers CORS for the registered SPA origin on metadata, keys and token (with preflight)", async () => {
    for (const path of ["v2.0/.well-known/openid-configuration", "discovery/v2.0/keys"]) {
      const res = await emu().fetch(`${emu().origin}/${TENANT}/${path}`, { headers: { origin: PORTAL } });
      assert.equal(res.headers.get("access-control-allow-origin"), PORTAL);
    }
    const pre = await emu().fetch(`${emu().origin}/${TENANT}/oauth2/v2.0/token`, {
      method: "OPTIONS",
      headers: { origin: PORTAL, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), PORTAL);
    const bad = await emu().fetch(`${emu().origin}/${TENANT}/oauth2/v2.0/token`, { method: "POST", headers: { origin: PORTAL }, body: new URLSearchParams({ client_id: SPA_CLIENT, grant_type: "authorization_code", code: "x" }) });
    assert.equal(bad.headers.get("access-control-allow-origin"), PORTAL, "errors carry CORS too");
  });

  it("serves an RS256 JWKS and verifies tokens across a key rotation", async () => {
    const keysRes = await emu().fetch(`${emu().origin}/${TENANT}/discovery/v2.0/keys`);
    const { keys } = (await keysRes.json()) as { keys: Record<string, unknown>[] };
    assert.equal(keys.length, 1);
    const key = keys[0] ?? {};
    assert.equal(key.kty, "RSA");
    assert.equal(key.use, "sig");
    assert.equal(typeof key.kid, "string");
    assert.equal(Buffer.from(String(key.n), "base64url").length, 256, "2048-bit modulus");
    // Microsoft Learn, "Signing key rollover": each published key carries its certificate (x5c)
    // and the certificate's SHA-1 thumbprint (x5t); RFC 7517 §4.7-4.8 define both.
    const x5c = key.x5c as string[];
    assert.equal(x5c.length, 1);
    const cert = new X509Certificate(Buffer.from(x5c[0] ?? "", "base64"));
    assert.equal(key.x5t, createHash("sha1").update(cert.raw).digest("base64url"));
    const fromCert = cert.publicKey.export({ format: "jwk" });
    assert.equal(fromCert.n, key.n, "the certificate holds the signing key");
    assert.ok(cert.verify(cert.publicKey), "self-signed");

    const issue = async () => {
      const b = new TestBrowser(emu());
      let p = await b.go(authorizeUrl(emu(), { scope: "openid profile api://woodgrove-portal/access_as_user" }));
      p = await b.submit(p, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
      const t = await redeem(emu(), { grant_type: "authorization_code", code: returned(p).get("code") ?? "", client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT });
      assert.equal(t.status, 200, JSON.stringify(t.body));
      return String(t.body.access_token);
    };
    const jwks = createRemoteJWKSet(new URL(`${emu().origin}/${TENANT}/discovery/v2.0/keys`), { [joseFetch]: emu().fetch, cacheMaxAge: 0, cooldownDuration: 0 });
    const options = { issuer: `${emu().origin}/${TENANT}/v2.0`, audience: API_APP, algorithms: ["RS256"] };
    const before = await issue();
    await jwtVerify(before, jwks, options);
    const rotated = (await (await emu().control("keys/rotate", {})).json()) as { kid: string; keys: string[] };
    assert.equal(rotated.keys.length, 2);
    const afterRotation = await issue();
    assert.equal(decode(afterRotation).header.kid, rotated.kid, "new tokens use the new key");
    assert.notEqual(decode(before).header.kid, rotated.kid);
    const fresh = createRemoteJWKSet(new URL(`${emu().origin}/${TENANT}/discovery/v2.0/keys`), { [joseFetch]: emu().fetch });
    await jwtVerify(before, fresh, options);
    await jwtVerify(afterRotation, fresh, options);
    await emu().control("clock", { advanceSeconds: 25 * 3600 });
    const pruned = (await (await emu().fetch(`${emu().origin}/${TENANT}/discovery/v2.0/keys`)).json()) as { keys: { kid: string }[] };
    assert.deepEqual(pruned.keys.map((k) => k.kid), [rotated.kid], "old key leaves after the grace period");
    await emu().control("clock", { advanceSeconds: -25 * 3600 });
  });

  it("works with openid-client discovery", async () => {
    const config = await client.discovery(new URL(`${emu().origin}/${TENANT}/v2.0`), WEB_CLIENT, WEB_SECRET, undefined, { [client.customFetch]: emu().fetch });
    assert.equal(config.serverMetadata().issuer, `${emu().origin}/${TENANT}/v2.0`);
  });
});
