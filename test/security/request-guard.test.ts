/**
 * What proxy.ts refuses before Next.js sees it (lib/security/request-guard.ts): paths that do not
 * percent-decode, server-action calls that no page at their path hosts, and action bodies React
 * cannot decode. Each is answered 400 or 404 with the portal's headers and one log line.
 */
import "../support/portal-env";
import assert from "node:assert/strict";
import { test } from "node:test";
import { NextRequest } from "next/server";
import { actionTableOf, checkActionRequest, checkActionTarget, isDecodablePath, pagePathPattern } from "@/lib/security/request-guard";

// proxy.ts resolves session cookies against the database, so it loads after the test configuration.
const { proxy } = await import("@/proxy");

test("paths with a percent-escape that is not UTF-8 are not decodable; ordinary ones are", () => {
  for (const path of ["/%", "/%C0%AF", "/finance/accounts/%E0%A4%A", "/%FF", "/a%2"]) assert.equal(isDecodablePath(path), false, path);
  for (const path of ["/", "/finance/accounts/acc_1", "/caf%C3%A9", "/a%20b", "/%25"]) assert.equal(isDecodablePath(path), true, path);
});

test("an app entry's page path: route groups dropped, dynamic segments one segment, non-pages none", () => {
  const cases: [string, string[], string[]][] = [
    ["app/page", ["/"], ["/x", "/no-such-page"]],
    ["app/(portal)/transfer/page", ["/transfer", "/transfer/"], ["/", "/transfer/x", "/transfers"]],
    ["app/(portal)/finance/accounts/[accountId]/page", ["/finance/accounts/acc_1"], ["/finance/accounts", "/finance/accounts/a/b"]],
    ["app/docs/[...slug]/page", ["/docs/a", "/docs/a/b"], ["/docs"]],
    ["app/docs/[[...slug]]/page", ["/docs", "/docs/a/b"], ["/doc"]],
  ];
  for (const [entry, matches, misses] of cases) {
    const pattern = pagePathPattern(entry)!;
    for (const path of matches) assert.ok(pattern.test(path), `${entry} should match ${path}`);
    for (const path of misses) assert.ok(!pattern.test(path), `${entry} should not match ${path}`);
  }
  assert.equal(pagePathPattern("app/(portal)/finance/accounts/[accountId]/statements/[month]/route"), undefined);
});

const table = actionTableOf({
  node: {
    "00signin": { workers: { "app/page": {}, "app/(portal)/dashboard/page": {} } },
    "60transfer": { workers: { "app/(portal)/transfer/page": {} } },
  },
  encryptionKey: "never read",
});

test("an action call is refused unless the id is the build's and a page at that path uses it", () => {
  assert.equal(checkActionTarget(table, "00signin", "/"), undefined);
  assert.equal(checkActionTarget(table, "00signin", "/dashboard"), undefined);
  assert.equal(checkActionTarget(table, "60transfer", "/transfer"), undefined);
  assert.deepEqual(checkActionTarget(table, "00signin", "/no-such-page"), { status: 404, reason: "action_not_on_page" });
  assert.deepEqual(checkActionTarget(table, "60transfer", "/"), { status: 404, reason: "action_not_on_page" });
  assert.deepEqual(checkActionTarget(table, "deadbeef", "/"), { status: 404, reason: "unknown_action" });
  assert.deepEqual(checkActionTarget(actionTableOf(null), "00signin", "/"), { status: 404, reason: "unknown_action" });
});

const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) => new Request(`http://localhost:3000${path}`, { method: "POST", body, headers });
const LIMIT = 64 * 1024;
const check = (request: Request) => checkActionRequest(request, new URL(request.url).pathname, { table, maxBodyBytes: LIMIT });
const formOf = (fields: Record<string, string>) => {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return form;
};
const text = { "content-type": "text/plain;charset=UTF-8" };

test("an action call with a body React can decode passes; anything else is refused as undecodable", async () => {
  for (const request of [
    post("/", "[]", { ...text, "next-action": "00signin" }),
    post("/transfer", '[{"amount":"5.00"}]', { ...text, "next-action": "60transfer" }),
    post("/", formOf({ "0": '["$K1"]', "1_name": "value" }), { "next-action": "00signin" }),
  ]) {
    assert.equal(await check(request), undefined);
  }
  for (const request of [
    post("/", "{{{{", { ...text, "next-action": "00signin" }),
    post("/", "", { ...text, "next-action": "00signin" }),
    post("/", formOf({ x: "1" }), { "next-action": "00signin" }),
    post("/", formOf({ "0": "{{" }), { "next-action": "00signin" }),
    post("/", "--x\r\nnot form data", { "content-type": "multipart/form-data; boundary=y", "next-action": "00signin" }),
  ]) {
    assert.deepEqual(await check(request), { status: 400, reason: "undecodable_action_body" });
  }
  // Without the build's table (development) the id and path are not checked, the body still is.
  assert.equal(await checkActionRequest(post("/anywhere", "[]", { ...text, "next-action": "anything" }), "/anywhere", { table: undefined, maxBodyBytes: LIMIT }), undefined);
  assert.deepEqual(await checkActionRequest(post("/anywhere", "{", { ...text, "next-action": "anything" }), "/anywhere", { table: undefined, maxBodyBytes: LIMIT }), { status: 400, reason: "undecodable_action_body" });
});

/** A body sent in chunks without a Content-Length, as a client may. */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  let left = bytes;
  return new ReadableStream({
    pull(controller) {
      if (left <= 0) return controller.close();
      const size = Math.min(left, 16 * 1024);
      controller.enqueue(new TextEncoder().encode("[" + " ".repeat(size - 2) + "]"));
      left -= size;
    },
  });
}

const streamed = (body: ReadableStream<Uint8Array>, headers: Record<string, string>) =>
  new Request("http://localhost:3000/", { method: "POST", body, headers, duplex: "half" } as RequestInit);

test("a body over the action limit is refused 413 without being read further, chunked or not; one at the limit is read", async () => {
  assert.equal(await check(post("/", "[" + " ".repeat(LIMIT - 2) + "]", { ...text, "next-action": "00signin" })), undefined);
  assert.deepEqual(await check(post("/", "[" + " ".repeat(LIMIT - 1) + "]", { ...text, "next-action": "00signin" })), { status: 413, reason: "body_too_large" });
  assert.deepEqual(await check(streamed(chunked(LIMIT * 4), { ...text, "next-action": "00signin" })), { status: 413, reason: "body_too_large" });
  assert.deepEqual(await check(post("/", formOf({ $ACTION_ID_00signin: "", big: "x".repeat(LIMIT) }))), { status: 413, reason: "body_too_large" });
});

test("a form post without JavaScript must name actions the page uses", async () => {
  assert.equal(await check(post("/", formOf({ $ACTION_ID_00signin: "" }))), undefined);
  assert.equal(await check(post("/dashboard", formOf({ $ACTION_REF_1: "", "$ACTION_1:0": '{"id":"00signin","bound":null}' }))), undefined);
  assert.deepEqual(await check(post("/", formOf({ x: "1" }))), { status: 400, reason: "undecodable_action_body" });
  assert.deepEqual(await check(post("/", formOf({ $ACTION_REF_1: "" }))), { status: 400, reason: "undecodable_action_body" });
  assert.deepEqual(await check(post("/", formOf({ $ACTION_REF_1: "", "$ACTION_1:0": "{" }))), { status: 400, reason: "undecodable_action_body" });
  assert.deepEqual(await check(post("/", formOf({ $ACTION_ID_deadbeef: "" }))), { status: 404, reason: "unknown_action" });
  assert.deepEqual(await check(post("/transfer", formOf({ $ACTION_ID_00signin: "" }))), { status: 404, reason: "action_not_on_page" });
});

test("other requests are no action calls: GETs, form posts that are not multipart, anything under /api/", async () => {
  assert.equal(await check(new Request("http://localhost:3000/", { headers: { "next-action": "deadbeef" } })), undefined);
  assert.equal(await check(post("/", "a=1", { "content-type": "application/x-www-form-urlencoded" })), undefined);
  assert.equal(await check(post("/api/auth/callback/microsoft-entra-id", formOf({ x: "1" }))), undefined);
  assert.equal(await check(post("/api/v1/transfers", "{", { "content-type": "application/json", "next-action": "deadbeef" })), undefined);
});

/** Runs `run` with the proxy's log lines captured (lib/log.ts writes warnings through console.log). */
async function captureLog(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (line: unknown) => lines.push(String(line));
  try {
    await run();
  } finally {
    console.log = original;
  }
  return lines;
}

test("the proxy answers a malformed path 400, and an undecodable action body 400, each with a strict CSP and one log line", async () => {
  const previous = process.env.AUTH_URL;
  process.env.AUTH_URL = "http://localhost:3000";
  try {
    const answers: Response[] = [];
    const lines = await captureLog(async () => {
      answers.push(await proxy(new NextRequest("http://localhost:3000/finance/accounts/%E0%A4%A")));
      answers.push(
        await proxy(new NextRequest("http://localhost:3000/", { method: "POST", body: "{{{{", headers: { origin: "http://localhost:3000", "next-action": "00signin", "content-type": "text/plain" } })),
      );
    });
    for (const answer of answers) {
      assert.equal(answer.status, 400);
      assert.match(answer.headers.get("content-security-policy") ?? "", /default-src 'none'.*frame-ancestors 'none'/);
      assert.equal(answer.headers.get("cache-control"), "no-store");
    }
    assert.equal(lines.length, 2);
    const [url, body] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual({ ...url, time: undefined }, { time: undefined, level: "warn", component: "proxy", event: "request.refused", reason: "malformed_url", status: 400, method: "GET", path: "/finance/accounts/%E0%A4%A" });
    assert.equal(body!.reason, "undecodable_action_body");
    // A well-formed call is let through untouched (its page then renders with the nonce CSP).
    const fine = await proxy(new NextRequest("http://localhost:3000/", { method: "POST", body: "[]", headers: { origin: "http://localhost:3000", "next-action": "00signin", "content-type": "text/plain" } }));
    assert.equal(fine.headers.get("x-middleware-next"), "1");
  } finally {
    process.env.AUTH_URL = previous;
  }
});
