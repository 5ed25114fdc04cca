/**
 * lib/identity/activity-reads.ts over the real Graph client (lib/identity/graph.ts) and a fake Graph:
 * "Security activity" reads a person's sign-ins whether interactive (v1.0) or silent (beta with the
 * signInEventTypes filter) and the security info they registered (directory audits), each read
 * whole or "unavailable", never half.
 */
import "../support/portal-env";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ISSUER, isTokenRequest, metadataAnswer, tokenAnswer } from "../support/fake-entra";

const { createGraphClient } = await import("../../lib/identity/graph");
const { readIdentityActivity } = await import("../../lib/identity/activity-reads");

const GRAPH = "https://graph.test";
const USER = "a7e59c2e-59a4-4040-9c4c-9c897ce9dfb9";
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

function client(routes: Record<string, (url: URL) => Response>) {
  const fetcher = (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    const identityProvider = metadataAnswer(url) ?? (isTokenRequest(url) ? tokenAnswer() : null);
    if (identityProvider) return identityProvider;
    return (routes[url.pathname] ?? (() => json({ error: { code: "BadRequest" } }, 400)))(url);
  }) as typeof fetch;
  return createGraphClient({ issuer: ISSUER, clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
}

const registration = { id: "a1", activityDateTime: new Date().toISOString(), activityDisplayName: "User registered security info", category: "UserManagement", result: "success" };

test("interactive (v1.0) and silent (beta) sign-ins are merged, and registrations are read by initiator", async () => {
  const now = Date.now();
  let auditFilter = "";
  const graph = client({
    "/v1.0/auditLogs/signIns": () => json({ value: [{ id: "popup", createdDateTime: new Date(now - 60_000).toISOString(), correlationId: "corr-popup" }] }),
    "/beta/auditLogs/signIns": () => json({ value: [{ id: "refresh", createdDateTime: new Date(now - 30_000).toISOString(), correlationId: "corr-silent", signInEventTypes: ["nonInteractiveUser"] }] }),
    "/v1.0/auditLogs/directoryAudits": (url) => {
      auditFilter = url.searchParams.get("$filter") ?? "";
      return json({ value: [registration] });
    },
  });
  const activity = await readIdentityActivity(USER, new Date(now - 3_600_000), graph);
  assert.deepEqual(activity.signIns.status === "ok" ? activity.signIns.entries.map((s) => s.id) : activity.signIns, ["refresh", "popup"]);
  assert.deepEqual(activity.registrations.status === "ok" ? activity.registrations.entries.map((a) => a.id) : activity.registrations, ["a1"]);
  assert.match(auditFilter, new RegExp(`^initiatedBy/user/id eq '${USER}' and category eq 'UserManagement' and activityDateTime ge `));
});

test("one sign-in read failing makes the sign-ins unavailable rather than silently incomplete; registrations still read", async () => {
  const graph = client({
    "/v1.0/auditLogs/signIns": () => json({ value: [] }),
    "/beta/auditLogs/signIns": () => json({ error: { code: "Authorization_RequestDenied" } }, 403),
    "/v1.0/auditLogs/directoryAudits": () => json({ value: [registration] }),
  });
  const activity = await readIdentityActivity(USER, new Date(Date.now() - 3_600_000), graph);
  assert.equal(activity.signIns.status, "unavailable");
  assert.match(activity.signIns.status === "unavailable" ? activity.signIns.reason : "", /\/beta\/auditLogs\/signIns/);
  assert.equal(activity.registrations.status, "ok");
});

test("a directory audit list that pages off Graph's origin is unavailable, not cut short", async () => {
  const graph = client({
    "/v1.0/auditLogs/signIns": () => json({ value: [] }),
    "/beta/auditLogs/signIns": () => json({ value: [] }),
    "/v1.0/auditLogs/directoryAudits": () => json({ value: [registration], "@odata.nextLink": "https://elsewhere.test/v1.0/auditLogs/directoryAudits?$skiptoken=x" }),
  });
  const activity = await readIdentityActivity(USER, new Date(Date.now() - 3_600_000), graph);
  assert.equal(activity.signIns.status, "ok");
  assert.equal(activity.registrations.status, "unavailable");
});
