/**
 * `npm run doctor` (scripts/doctor/checks.ts) against a real emulator over HTTPS: a correct
 * configuration passes, and each kind of wrong one is caught by the check that should catch it,
 * with a fix that names what to change. The emulator's answers are Entra's (AADSTS codes), so
 * these are the answers a real tenant gives too.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type AddressInfo } from "node:net";
import path from "node:path";
import { after, before, test } from "node:test";
import { parseEnv } from "node:util";
import {
  API_SCOPE,
  MEGAN,
  redeem,
  SPA_CLIENT,
  SPA_REDIRECT,
  TestBrowser,
  authorizeUrl,
  cleanup,
  returned,
  startTestEmulator,
  type TestEmulator,
} from "../../emulator/test/helpers";
import { runDoctor, type Finding } from "../../scripts/doctor/checks";
import { REPO_ROOT } from "../db/support";

const example = parseEnv(readFileSync(path.join(REPO_ROOT, ".env.example"), "utf8")) as Record<string, string>;
let emulator: TestEmulator;
let config: Record<string, string>;

before(async () => {
  emulator = await startTestEmulator({ portalOrigin: "http://localhost:3000" });
  config = {
    ...example,
    AUTH_URL: "http://localhost:3000",
    AUTH_MICROSOFT_ENTRA_ID_ISSUER: `${emulator.origin}/${example.EMULATOR_TENANT_ID}/v2.0`,
    AUTH_SECRET: "a-freshly-generated-secret-for-this-test-0123456789",
    ENTRA_GRAPH_URL: emulator.origin,
  };
});
after(async () => {
  await emulator.close();
  cleanup(emulator);
});

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const doctor = (overrides: Record<string, string> = {}) => runDoctor({ ...config, ...overrides }, { fetch: (url, init) => emulator.fetch(url, init as never) });
const byCheck = (findings: Finding[], check: string) => {
  const found = findings.find((finding) => finding.check === check);
  assert.ok(found, `no "${check}" finding in ${JSON.stringify(findings.map((f) => f.check))}`);
  return found;
};

test("a correct configuration: discovery, keys, both clients and their redirect URIs pass", async () => {
  const findings = await doctor();
  assert.deepEqual(
    findings.filter((finding) => finding.status === "fail"),
    [],
  );
  for (const check of ["configuration", "discovery", "signing keys", "web app sign-in", "sign-out return", "step-up client (SPA)"]) {
    assert.equal(byCheck(findings, check).status, "ok", check);
  }
});

test("the example secrets pass locally but are flagged as refused by a production start", async () => {
  const finding = byCheck(await doctor({ AUTH_SECRET: example.AUTH_SECRET! }), "configuration");
  assert.equal(finding.status, "warn");
  assert.match(finding.detail, /AUTH_SECRET is the example value/);
});

test("a configuration the portal cannot parse stops there, naming every variable", async () => {
  const findings = await doctor({ ENTRA_API_CLIENT_ID: config.ENTRA_SPA_CLIENT_ID!, AUTH_URL: "not a url" });
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.status, "fail");
  assert.match(findings[0]!.detail, /ENTRA_API_CLIENT_ID must be its own app registration/);
  assert.match(findings[0]!.detail, /AUTH_URL/);
});

test("an issuer for another tenant fails discovery", async () => {
  const finding = byCheck(await doctor({ AUTH_MICROSOFT_ENTRA_ID_ISSUER: `${emulator.origin}/00000000-0000-0000-0000-000000000001/v2.0` }), "discovery");
  assert.equal(finding.status, "fail");
});

test("an identity provider that is not running fails discovery with a way forward", async () => {
  const port = await closedPort();
  const findings = await runDoctor({ ...config, AUTH_MICROSOFT_ENTRA_ID_ISSUER: `https://localhost:${port}/${example.EMULATOR_TENANT_ID}/v2.0` });
  const finding = byCheck(findings, "discovery");
  assert.equal(finding.status, "fail");
  assert.match(finding.detail, /ECONNREFUSED/);
  assert.match(finding.fix ?? "", /Start the emulator/);
});

test("a wrong SPA client id is reported as unknown in the tenant (AADSTS700016)", async () => {
  const finding = byCheck(await doctor({ ENTRA_SPA_CLIENT_ID: "11111111-1111-4111-8111-111111111111" }), "step-up client (SPA)");
  assert.equal(finding.status, "fail");
  assert.match(finding.detail, /AADSTS700016/);
  assert.match(finding.fix ?? "", /ENTRA_SPA_CLIENT_ID/);
});

test("a portal origin whose redirect URIs are not registered fails both clients (AADSTS50011)", async () => {
  // Not another localhost port: Entra ignores the port of a localhost redirect URI.
  const findings = await doctor({ AUTH_URL: "https://portal.example" });
  for (const check of ["web app sign-in", "step-up client (SPA)"]) {
    const finding = byCheck(findings, check);
    assert.equal(finding.status, "fail", check);
    assert.match(finding.detail, /https:\/\/portal\.example\/.* is not registered .*AADSTS50011/);
  }
  assert.match(byCheck(findings, "step-up client (SPA)").fix ?? "", /Single-page application/);
});

// Microsoft Learn, "Send a sign-out request": post_logout_redirect_uri must be one of the app's
// registered redirect URIs, so the portal's ${AUTH_URL}/signed-out has to be registered as one.
test("a sign-out return that is not a redirect URI of the web app warns and names the URI to register", async () => {
  const finding = byCheck(await doctor({ AUTH_URL: "https://portal.example" }), "sign-out return");
  assert.equal(finding.status, "warn");
  assert.match(finding.detail, /https:\/\/portal\.example\/signed-out is not a redirect URI of the web app/);
  assert.match(finding.fix ?? "", /Add https:\/\/portal\.example\/signed-out under Authentication > Web/);
});

// The API's claims challenges name <issuer without /v2.0>/oauth2/v2.0/authorize as authorization_uri
// (Microsoft Learn, claims-challenge header format); discovery must agree, or clients are sent astray.
test("a discovery document whose authorize endpoint is not the one the claims challenges name fails discovery", async () => {
  const elsewhere = async (url: string, init?: RequestInit) => {
    const response = await emulator.fetch(url, init as never);
    if (!url.endsWith("/.well-known/openid-configuration")) return response;
    const document = (await response.json()) as Record<string, unknown>;
    return Response.json({ ...document, authorization_endpoint: `${emulator.origin}/common/oauth2/v2.0/authorize` });
  };
  const finding = byCheck(await runDoctor(config, { fetch: elsewhere }), "discovery");
  assert.equal(finding.status, "fail");
  assert.match(finding.detail, /authorization_endpoint is .*\/common\/oauth2\/v2\.0\/authorize, but the API's claims challenges name .*\/oauth2\/v2\.0\/authorize/);
});

test("a wrong client secret is refused by the token endpoint (AADSTS7000215)", async () => {
  const finding = byCheck(await doctor({ AUTH_MICROSOFT_ENTRA_ID_SECRET: "not-the-secret" }), "web app secret");
  assert.equal(finding.status, "fail");
  assert.match(finding.detail, /AADSTS7000215/);
});

test("the web app's secret is accepted and the API issues v2.0 tokens for its own client id", async () => {
  const findings = await doctor();
  assert.equal(byCheck(findings, "web app secret").status, "ok");
  const version = byCheck(findings, "API token version");
  assert.equal(version.status, "ok");
  assert.match(version.detail, new RegExp(`v2\\.0 tokens with audience ${config.ENTRA_API_CLIENT_ID}`));
});

test("an ENTRA_API_CLIENT_ID that is not the API's audience fails (every proof would be refused)", async () => {
  const finding = byCheck(await doctor({ ENTRA_API_CLIENT_ID: "22222222-2222-4222-8222-222222222222" }), "API token version");
  assert.equal(finding.status, "fail");
  assert.match(finding.fix ?? "", /ENTRA_API_CLIENT_ID/);
});

test("an API scope under an app ID URI nobody has fails: unknown resource (AADSTS500011), and the SPA is refused the scope", async () => {
  const findings = await doctor({ ENTRA_API_SCOPE: "api://not-woodgrove/access_as_user" });
  const api = byCheck(findings, "API registration");
  assert.equal(api.status, "fail");
  assert.match(api.detail, /AADSTS500011/);
  assert.equal(byCheck(findings, "step-up client (SPA)").status, "fail");
});

test("the seeded production policies enforce every context the portal asks for", async () => {
  const findings = (await doctor()).filter((finding) => finding.check === "authentication contexts");
  assert.deepEqual(
    findings.map((finding) => [finding.status, /context (c\d)/.exec(finding.detail)?.[1]]),
    [
      ["ok", "c1"],
      ["ok", "c2"],
      ["ok", "c3"],
    ],
  );
  const logs = byCheck(await doctor(), "sign-in logs");
  assert.equal(logs.status, "ok");
  assert.match(logs.detail, /\d+ interactive sign-ins \(v1\.0\) and \d+ non-interactive sign-ins \(beta, signInEventTypes\)/, "both reads, as Graph serves the two kinds apart");
});

test("sign-in logs: a tenant that answers v1.0 but refuses beta gets a warning naming the non-interactive read, and no all-clear", async () => {
  const requested: string[] = [];
  const findings = await runDoctor(config, {
    fetch: async (url, init) => {
      const { pathname, searchParams } = new URL(url);
      if (pathname.endsWith("/auditLogs/signIns")) requested.push(`${pathname} ${searchParams.get("$filter")}`);
      if (pathname.startsWith("/beta/")) return Response.json({ error: { code: "Authorization_RequestDenied" } }, { status: 403 });
      return emulator.fetch(url, init as never);
    },
  });
  const logs = findings.filter((finding) => finding.check === "sign-in logs");
  assert.deepEqual(logs.map((finding) => finding.status), ["warn"]);
  assert.match(logs[0]!.detail, /could not read the non-interactive sign-ins \(beta, signInEventTypes\): GET \/beta\/auditLogs\/signIns answered 403/);
  assert.match(logs[0]!.fix ?? "", /beta/);
  assert.deepEqual(
    requested.map((r) => r.replace(/ge \S+/, "ge <since>")).sort(),
    [
      `/beta/auditLogs/signIns appId eq '${SPA_CLIENT}' and createdDateTime ge <since> and signInEventTypes/any(t: t eq 'nonInteractiveUser')`,
      `/v1.0/auditLogs/signIns appId eq '${SPA_CLIENT}' and createdDateTime ge <since>`,
    ],
  );
});

test("the optional UserAuthenticationMethod.Read.All: ok when granted; without it a warning that says what is lost, never a failure", async () => {
  assert.equal(byCheck(await doctor(), "authentication methods").status, "ok");
  // The same tenant, but the Graph token's roles lack the permission (the doctor reads them, unverified).
  const withoutPermission = await runDoctor(config, {
    fetch: async (url, init) => {
      const response = await emulator.fetch(url, init as never);
      if (!String(init?.body ?? "").includes("graph.microsoft.com")) return response;
      const body = (await response.json()) as { access_token: string };
      const [header, payload, signature] = body.access_token.split(".");
      const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as { roles: string[] };
      claims.roles = claims.roles.filter((role) => !role.startsWith("UserAuthenticationMethod."));
      return Response.json({ ...body, access_token: [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".") });
    },
  });
  const finding = byCheck(withoutPermission, "authentication methods");
  assert.equal(finding.status, "warn");
  assert.match(finding.detail, /cannot warn that a transfer needs a passkey.*step-up still works/);
  assert.match(finding.fix ?? "", /UserAuthenticationMethod\.Read\.All/);
});

test("a context with no enforcing policy fails, one covered only by report-only warns, and the logs show the unenforced issuance", async () => {
  // The production set with c2's policies removed and c3's switched to report-only.
  const dir = mkdtempSync(path.join(tmpdir(), "doctor-policies-"));
  for (const name of ["production.json", "staging.json"]) copyFileSync(path.join(REPO_ROOT, "emulator/policies", name), path.join(dir, name));
  const set = JSON.parse(readFileSync(path.join(dir, "production.json"), "utf8")) as {
    policies: { state: string; conditions: { applications: { includeAuthenticationContextClassReferences?: string[] } } }[];
  };
  const targets = (policy: (typeof set.policies)[number], id: string) => policy.conditions.applications.includeAuthenticationContextClassReferences?.includes(id);
  set.policies = set.policies.filter((policy) => !targets(policy, "c2"));
  for (const policy of set.policies) if (targets(policy, "c3")) policy.state = "enabledForReportingButNotEnforced";
  writeFileSync(path.join(dir, "production.json"), JSON.stringify(set));
  const loose = await startTestEmulator({ portalOrigin: "http://localhost:3000", policyDir: dir });
  try {
    // A person steps up for c2 through the SPA client: nothing asks for more than the password.
    const browser = new TestBrowser(loose);
    let page = await browser.go(
      authorizeUrl(loose, {
        client_id: SPA_CLIENT,
        redirect_uri: SPA_REDIRECT,
        scope: `openid profile offline_access ${API_SCOPE}`,
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method: "S256",
        claims: JSON.stringify({ access_token: { acrs: { essential: true, value: "c2" } } }),
        "client-request-id": "doctor-unenforced-c2",
      }),
    );
    page = await browser.submit(page, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
    const code = returned(page).get("code");
    assert.ok(code, "the context was issued without any verification");
    // Then silently again, by refresh token: a non-interactive sign-in, which Graph lists only on beta.
    const origin = { origin: "http://localhost:3000" };
    const tokens = await redeem(loose, { grant_type: "authorization_code", code, client_id: SPA_CLIENT, redirect_uri: SPA_REDIRECT, code_verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" }, origin);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const silent = await redeem(
      loose,
      { grant_type: "refresh_token", refresh_token: String(tokens.body.refresh_token), client_id: SPA_CLIENT, scope: API_SCOPE, claims: JSON.stringify({ access_token: { acrs: { essential: true, value: "c2" } } }) },
      { ...origin, "client-request-id": "doctor-unenforced-silent" },
    );
    assert.equal(silent.status, 200, JSON.stringify(silent.body));

    const findings = await runDoctor(
      { ...config, AUTH_MICROSOFT_ENTRA_ID_ISSUER: `${loose.origin}/${example.EMULATOR_TENANT_ID}/v2.0`, ENTRA_GRAPH_URL: loose.origin },
      { fetch: (url, init) => loose.fetch(url, init as never) },
    );
    const contexts = findings.filter((finding) => finding.check === "authentication contexts");
    const statusOf = (id: string) => contexts.find((finding) => finding.detail.includes(`context ${id} `))?.status;
    assert.deepEqual([statusOf("c1"), statusOf("c2"), statusOf("c3")], ["ok", "fail", "warn"]);
    const logs = byCheck(findings, "sign-in logs");
    assert.equal(logs.status, "warn");
    assert.match(logs.detail, /^2 context issuance\(s\)/, "the popup's and the refresh's");
    assert.match(logs.detail, /c2 \(correlation id doctor-unenforced-silent\)/, "the newest, the non-interactive one, read from beta");
  } finally {
    await loose.close();
    cleanup(loose);
    rmSync(dir, { recursive: true, force: true });
  }
});
