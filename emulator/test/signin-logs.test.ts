import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  API_SCOPE, authorizeUrl, decode, graphGet, MEGAN, PASSWORD, PORTAL, redeem, returned, SPA_CLIENT, TestBrowser, totpCode, useGraphAppToken, useTestEmulator, WEB_CLIENT, WEB_REDIRECT, WEB_SECRET,
} from "./helpers.js";

type Entry = Record<string, unknown> & {
  id: string;
  status: { errorCode: number; failureReason: string | null; additionalDetails: string | null };
  appliedConditionalAccessPolicies: { id: string; displayName: string; result: string; enforcedGrantControls: string[]; enforcedSessionControls: string[] }[];
  authenticationDetails: { authenticationMethod: string; succeeded: boolean; authenticationStepRequirement: string }[];
};

const c = (...values: string[]) => JSON.stringify({ access_token: { acrs: { essential: true, values } } });
const LYNNE = "6bb2a9e6-ab19-483c-8fc9-0b88e0160cd6";

/** Graph's filter for the non-interactive sign-ins, which only beta lists (the beta signIn resource page). */
const NON_INTERACTIVE = "signInEventTypes/any(t: t eq 'nonInteractiveUser')";

describe("sign-in logs and GET /{v1.0,beta}/auditLogs/signIns", () => {
  const emu = useTestEmulator();
  const token = useGraphAppToken(emu);

  /** Interactive entries from v1.0; non-interactive ones from beta, the only place Graph lists them. */
  async function byCorrelation(correlationId: string, kind: "interactive" | "nonInteractive" = "interactive"): Promise<Entry[]> {
    const filter = `correlationId eq '${correlationId}'${kind === "nonInteractive" ? ` and ${NON_INTERACTIVE}` : ""}`;
    const { status, body } = await graphGet(emu(), `auditLogs/signIns?$filter=${encodeURIComponent(filter)}`, token(), kind === "nonInteractive" ? "beta" : "v1.0");
    assert.equal(status, 200, JSON.stringify(body));
    return body.value as Entry[];
  }

  /** Megan signs in (password, then TOTP when asked) and redeems the code. */
  async function signIn(params: Record<string, string>, correlationId: string) {
    const browser = new TestBrowser(emu());
    browser.userAgent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0 Safari/537.36";
    let page = await browser.go(authorizeUrl(emu(), { scope: `openid profile offline_access ${API_SCOPE}`, "client-request-id": correlationId, ...params }));
    page = await browser.submit(page, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
    if (/<label for="otc">/.test(page.html)) page = await browser.submit(page, "totp", { otc: await totpCode(emu(), MEGAN.oid) });
    const code = returned(page).get("code");
    const tokens = code
      ? await redeem(emu(), { grant_type: "authorization_code", code, client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT })
      : undefined;
    return { browser, page, tokens };
  }

  describe("entries", () => {
    it("a successful interactive sign-in with MFA for c1: every documented field, and the access token's uti", async () => {
      const { tokens } = await signIn({ claims: c("c1") }, "corr-success-1");
      assert.equal(tokens?.status, 200);
      const [entry] = await byCorrelation("corr-success-1");
      assert.ok(entry);
      assert.match(entry.id, /^[0-9a-f-]{36}$/);
      assert.ok(Math.abs(Date.parse(String(entry.createdDateTime)) - Date.now()) < 60_000);
      assert.deepEqual(
        {
          userId: entry.userId,
          userPrincipalName: entry.userPrincipalName,
          userDisplayName: typeof entry.userDisplayName,
          appId: entry.appId,
          appDisplayName: entry.appDisplayName,
          resourceDisplayName: entry.resourceDisplayName,
          clientAppUsed: entry.clientAppUsed,
          isInteractive: entry.isInteractive,
          status: entry.status,
          conditionalAccessStatus: entry.conditionalAccessStatus,
          authenticationRequirement: entry.authenticationRequirement,
          authenticationContextClassReferences: entry.authenticationContextClassReferences,
          risk: [entry.riskLevelDuringSignIn, entry.riskLevelAggregated, entry.riskState, entry.riskDetail, entry.riskEventTypes_v2],
        },
        {
          userId: MEGAN.oid,
          userPrincipalName: MEGAN.upn,
          userDisplayName: "string",
          appId: WEB_CLIENT,
          appDisplayName: "Woodgrove Step-Up Portal (web)",
          resourceDisplayName: "Woodgrove Step-Up Portal API",
          clientAppUsed: "Browser",
          isInteractive: true,
          status: { errorCode: 0, failureReason: null, additionalDetails: "MFA completed in Azure AD" },
          conditionalAccessStatus: "success",
          authenticationRequirement: "multiFactorAuthentication",
          authenticationContextClassReferences: [{ id: "c1", detail: "required" }],
          risk: ["none", "none", "none", "none", []],
        },
      );
      assert.match(String(entry.ipAddress), /^(127\.0\.0\.1|::1)$/);
      assert.match(String(entry.userAgent), /Chrome\/140/);
      assert.deepEqual(entry.location, { city: "Redmond", state: "Washington", countryOrRegion: "US", geoCoordinates: { latitude: 47.674, longitude: -122.1215 } });
      assert.deepEqual(
        entry.authenticationDetails.map((d) => [d.authenticationMethod, d.succeeded, d.authenticationStepRequirement]),
        [
          ["Password", true, "Primary authentication"],
          ["Software OATH token", true, "Multifactor authentication"],
        ],
      );
      const c1 = entry.appliedConditionalAccessPolicies.find((p) => p.displayName.startsWith("c1 Approve a transfer: MFA"));
      assert.deepEqual([c1?.result, c1?.enforcedGrantControls, c1?.enforcedSessionControls], ["success", ["Mfa"], ["SignInFrequency"]]);
      assert.equal(entry.appliedConditionalAccessPolicies.find((p) => p.displayName.startsWith("c2"))?.result, "notApplied");
      assert.equal(entry.appliedConditionalAccessPolicies.find((p) => p.displayName === "Sign-in risk high: block")?.result, "notApplied");
      assert.equal(entry.uniqueTokenIdentifier, decode(String(tokens?.body.access_token)).payload.uti);
    });

    it("a wrong password: 50126, Conditional Access not applied, the failed step listed", async () => {
      const browser = new TestBrowser(emu());
      let page = await browser.go(authorizeUrl(emu(), { "client-request-id": "corr-bad-password" }));
      page = await browser.submit(page, "username", { loginfmt: MEGAN.upn, passwd: "wrong" });
      assert.match(page.html, /AADSTS50126/);
      const [entry] = await byCorrelation("corr-bad-password");
      assert.deepEqual([entry?.status.errorCode, entry?.conditionalAccessStatus, entry?.appliedConditionalAccessPolicies, entry?.uniqueTokenIdentifier], [50126, "notApplied", [], ""]);
      assert.deepEqual(entry?.authenticationDetails.map((d) => [d.authenticationMethod, d.succeeded]), [["Password", false]]);
      assert.equal(entry?.authenticationRequirement, "singleFactorAuthentication");
    });

    it("MFA required without interaction (prompt=none): 50076 with the failing policy, and the redirect's correlation id", async () => {
      const { browser } = await signIn({}, "corr-first");
      const page = await browser.go(authorizeUrl(emu(), { prompt: "none", claims: c("c1") }));
      const description = returned(page).get("error_description") ?? "";
      assert.match(description, /^AADSTS50076/);
      const correlationId = /Correlation ID: ([0-9a-f-]{36})/.exec(description)?.[1] ?? "";
      const [entry] = await byCorrelation(correlationId);
      assert.deepEqual([entry?.status.errorCode, entry?.conditionalAccessStatus, entry?.authenticationContextClassReferences], [50076, "failure", [{ id: "c1", detail: "required" }]]);
      assert.equal(entry?.appliedConditionalAccessPolicies.find((p) => p.displayName.startsWith("c1 Approve a transfer: MFA"))?.result, "failure");
      assert.deepEqual(entry?.authenticationDetails.map((d) => d.authenticationMethod), ["Previously satisfied"]);
    });

    it("a blocked user (lynne): 53003 with Conditional Access failure", async () => {
      const browser = new TestBrowser(emu());
      let page = await browser.go(authorizeUrl(emu(), { "client-request-id": "corr-blocked" }));
      page = await browser.submit(page, "username", { loginfmt: "lynne@woodgrove.test", passwd: PASSWORD });
      assert.equal(returned(page).get("error"), "access_denied");
      const [entry] = await byCorrelation("corr-blocked");
      assert.deepEqual([entry?.userId, entry?.status.errorCode, entry?.conditionalAccessStatus], [LYNNE, 53003, "failure"]);
    });

    it("refresh: a non-interactive entry with the new access token's uti; a failed refresh uses the error's correlation id", async () => {
      const { tokens } = await signIn({ claims: c("c1") }, "corr-refresh-start");
      const refreshed = await redeem(
        emu(),
        { grant_type: "refresh_token", refresh_token: String(tokens?.body.refresh_token), client_id: WEB_CLIENT, client_secret: WEB_SECRET, claims: c("c3"), scope: API_SCOPE },
        { "client-request-id": "corr-refresh-ok" },
      );
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      assert.deepEqual(await byCorrelation("corr-refresh-ok"), [], "v1.0 lists interactive sign-ins only");
      const [ok] = await byCorrelation("corr-refresh-ok", "nonInteractive");
      assert.deepEqual(
        [ok?.isInteractive, ok?.clientAppUsed, ok?.status.errorCode, ok?.conditionalAccessStatus, ok?.authenticationContextClassReferences, ok?.authenticationRequirement],
        [false, "Mobile Apps and Desktop clients", 0, "success", [{ id: "c3", detail: "previouslySatisfied" }], "multiFactorAuthentication"],
      );
      assert.equal(ok?.uniqueTokenIdentifier, decode(String(refreshed.body.access_token)).payload.uti);
      assert.deepEqual(ok?.authenticationDetails.map((d) => [d.authenticationMethod, d.authenticationStepRequirement]), [
        ["Previously satisfied", "Primary authentication"],
        ["Previously satisfied", "Multifactor authentication"],
      ]);
      await emu().control(`users/${MEGAN.oid}/age-authentication`, { seconds: 600 });
      const failed = await redeem(emu(), { grant_type: "refresh_token", refresh_token: String(refreshed.body.refresh_token), client_id: WEB_CLIENT, client_secret: WEB_SECRET, claims: c("c1") });
      assert.deepEqual(failed.body.error_codes, [50076]);
      const [entry] = await byCorrelation(String(failed.body.correlation_id), "nonInteractive");
      assert.deepEqual([entry?.isInteractive, entry?.status.errorCode, entry?.conditionalAccessStatus, entry?.uniqueTokenIdentifier], [false, 50076, "failure", ""]);
    });

    it("report-only: an interactive sign-in shows reportOnlyInterrupted, a refresh reportOnlyFailure", async () => {
      await emu().control("policy-set", { set: "staging" });
      try {
        const { tokens } = await signIn({ claims: c("c2") }, "corr-report-only");
        const [entry] = await byCorrelation("corr-report-only");
        const reportOnly = (e: Entry | undefined) => e?.appliedConditionalAccessPolicies.find((p) => p.displayName.endsWith("(report-only)"));
        assert.deepEqual([reportOnly(entry)?.result, reportOnly(entry)?.enforcedGrantControls], ["reportOnlyInterrupted", ["RequireAuthenticationStrength"]]);
        assert.equal(entry?.conditionalAccessStatus, "success", "report-only results do not count");
        const refreshed = await redeem(
          emu(),
          { grant_type: "refresh_token", refresh_token: String(tokens?.body.refresh_token), client_id: WEB_CLIENT, client_secret: WEB_SECRET, claims: c("c2") },
          { "client-request-id": "corr-report-only-refresh" },
        );
        assert.equal(refreshed.status, 200);
        assert.equal(reportOnly((await byCorrelation("corr-report-only-refresh", "nonInteractive"))[0])?.result, "reportOnlyFailure");
      } finally {
        await emu().control("policy-set", { set: "production" });
      }
    });

    it("survives a restart (signins.jsonl)", async () => {
      await signIn({}, "corr-persisted");
      await emu.restart();
      await token.renew();
      assert.equal((await byCorrelation("corr-persisted")).length, 1);
    });
  });

  describe("the Graph endpoint", () => {
    it("client credentials: an app-only Graph token with AuditLog.Read.All, Policy.Read.All and UserAuthenticationMethod.Read.All for the web app only", async () => {
      const claims = decode(token()).payload;
      assert.deepEqual([claims.aud, claims.idtyp, claims.roles, claims.appid, claims.tid], ["https://graph.microsoft.com", "app", ["AuditLog.Read.All", "Policy.Read.All", "UserAuthenticationMethod.Read.All"], WEB_CLIENT, emu().tenantId]);
      assert.equal(claims.scp, undefined);
      const spa = await redeem(emu(), { grant_type: "client_credentials", client_id: SPA_CLIENT, scope: "https://graph.microsoft.com/.default" }, { origin: PORTAL });
      assert.deepEqual([spa.status, spa.body.error, spa.body.error_codes], [401, "invalid_client", [7000218]]);
      const noDefault = await redeem(emu(), { grant_type: "client_credentials", client_id: WEB_CLIENT, client_secret: WEB_SECRET, scope: "https://graph.microsoft.com/AuditLog.Read.All" });
      assert.deepEqual([noDefault.body.error, noDefault.body.error_codes], ["invalid_scope", [1002012]]);
      const otherResource = await redeem(emu(), { grant_type: "client_credentials", client_id: WEB_CLIENT, client_secret: WEB_SECRET, scope: "api://somewhere-else/.default" });
      assert.deepEqual([otherResource.body.error, otherResource.body.error_codes], ["invalid_resource", [500011]]);
      const badSecret = await redeem(emu(), { grant_type: "client_credentials", client_id: WEB_CLIENT, client_secret: "nope", scope: "https://graph.microsoft.com/.default" });
      assert.deepEqual(badSecret.body.error_codes, [7000215]);
    });

    it("Conditional Access reads: the active set's policies and authentication contexts, Graph-shaped, for Policy.Read.All", async () => {
      const policies = await graphGet(emu(), "identity/conditionalAccess/policies", token());
      assert.equal(policies.status, 200);
      const value = policies.body.value as { displayName: string; state: string; conditions: { applications: { includeAuthenticationContextClassReferences?: string[] } } }[];
      const c2 = value.filter((p) => p.conditions.applications.includeAuthenticationContextClassReferences?.includes("c2"));
      assert.ok(c2.length > 0 && c2.every((p) => ["enabled", "enabledForReportingButNotEnforced", "disabled"].includes(p.state)));
      const contexts = await graphGet(emu(), "identity/conditionalAccess/authenticationContextClassReferences", token());
      assert.deepEqual((contexts.body.value as { id: string }[]).map((c) => c.id), ["c1", "c2", "c3"]);
      assert.equal((await graphGet(emu(), "identity/conditionalAccess/policies")).status, 401);
    });

    // conditionalAccessPolicy and signInFrequencySessionControl resource pages: the policy's
    // timestamps, template, client app types and the sign-in frequency in Graph's own shape.
    it("conditionalAccessPolicy: timestamps, templateId, clientAppTypes and signInFrequency as Graph's signInFrequencySessionControl", async () => {
      type Policy = {
        id: string;
        displayName: string;
        state: string;
        createdDateTime: string | null;
        modifiedDateTime: string | null;
        templateId: string | null;
        conditions: { clientAppTypes: string[]; applications: { includeAuthenticationContextClassReferences?: string[] } };
        grantControls: { builtInControls: string[] };
        sessionControls: { signInFrequency?: Record<string, unknown> } | null;
      };
      const read = async () => (await graphGet(emu(), "identity/conditionalAccess/policies", token())).body.value as Policy[];
      const policies = await read();
      for (const p of policies) {
        assert.ok(p.createdDateTime && !Number.isNaN(Date.parse(p.createdDateTime)), p.displayName);
        assert.deepEqual([p.modifiedDateTime, p.templateId, p.conditions.clientAppTypes], [null, null, ["all"]], p.displayName);
      }
      const forContext = (id: string) => policies.find((p) => p.state === "enabled" && p.conditions.applications.includeAuthenticationContextClassReferences?.includes(id));
      assert.deepEqual(forContext("c3")?.sessionControls?.signInFrequency, { isEnabled: true, frequencyInterval: "timeBased", type: "hours", value: 1, authenticationType: "primaryAndSecondaryAuthentication" });
      assert.deepEqual(forContext("c1")?.sessionControls?.signInFrequency, { isEnabled: true, frequencyInterval: "everyTime", type: null, value: null, authenticationType: "secondaryAuthentication" });
      assert.equal(policies.find((p) => p.grantControls.builtInControls.includes("block"))?.sessionControls, null, "no session controls: null, not absent");

      const c1 = forContext("c1")!;
      await emu().control(`policies/${c1.id}/state`, { state: "enabledForReportingButNotEnforced" });
      try {
        const changed = (await read()).find((p) => p.id === c1.id);
        assert.equal(changed?.state, "enabledForReportingButNotEnforced");
        assert.ok(changed?.modifiedDateTime && Math.abs(Date.parse(changed.modifiedDateTime) - Date.now()) < 60_000, "modifiedDateTime is the change's time");
        assert.equal(changed?.createdDateTime, c1.createdDateTime);
      } finally {
        await emu().control(`policies/${c1.id}/state`, { state: "enabled" });
      }
    });

    it("client credentials for the portal API (what `npm run doctor` asks): a v2.0 app token with no roles, useless for Graph", async () => {
      for (const scope of ["api://woodgrove-portal/.default", "2d748872-b3e5-47e0-9d03-badcd26bf489/.default"]) {
        const answer = await redeem(emu(), { grant_type: "client_credentials", client_id: WEB_CLIENT, client_secret: WEB_SECRET, scope });
        assert.equal(answer.status, 200, scope);
        const claims = decode(String(answer.body.access_token)).payload;
        assert.deepEqual([claims.aud, claims.ver, claims.idtyp, claims.roles, claims.scp], ["2d748872-b3e5-47e0-9d03-badcd26bf489", "2.0", "app", undefined, undefined]);
        assert.equal((await graphGet(emu(), "auditLogs/signIns", String(answer.body.access_token))).status, 401);
      }
    });

    it("401 with a Bearer challenge without a valid token; 403 for a token without the app role", async () => {
      const none = await graphGet(emu(), "auditLogs/signIns");
      assert.equal(none.status, 401);
      assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer /);
      assert.equal((none.body.error as { code: string }).code, "InvalidAuthenticationToken");
      const [h, p] = token().split(".");
      const forged = await graphGet(emu(), "auditLogs/signIns", `${h}.${p}.${"A".repeat(342)}`);
      assert.equal(forged.status, 401);
      const apiToken = (await (await emu().control("tokens/broken", { kind: "missing-auth-time", oid: MEGAN.oid })).json()) as { token: string };
      const wrongAudience = await graphGet(emu(), "auditLogs/signIns", apiToken.token);
      assert.equal(wrongAudience.status, 401, "an access token for the portal API is not for Graph");
      const expired = (await (await emu().control("tokens/broken", { kind: "expired", oid: MEGAN.oid })).json()) as { token: string };
      assert.equal((await graphGet(emu(), "auditLogs/signIns", expired.token)).status, 401);
      // A user's delegated Graph token (User.Read) has no app role.
      const { tokens } = await signIn({ scope: "openid profile offline_access" }, "corr-delegated");
      const delegated = String(tokens?.body.access_token);
      assert.equal(decode(delegated).payload.aud, "00000003-0000-0000-c000-000000000000");
      const denied = await graphGet(emu(), "auditLogs/signIns", delegated);
      assert.equal(denied.status, 403);
      assert.equal((denied.body.error as { code: string }).code, "Authorization_RequestDenied");
    });

    it("filters by userId, correlationId and createdDateTime, alone and with and", async () => {
      await emu().control("reset", {});
      await token.renew();
      await signIn({}, "corr-f1");
      await emu().control("clock", { advanceSeconds: 3600 });
      const middle = new Date(Date.now() + 1800_000).toISOString();
      await signIn({}, "corr-f2");
      const lynneBrowser = new TestBrowser(emu());
      const lynnePage = await lynneBrowser.go(authorizeUrl(emu(), { "client-request-id": "corr-f3" }));
      await lynneBrowser.submit(lynnePage, "username", { loginfmt: "lynne@woodgrove.test", passwd: PASSWORD });
      await emu().control("clock", { advanceSeconds: -3600 });
      const query = async (filter: string) => {
        const res = await graphGet(emu(), `auditLogs/signIns?$filter=${encodeURIComponent(filter)}`, token());
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return (res.body.value as Entry[]).map((e) => e.correlationId);
      };
      assert.deepEqual(await query(`userId eq '${MEGAN.oid}'`), ["corr-f2", "corr-f1"], "newest first");
      assert.deepEqual(await query(`userId eq '${LYNNE.toUpperCase()}'`), ["corr-f3"], "ids compare case-insensitively");
      assert.deepEqual(await query("correlationId eq 'corr-f1'"), ["corr-f1"]);
      assert.deepEqual(await query(`createdDateTime ge ${middle}`), ["corr-f3", "corr-f2"]);
      assert.deepEqual(await query(`createdDateTime le ${middle}`), ["corr-f1"]);
      assert.deepEqual(await query(`userId eq '${MEGAN.oid}' and createdDateTime ge ${middle}`), ["corr-f2"]);
      assert.deepEqual(await query(`userId eq '${MEGAN.oid}' and correlationId eq 'corr-f3'`), []);
    });

    it("$top pages with @odata.nextLink until every entry was seen once", async () => {
      const all = (await graphGet(emu(), "auditLogs/signIns", token())).body.value as Entry[];
      assert.equal(all.length, 3);
      const seen: string[] = [];
      let next: string | undefined = "auditLogs/signIns?$top=2";
      let pages = 0;
      while (next) {
        const res = await graphGet(emu(), next, token());
        assert.equal(res.status, 200, JSON.stringify(res.body));
        seen.push(...(res.body.value as Entry[]).map((e) => e.id));
        const link = res.body["@odata.nextLink"] as string | undefined;
        next = link ? link.slice(`${emu().origin}/v1.0/`.length) : undefined;
        pages += 1;
      }
      assert.equal(pages, 2);
      assert.deepEqual(seen, all.map((e) => e.id));
      const one = await graphGet(emu(), `auditLogs/signIns?$top=1&$filter=${encodeURIComponent(`userId eq '${MEGAN.oid}'`)}`, token());
      const link = new URL(String(one.body["@odata.nextLink"]));
      assert.equal(link.searchParams.get("$filter"), `userId eq '${MEGAN.oid}'`, "the next link keeps the filter");
    });

    it("answers 400 BadRequest for unsupported filters, page sizes and options", async () => {
      const bad = [
        "$filter=" + encodeURIComponent(`userId eq '${MEGAN.oid}' or correlationId eq 'x'`),
        "$filter=" + encodeURIComponent("appDisplayName eq 'x'"),
        "$filter=" + encodeURIComponent("createdDateTime gt 2026-01-01T00:00:00Z"),
        "$filter=" + encodeURIComponent("createdDateTime ge 'yesterday'"),
        "$filter=" + encodeURIComponent("userId ne 'x'"),
        "$filter=" + encodeURIComponent("startswith(appId,'m')"),
        "$filter=" + encodeURIComponent("endswith(userPrincipalName,'m')"),
        "$filter=" + encodeURIComponent(NON_INTERACTIVE),
        "$top=0",
        "$top=1001",
        "$top=ten",
        "$orderby=createdDateTime",
        "$skiptoken=%%%",
      ];
      for (const q of bad) {
        const res = await graphGet(emu(), `auditLogs/signIns?${q}`, token());
        assert.equal(res.status, 400, q);
        assert.equal((res.body.error as { code: string }).code, "BadRequest", q);
      }
      for (const filter of ["signInEventTypes/any(t: t eq 'batchUser')", "signInEventTypes/any(t: x eq 'nonInteractiveUser')", "signInEventTypes/all(t: t eq 'nonInteractiveUser')"]) {
        const res = await graphGet(emu(), `auditLogs/signIns?$filter=${encodeURIComponent(filter)}`, token(), "beta");
        assert.equal(res.status, 400, filter);
      }
      // Graph's error body, whole: code, message and the innerError with the request ids.
      const res = await emu().fetch(`${emu().origin}/v1.0/auditLogs/signIns?$filter=${encodeURIComponent("riskState eq 'atRisk'")}`, { headers: { authorization: `Bearer ${token()}`, "client-request-id": "corr-bad-filter" } });
      const body = (await res.json()) as { error: { code: string; message: string; innerError: Record<string, string> } };
      assert.deepEqual([res.status, body.error.code, Object.keys(body.error.innerError).sort(), body.error.innerError["client-request-id"]], [400, "BadRequest", ["client-request-id", "date", "request-id"], "corr-bad-filter"]);
      assert.match(body.error.message, /riskState/);
      assert.equal((await graphGet(emu(), "auditLogs/signIns?$top=1000", token())).status, 200);
    });

    it("GET /auditLogs/signIns/{id} returns one entry; an unknown id is 404", async () => {
      const [first] = (await graphGet(emu(), "auditLogs/signIns?$top=1", token())).body.value as Entry[];
      const one = await graphGet(emu(), `auditLogs/signIns/${first?.id}`, token());
      assert.equal(one.status, 200);
      assert.equal(one.body.id, first?.id);
      assert.equal((await graphGet(emu(), "auditLogs/signIns/00000000-0000-4000-8000-000000000000", token())).status, 404);
      assert.equal((await graphGet(emu(), "auditLogs/signIns/00000000-0000-4000-8000-000000000000")).status, 401);
    });

    it("the control API reads the same entries for tests", async () => {
      const res = (await (await emu().control(`sign-ins?userId=${MEGAN.oid}`)).json()) as { value: Entry[] };
      assert.deepEqual(res.value.map((e) => e.correlationId), ["corr-f2", "corr-f1"]);
      assert.equal((await emu().control("sign-ins?userId=not-a-guid")).status, 400);
    });
  });

  describe("interactive and non-interactive sign-ins, as Graph serves them apart", () => {
    let signedIn: Awaited<ReturnType<typeof signIn>>;
    before(async () => {
      await emu().control("reset", {});
      await token.renew();
      signedIn = await signIn({ claims: c("c1") }, "corr-kinds-interactive");
      const refreshed = await redeem(
        emu(),
        { grant_type: "refresh_token", refresh_token: String(signedIn.tokens?.body.refresh_token), client_id: WEB_CLIENT, client_secret: WEB_SECRET, claims: c("c3"), scope: API_SCOPE },
        { "client-request-id": "corr-kinds-refresh" },
      );
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    });
    const list = async (filter: string | undefined, version: "v1.0" | "beta") => {
      const res = await graphGet(emu(), `auditLogs/signIns${filter ? `?$filter=${encodeURIComponent(filter)}` : ""}`, token(), version);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.value as Entry[];
    };

    // List signIns (v1.0): Graph documents the list as interactive sign-ins; a refresh never shows.
    it("v1.0 List signIns: interactive sign-ins only, without the beta-only signInEventTypes", async () => {
      const entries = await list(`userId eq '${MEGAN.oid}'`, "v1.0");
      assert.deepEqual(entries.map((e) => [e.correlationId, e.isInteractive]), [["corr-kinds-interactive", true]]);
      assert.equal("signInEventTypes" in (entries[0] ?? {}), false);
      const one = await graphGet(emu(), `auditLogs/signIns/${entries[0]?.id}`, token());
      assert.equal("signInEventTypes" in one.body, false, "Get signIn on v1.0 has no signInEventTypes either");
    });

    // signIn resource (beta): "interactive only unless you set an explicit filter"; the filter for the
    // non-interactive ones is signInEventTypes/any(t: t eq 'nonInteractiveUser').
    it("beta signIn resource: interactive only by default; signInEventTypes/any() selects the kind, alone or with and", async () => {
      const byDefault = await list(`userId eq '${MEGAN.oid}'`, "beta");
      assert.deepEqual(byDefault.map((e) => [e.correlationId, e.signInEventTypes]), [["corr-kinds-interactive", ["interactiveUser"]]]);
      const nonInteractive = await list(`userId eq '${MEGAN.oid}' and ${NON_INTERACTIVE}`, "beta");
      assert.deepEqual(nonInteractive.map((e) => [e.correlationId, e.signInEventTypes, e.isInteractive]), [["corr-kinds-refresh", ["nonInteractiveUser"], false]]);
      assert.deepEqual((await list(NON_INTERACTIVE, "beta")).map((e) => e.correlationId), ["corr-kinds-refresh"], "the any() clause alone");
      assert.deepEqual((await list(`${NON_INTERACTIVE} and correlationId eq 'corr-kinds-interactive'`, "beta")).length, 0);
      assert.deepEqual((await list("signInEventTypes/any(x: x ne 'interactiveUser')", "beta")).map((e) => e.correlationId), ["corr-kinds-refresh"]);
      assert.deepEqual(
        (await list("signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')", "beta")).map((e) => e.correlationId),
        ["corr-kinds-refresh", "corr-kinds-interactive"],
        "both kinds, newest first",
      );
      assert.deepEqual(await list("signInEventTypes/any(t: t eq 'servicePrincipal')", "beta"), [], "a documented kind the emulator never records");
    });

    it("beta paging: the next link stays on beta and keeps the signInEventTypes filter", async () => {
      await redeem(emu(), { grant_type: "refresh_token", refresh_token: String(signedIn.tokens?.body.refresh_token), client_id: WEB_CLIENT, client_secret: WEB_SECRET, scope: API_SCOPE });
      const first = await graphGet(emu(), `auditLogs/signIns?$top=1&$filter=${encodeURIComponent(NON_INTERACTIVE)}`, token(), "beta");
      const link = new URL(String(first.body["@odata.nextLink"]));
      assert.deepEqual([link.pathname, link.searchParams.get("$filter")], ["/beta/auditLogs/signIns", NON_INTERACTIVE]);
      const second = await emu().fetch(link.toString(), { headers: { authorization: `Bearer ${token()}` } });
      const body = (await second.json()) as { value: Entry[]; "@odata.nextLink"?: string };
      assert.deepEqual([body.value.length, body.value[0]?.signInEventTypes, body["@odata.nextLink"]], [1, ["nonInteractiveUser"], undefined]);
    });

    // deviceDetail resource: what Entra logs for a device it has no registration for.
    it("deviceDetail: browser and operating system from the user agent, an unregistered, unmanaged device", async () => {
      const [entry] = await list("correlationId eq 'corr-kinds-interactive'", "v1.0");
      assert.deepEqual(entry?.deviceDetail, { deviceId: "", displayName: "", operatingSystem: "Linux", browser: "Chrome 140.0.0.0", isCompliant: false, isManaged: false, trustType: "" });
      assert.deepEqual([entry?.riskLevelDuringSignIn, entry?.riskEventTypes_v2], ["none", []]);
    });

    // signIn resource (v1.0): createdDateTime supports eq, ge and le; userPrincipalName eq and startsWith.
    it("signIn resource filters: createdDateTime eq, ge and le; startswith(userPrincipalName, …)", async () => {
      const [entry] = await list("correlationId eq 'corr-kinds-interactive'", "v1.0");
      const at = String(entry?.createdDateTime);
      assert.deepEqual((await list(`createdDateTime eq ${at}`, "v1.0")).map((e) => e.id), [entry?.id]);
      assert.deepEqual((await list(`createdDateTime ge ${at} and createdDateTime le ${at}`, "v1.0")).map((e) => e.id), [entry?.id]);
      assert.deepEqual(await list(`createdDateTime le ${new Date(Date.parse(at) - 1).toISOString()}`, "v1.0"), []);
      assert.deepEqual((await list("startswith(userPrincipalName,'MEGAN@')", "v1.0")).map((e) => e.id), [entry?.id], "case-insensitive, as Graph compares UPNs");
      assert.deepEqual(await list("startsWith(userPrincipalName, 'lynne')", "v1.0"), []);
      assert.deepEqual((await list("startswith(userPrincipalName,'o''brien') and userId eq 'x'", "v1.0")).length, 0, "a quote doubled inside the literal");
      assert.deepEqual((await list(`startswith(userPrincipalName,'megan') and ${NON_INTERACTIVE}`, "beta")).length, 2);
    });
  });
});
