/**
 * lib/identity/graph.ts: the app-token Graph client. Its token comes from MSAL's client-credentials
 * flow against the configured issuer, with no request to any other host, and MSAL's cache serves
 * it to many requests until it is due for renewal; paging follows `@odata.nextLink` on Graph's own origin only (a link
 * elsewhere would carry the token away); every failure is a GraphUnavailableError, and so is a
 * list of a person's authentication methods that cannot be read whole.
 */
import "../support/portal-env";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ISSUER, isTokenRequest, metadataAnswer, tokenAnswer } from "../support/fake-entra";

const { createGraphClient, GraphUnavailableError, odataString } = await import("../../lib/identity/graph");

const GRAPH = "https://graph.test";

function fakeFetch(routes: (url: URL, init?: RequestInit) => Response | Promise<Response>) {
  const calls: string[] = [];
  const fetcher = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    calls.push(`${init?.method ?? "GET"} ${url.origin}${url.pathname}${url.search}`);
    return metadataAnswer(url) ?? routes(url, init);
  }) as typeof fetch;
  return { fetcher, calls };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

test("one app token from the issuer's token endpoint for several requests, client credentials for Graph's .default scope, no other host asked", async () => {
  const bodies: URLSearchParams[] = [];
  const { fetcher, calls } = fakeFetch(async (url, init) => {
    if (isTokenRequest(url)) {
      bodies.push(new URLSearchParams(String(init?.body)));
      return tokenAnswer(`token-${bodies.length}`);
    }
    return json({ value: [{ id: "c1" }] });
  });
  const client = createGraphClient({ issuer: ISSUER, clientId: "web", clientSecret: "secret", graphUrl: GRAPH, fetch: fetcher });
  await client.listAuthenticationContexts();
  await client.listConditionalAccessPolicies();
  await client.listAuthenticationContexts();
  assert.equal(bodies.length, 1);
  assert.equal(bodies[0]!.get("grant_type"), "client_credentials");
  assert.equal(bodies[0]!.get("client_id"), "web");
  assert.equal(bodies[0]!.get("client_secret"), "secret");
  assert.deepEqual(bodies[0]!.get("scope")?.split(" ").sort(), ["https://graph.microsoft.com/.default"]);
  // Only the issuer's own metadata, its token endpoint and Graph: no instance discovery elsewhere.
  assert.deepEqual([...new Set(calls.map((c) => new URL(c.split(" ")[1]!).origin))].sort(), ["https://graph.test", "https://idp.test"]);
});

test("a token about to expire is not used: MSAL asks for a new one (it renews five minutes early)", async () => {
  let tokens = 0;
  const { fetcher } = fakeFetch((url) => (isTokenRequest(url) ? tokenAnswer(`token-${++tokens}`, 240) : json({ value: [] })));
  const client = createGraphClient({ issuer: ISSUER, clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
  await client.listAuthenticationContexts();
  await client.listAuthenticationContexts();
  assert.equal(tokens, 2);
});

test("a token Graph refuses (401) is not used again: the next read asks the token endpoint anew", async () => {
  let tokens = 0;
  let refuse = true;
  const { fetcher } = fakeFetch((url, init) => {
    if (isTokenRequest(url)) return tokenAnswer(`token-${++tokens}`);
    const authorization = new Headers(init?.headers).get("authorization");
    if (refuse) {
      refuse = false;
      return json({ error: { code: "InvalidAuthenticationToken" } }, 401);
    }
    return json({ value: [{ id: authorization }] });
  });
  const client = createGraphClient({ issuer: ISSUER, clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
  await assert.rejects(client.listAuthenticationContexts(), GraphUnavailableError);
  assert.deepEqual(await client.listAuthenticationContexts(), [{ id: "Bearer token-2" }]);
  assert.deepEqual(await client.listAuthenticationContexts(), [{ id: "Bearer token-2" }], "the new token is cached again");
  assert.equal(tokens, 2);
});

test("sign-ins: $filter and $top sent, nextLink followed on Graph's origin, never elsewhere, capped at maxEntries", async () => {
  const { fetcher, calls } = fakeFetch((url) => {
    if (isTokenRequest(url)) return tokenAnswer();
    if (url.pathname.startsWith("/beta/")) return json({ value: [] });
    const at = (minute: number) => `2026-03-01T10:0${minute}:00Z`;
    if (url.searchParams.get("$skiptoken") === "2") return json({ value: [{ id: "c", createdDateTime: at(1) }], "@odata.nextLink": "https://elsewhere.test/v1.0/auditLogs/signIns?$skiptoken=3" });
    if (url.searchParams.get("$skiptoken") === "1") return json({ value: [{ id: "b", createdDateTime: at(2) }], "@odata.nextLink": `${GRAPH}/v1.0/auditLogs/signIns?$skiptoken=2` });
    return json({ value: [{ id: "a", createdDateTime: at(3) }], "@odata.nextLink": `${GRAPH}/v1.0/auditLogs/signIns?$skiptoken=1` });
  });
  const client = createGraphClient({ issuer: ISSUER, clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
  const all = await client.listSignIns("userId eq 'x'", 10);
  assert.deepEqual(all.map((s) => s.id), ["a", "b", "c"]);
  assert.ok(!calls.some((c) => c.includes("elsewhere.test")), "a nextLink on another origin is not followed");
  assert.ok(calls.some((c) => c.includes("/v1.0/auditLogs/signIns?%24filter=userId+eq+%27x%27") && c.includes("%24top=10")), calls.join("\n"));
  const two = await client.listSignIns("userId eq 'x'", 2);
  assert.deepEqual(two.map((s) => s.id), ["a", "b"]);
});

// Graph lists interactive sign-ins on v1.0 only; the non-interactive ones (a refresh token
// redeemed: how a c3 elevation within the hour is satisfied) only on beta, by signInEventTypes.
test("sign-ins: both kinds, read the way Graph serves them (v1.0, and beta with signInEventTypes), merged newest first, each once", async () => {
  const { fetcher, calls } = fakeFetch((url) => {
    if (isTokenRequest(url)) return tokenAnswer();
    if (url.pathname === "/v1.0/auditLogs/signIns") {
      return json({ value: [{ id: "popup", createdDateTime: "2026-03-01T10:05:00Z", isInteractive: true }, { id: "first", createdDateTime: "2026-03-01T09:00:00Z", isInteractive: true }] });
    }
    if (url.pathname === "/beta/auditLogs/signIns" && url.searchParams.get("$skiptoken") === "1") {
      return json({ value: [{ id: "refresh-1", createdDateTime: "2026-03-01T09:30:00Z", signInEventTypes: ["nonInteractiveUser"] }] });
    }
    if (url.pathname === "/beta/auditLogs/signIns") {
      return json({
        value: [{ id: "refresh-2", createdDateTime: "2026-03-01T10:10:00Z", signInEventTypes: ["nonInteractiveUser"] }],
        "@odata.nextLink": `${GRAPH}/beta/auditLogs/signIns?$skiptoken=1`,
      });
    }
    return json({ error: { code: "BadRequest" } }, 400);
  });
  const client = createGraphClient({ issuer: ISSUER, clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
  const all = await client.listSignIns("userId eq 'x' and createdDateTime ge 2026-03-01T00:00:00Z", 100);
  assert.deepEqual(all.map((s) => s.id), ["refresh-2", "popup", "refresh-1", "first"]);
  const reads = calls.filter((c) => c.startsWith("GET")).map((c) => decodeURIComponent(c.replaceAll("+", " ")));
  assert.ok(reads.includes(`GET ${GRAPH}/v1.0/auditLogs/signIns?$filter=userId eq 'x' and createdDateTime ge 2026-03-01T00:00:00Z&$top=100`), reads.join("\n"));
  assert.ok(
    reads.includes(`GET ${GRAPH}/beta/auditLogs/signIns?$filter=userId eq 'x' and createdDateTime ge 2026-03-01T00:00:00Z and signInEventTypes/any(t: t eq 'nonInteractiveUser')&$top=100`),
    reads.join("\n"),
  );
  assert.ok(reads.includes(`GET ${GRAPH}/beta/auditLogs/signIns?$skiptoken=1`), "beta's nextLink is followed too");
  assert.deepEqual((await client.listSignIns("userId eq 'x'", 2)).map((s) => s.id), ["refresh-2", "popup"], "the newest of the union, capped");
});

test("sign-ins: one of the two reads failing is GraphUnavailableError, never half the list", async () => {
  for (const failing of ["/v1.0/auditLogs/signIns", "/beta/auditLogs/signIns"]) {
    const { fetcher } = fakeFetch((url) => {
      if (isTokenRequest(url)) return tokenAnswer();
      if (url.pathname === failing) return json({ error: { code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant" } }, 403);
      return json({ value: [{ id: "a", createdDateTime: "2026-03-01T10:00:00Z" }] });
    });
    const client = createGraphClient({ issuer: ISSUER, clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
    await assert.rejects(client.listSignIns("userId eq 'x'"), (error: unknown) => error instanceof GraphUnavailableError && error.message.includes(failing), failing);
  }
});

test("a refused token, a Graph error, a malformed answer and a network failure are each GraphUnavailableError", async () => {
  const cases: Array<(url: URL) => Response> = [
    (url) => (isTokenRequest(url) ? json({ error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." }, 401) : json({ value: [] })),
    (url) => (isTokenRequest(url) ? tokenAnswer() : json({ error: { code: "Authorization_RequestDenied" } }, 403)),
    (url) => (isTokenRequest(url) ? tokenAnswer() : json({ nothing: true })),
    () => {
      throw new TypeError("fetch failed");
    },
  ];
  for (const route of cases) {
    const { fetcher } = fakeFetch(route);
    const client = createGraphClient({ issuer: ISSUER, clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
    await assert.rejects(client.listConditionalAccessPolicies(), GraphUnavailableError);
  }
});

test("authentication methods: the user's List methods by object id, each entry trimmed to its type and id", async () => {
  const oid = "a7e59c2e-59a4-4040-9c4c-9c897ce9dfb9";
  const { fetcher, calls } = fakeFetch((url) =>
    isTokenRequest(url)
      ? tokenAnswer()
      : json({
          "@odata.context": `${GRAPH}/v1.0/$metadata#users('${oid}')/authentication/methods`,
          value: [
            { "@odata.type": "#microsoft.graph.passwordAuthenticationMethod", id: "28c10230-6103-485e-b985-444c60001490", password: null },
            { "@odata.type": "#microsoft.graph.phoneAuthenticationMethod", id: "3179e48a-750b-4051-897c-87b9720928f7", phoneNumber: "+1 555 0100 1234", phoneType: "mobile" },
          ],
        }),
  );
  const client = createGraphClient({ issuer: ISSUER, clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
  assert.deepEqual(await client.listAuthenticationMethods(oid), [
    { "@odata.type": "#microsoft.graph.passwordAuthenticationMethod", id: "28c10230-6103-485e-b985-444c60001490" },
    { "@odata.type": "#microsoft.graph.phoneAuthenticationMethod", id: "3179e48a-750b-4051-897c-87b9720928f7" },
  ]);
  assert.ok(calls.includes(`GET ${GRAPH}/v1.0/users/${oid}/authentication/methods`), calls.join("\n"));
});

test("authentication methods: a list that cannot be read whole, or an entry without a type or id, is GraphUnavailableError, not a shorter list", async () => {
  const oid = "a7e59c2e-59a4-4040-9c4c-9c897ce9dfb9";
  const password = { "@odata.type": "#microsoft.graph.passwordAuthenticationMethod", id: "28c10230-6103-485e-b985-444c60001490" };
  const answers: unknown[] = [
    { value: [password, { id: "no-type" }] },
    { value: [password, { "@odata.type": "#microsoft.graph.fido2AuthenticationMethod" }] },
    { value: [password, { "@odata.type": "fido2", id: "x" }] },
    // The rest of the list is on another origin: following it would carry the token away, and
    // stopping short could hide the passkey a person has.
    { value: [password], "@odata.nextLink": `https://elsewhere.test/v1.0/users/${oid}/authentication/methods?$skiptoken=1` },
    { value: Array.from({ length: 201 }, (_, i) => ({ ...password, id: `m${i}` })) },
  ];
  for (const answer of answers) {
    const { fetcher } = fakeFetch((url) => (isTokenRequest(url) ? tokenAnswer() : json(answer)));
    const client = createGraphClient({ issuer: ISSUER, clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
    await assert.rejects(client.listAuthenticationMethods(oid), GraphUnavailableError, JSON.stringify(answer).slice(0, 120));
  }
  // Without the permission Graph answers 403: the portal does not know, and is told so the same way.
  const { fetcher: refused } = fakeFetch((url) => (isTokenRequest(url) ? tokenAnswer() : json({ error: { code: "Authorization_RequestDenied" } }, 403)));
  const client = createGraphClient({ issuer: ISSUER, clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: refused });
  await assert.rejects(client.listAuthenticationMethods(oid), GraphUnavailableError);
});

test("authentication methods: only an object id becomes part of the path; anything else is refused before any request", async () => {
  const { fetcher, calls } = fakeFetch(() => json({ value: [] }));
  const client = createGraphClient({ issuer: ISSUER, clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
  for (const id of ["..", "megan@woodgrove.test", "a7e59c2e-59a4-4040-9c4c-9c897ce9dfb9/../../auditLogs/signIns", ""]) {
    await assert.rejects(client.listAuthenticationMethods(id), GraphUnavailableError, id);
  }
  assert.deepEqual(calls, []);
});

test("odataString doubles single quotes, so a value cannot end the literal", () => {
  assert.equal(odataString("a7e5"), "'a7e5'");
  assert.equal(odataString("x' or userId ne 'y"), "'x'' or userId ne ''y'");
});
