/**
 * lib/identity/authentication-methods.ts: a person's methods read through Graph and summarised for
 * the transfer form. Whenever Graph cannot tell (refused, unreachable, a permission not granted,
 * an answer the client will not trust), the answer is "not known" (null), never an error.
 */
import "../support/portal-env";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ISSUER, isTokenRequest, metadataAnswer, tokenAnswer } from "../support/fake-entra";
import type { GraphClient } from "../../lib/identity/graph";

const { readMethodsSummary } = await import("../../lib/identity/authentication-methods");
const { createGraphClient, GraphUnavailableError } = await import("../../lib/identity/graph");

const OID = "a7e59c2e-59a4-4040-9c4c-9c897ce9dfb9";
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** A Graph client over a fake network answering every Graph request with `graph`; like fetch, it gives up when the request's signal aborts. */
function clientAnswering(graph: () => Response | Promise<Response>): GraphClient {
  const fetcher = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const identityProvider = metadataAnswer(url) ?? (isTokenRequest(url) ? tokenAnswer() : null);
    if (identityProvider) return identityProvider;
    const signal = init?.signal;
    const aborted = new Promise<never>((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
    return Promise.race([graph(), aborted]);
  }) as typeof fetch;
  return createGraphClient({ issuer: ISSUER, clientId: "web", clientSecret: "s", graphUrl: "https://graph.test", fetch: fetcher, timeoutMs: 200 });
}

test("Graph's list becomes the summary the form needs", async () => {
  const summary = await readMethodsSummary(
    OID,
    clientAnswering(() =>
      json({
        value: [
          { "@odata.type": "#microsoft.graph.passwordAuthenticationMethod", id: "28c10230-6103-485e-b985-444c60001490" },
          { "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod", id: "b2f0c6de-8a1b-4c3d-9e7f-0a1b2c3d4e5f" },
        ],
      }),
    ),
  );
  assert.deepEqual(summary, { lacks: ["phishingResistantMfa"], confirmWith: "your authenticator app" });
});

test("the methods cannot be read: not known (null), whatever the reason", async () => {
  const failures: Array<[string, () => Response | Promise<Response>]> = [
    ["the permission is not granted (403)", () => json({ error: { code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." } }, 403)],
    ["Graph is down (503)", () => json({ error: { code: "ServiceUnavailable" } }, 503)],
    ["the network fails", () => Promise.reject(new TypeError("fetch failed"))],
    // It would answer after a second; the client gives up at its timeout (200 ms here).
    ["Graph is slower than the client's timeout", () => new Promise<Response>((resolve) => setTimeout(() => resolve(json({ value: [] })), 1_000))],
    ["an answer that is no list", () => json({ nothing: true })],
  ];
  for (const [reason, graph] of failures) assert.equal(await readMethodsSummary(OID, clientAnswering(graph)), null, reason);
});

test("only Graph's own failure means 'not known': any other error is a bug and is thrown", async () => {
  const broken: GraphClient = {
    listSignIns: async () => [],
    listDirectoryAudits: async () => [],
    listConditionalAccessPolicies: async () => [],
    listAuthenticationContexts: async () => [],
    listAuthenticationMethods: async () => {
      throw new RangeError("a bug");
    },
  };
  await assert.rejects(readMethodsSummary(OID, broken), RangeError);
  const unavailable: GraphClient = { ...broken, listAuthenticationMethods: async () => Promise.reject(new GraphUnavailableError("refused")) };
  assert.equal(await readMethodsSummary(OID, unavailable), null);
});
