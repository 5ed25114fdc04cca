/**
 * lib/identity/sign-in-join.ts over the real Graph client (lib/identity/graph.ts) and a fake Graph:
 * the security activity page joins a step-up to the sign-in that satisfied it whether that sign-in
 * was interactive (a popup, listed by v1.0) or silent (a refresh token redeemed, listed only by
 * beta with the signInEventTypes filter), and says "unavailable" when either read fails.
 */
import "../support/portal-env";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ISSUER, isTokenRequest, metadataAnswer, tokenAnswer } from "../support/fake-entra";

const { createGraphClient } = await import("../../lib/identity/graph");
const { lookupSignIns } = await import("../../lib/identity/sign-in-join");

const GRAPH = "https://graph.test";
const USER = "a7e59c2e-59a4-4040-9c4c-9c897ce9dfb9";
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

function client(routes: Record<string, () => Response>) {
  const fetcher = (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    const identityProvider = metadataAnswer(url) ?? (isTokenRequest(url) ? tokenAnswer() : null);
    if (identityProvider) return identityProvider;
    return (routes[url.pathname] ?? (() => json({ error: { code: "BadRequest" } }, 400)))();
  }) as typeof fetch;
  return createGraphClient({ issuer: ISSUER, clientId: "web", clientSecret: "s", graphUrl: GRAPH, fetch: fetcher });
}

test("a silent c3 elevation (non-interactive, beta) and a popup step-up (interactive, v1.0) are both found", async () => {
  const now = Date.now();
  const graph = client({
    "/v1.0/auditLogs/signIns": () => json({ value: [{ id: "popup", createdDateTime: new Date(now - 60_000).toISOString(), correlationId: "corr-popup", uniqueTokenIdentifier: "uti-popup" }] }),
    "/beta/auditLogs/signIns": () =>
      json({ value: [{ id: "refresh", createdDateTime: new Date(now - 30_000).toISOString(), correlationId: "corr-silent", uniqueTokenIdentifier: "uti-silent", signInEventTypes: ["nonInteractiveUser"] }] }),
  });
  const lookup = await lookupSignIns(USER, [{ createdAt: new Date(now - 45_000) }], graph);
  assert.equal(lookup.status, "ok");
  if (lookup.status !== "ok") return;
  assert.equal(lookup.find({ correlationId: "other", details: { uti: "uti-silent" } })?.id, "refresh", "by the proof's token id");
  assert.equal(lookup.find({ correlationId: "corr-silent", details: {} })?.id, "refresh", "by the challenge's correlation id");
  assert.equal(lookup.find({ correlationId: "corr-popup", details: {} })?.id, "popup");
  assert.equal(lookup.find({ correlationId: "nobody", details: {} }), null);
});

test("the non-interactive read failing makes the lookup unavailable rather than silently incomplete", async () => {
  const graph = client({
    "/v1.0/auditLogs/signIns": () => json({ value: [] }),
    "/beta/auditLogs/signIns": () => json({ error: { code: "Authorization_RequestDenied" } }, 403),
  });
  // A window of its own, so the previous test's cached answer is not reused.
  const lookup = await lookupSignIns(USER, [{ createdAt: new Date(Date.now() - 3 * 3_600_000) }], graph);
  assert.equal(lookup.status, "unavailable");
  assert.match(lookup.status === "unavailable" ? lookup.reason : "", /\/beta\/auditLogs\/signIns/);
});
