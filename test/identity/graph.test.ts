/**
 * lib/identity/graph.ts: the app-token Graph client. One token serves many requests until a
 * minute before it expires; paging follows `@odata.nextLink` on Graph's own origin only (a link
 * elsewhere would carry the token away); every failure is a GraphUnavailableError, and so is a
 * list of a person's authentication methods that cannot be read whole.
 */
import "../support/portal-env";
import assert from "node:assert/strict";
import { test } from "node:test";

const { createGraphClient, GraphUnavailableError, odataString } = await import("../../lib/identity/graph");

const GRAPH = "https://graph.test";

function fakeFetch(routes: (url: URL, init?: RequestInit) => Response | Promise<Response>) {
  const calls: string[] = [];
  const fetcher = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    calls.push(`${init?.method ?? "GET"} ${url.origin}${url.pathname}${url.search}`);
    return routes(url, init);
  }) as typeof fetch;
  return { fetcher, calls };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

test("one app token for several requests, renewed a minute before it expires; client credentials for Graph's .default scope", async () => {
  let now = 1_000_000;
  const bodies: string[] = [];
  const { fetcher, calls } = fakeFetch(async (url, init) => {
    if (url.pathname === "/token") {
      bodies.push(String(init?.body));
      return json({ access_token: `token-${bodies.length}`, expires_in: 3600 });
    }
    return json({ value: [{ id: "c1" }] });
  });
  const client = createGraphClient({ tokenEndpoint: async () => "https://idp.test/token", clientId: "web", clientSecret: "secret", graphUrl: GRAPH, fetch: fetcher, now: () => now });
  await client.listAuthenticationContexts();
  await client.listConditionalAccessPolicies();
  assert.equal(calls.filter((c) => c.startsWith("POST")).length, 1);
  assert.match(bodies[0]!, /grant_type=client_credentials/);
  assert.match(bodies[0]!, /scope=https%3A%2F%2Fgraph.microsoft.com%2F.default/);
  now += (3600 - 61) * 1000;
  await client.listAuthenticationContexts();
  assert.equal(calls.filter((c) => c.startsWith("POST")).length, 1);
  now += 2_000;
  await client.listAuthenticationContexts();
  assert.equal(calls.filter((c) => c.startsWith("POST")).length, 2);
});

test("sign-ins: $filter and $top sent, nextLink followed on Graph's origin, never elsewhere, capped at maxEntries", async () => {
  const { fetcher, calls } = fakeFetch((url) => {
    if (url.pathname === "/token") return json({ access_token: "t", expires_in: 3600 });
    if (url.pathname.startsWith("/beta/")) return json({ value: [] });
    const at = (minute: number) => `2026-03-01T10:0${minute}:00Z`;
    if (url.searchParams.get("$skiptoken") === "2") return json({ value: [{ id: "c", createdDateTime: at(1) }], "@odata.nextLink": "https://elsewhere.test/v1.0/auditLogs/signIns?$skiptoken=3" });
    if (url.searchParams.get("$skiptoken") === "1") return json({ value: [{ id: "b", createdDateTime: at(2) }], "@odata.nextLink": `${GRAPH}/v1.0/auditLogs/signIns?$skiptoken=2` });
    return json({ value: [{ id: "a", createdDateTime: at(3) }], "@odata.nextLink": `${GRAPH}/v1.0/auditLogs/signIns?$skiptoken=1` });
  });
  const client = createGraphClient({ tokenEndpoint: async () => "https://idp.test/token", clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
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
    if (url.pathname === "/token") return json({ access_token: "t", expires_in: 3600 });
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
  const client = createGraphClient({ tokenEndpoint: async () => "https://idp.test/token", clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
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
      if (url.pathname === "/token") return json({ access_token: "t", expires_in: 3600 });
      if (url.pathname === failing) return json({ error: { code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant" } }, 403);
      return json({ value: [{ id: "a", createdDateTime: "2026-03-01T10:00:00Z" }] });
    });
    const client = createGraphClient({ tokenEndpoint: async () => "https://idp.test/token", clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
    await assert.rejects(client.listSignIns("userId eq 'x'"), (error: unknown) => error instanceof GraphUnavailableError && error.message.includes(failing), failing);
  }
});

test("a refused token, a Graph error, a malformed answer and a network failure are each GraphUnavailableError", async () => {
  const cases: Array<(url: URL) => Response> = [
    (url) => (url.pathname === "/token" ? json({ error: "invalid_client" }, 401) : json({ value: [] })),
    (url) => (url.pathname === "/token" ? json({ access_token: "t" }) : json({ error: { code: "Authorization_RequestDenied" } }, 403)),
    (url) => (url.pathname === "/token" ? json({ access_token: "t" }) : json({ nothing: true })),
    () => {
      throw new TypeError("fetch failed");
    },
  ];
  for (const route of cases) {
    const { fetcher } = fakeFetch(route);
    const client = createGraphClient({ tokenEndpoint: async () => "https://idp.test/token", clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
    await assert.rejects(client.listConditionalAccessPolicies(), GraphUnavailableError);
  }
});

test("authentication methods: the user's List methods by object id, each entry trimmed to its type and id", async () => {
  const oid = "a7e59c2e-59a4-4040-9c4c-9c897ce9dfb9";
  const { fetcher, calls } = fakeFetch((url) =>
    url.pathname === "/token"
      ? json({ access_token: "t", expires_in: 3600 })
      : json({
          "@odata.context": `${GRAPH}/v1.0/$metadata#users('${oid}')/authentication/methods`,
          value: [
            { "@odata.type": "#microsoft.graph.passwordAuthenticationMethod", id: "28c10230-6103-485e-b985-444c60001490", password: null },
            { "@odata.type": "#microsoft.graph.phoneAuthenticationMethod", id: "3179e48a-750b-4051-897c-87b9720928f7", phoneNumber: "+1 555 0100 1234", phoneType: "mobile" },
          ],
        }),
  );
  const client = createGraphClient({ tokenEndpoint: async () => "https://idp.test/token", clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
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
    const { fetcher } = fakeFetch((url) => (url.pathname === "/token" ? json({ access_token: "t" }) : json(answer)));
    const client = createGraphClient({ tokenEndpoint: async () => "https://idp.test/token", clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
    await assert.rejects(client.listAuthenticationMethods(oid), GraphUnavailableError, JSON.stringify(answer).slice(0, 120));
  }
  // Without the permission Graph answers 403: the portal does not know, and is told so the same way.
  const { fetcher: refused } = fakeFetch((url) => (url.pathname === "/token" ? json({ access_token: "t" }) : json({ error: { code: "Authorization_RequestDenied" } }, 403)));
  const client = createGraphClient({ tokenEndpoint: async () => "https://idp.test/token", clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: refused });
  await assert.rejects(client.listAuthenticationMethods(oid), GraphUnavailableError);
});

test("authentication methods: only an object id becomes part of the path; anything else is refused before any request", async () => {
  const { fetcher, calls } = fakeFetch(() => json({ value: [] }));
  const client = createGraphClient({ tokenEndpoint: async () => "https://idp.test/token", clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
  for (const id of ["..", "megan@woodgrove.test", "a7e59c2e-59a4-4040-9c4c-9c897ce9dfb9/../../auditLogs/signIns", ""]) {
    await assert.rejects(client.listAuthenticationMethods(id), GraphUnavailableError, id);
  }
  assert.deepEqual(calls, []);
});

test("odataString doubles single quotes, so a value cannot end the literal", () => {
  assert.equal(odataString("a7e5"), "'a7e5'");
  assert.equal(odataString("x' or userId ne 'y"), "'x'' or userId ne ''y'");
});
