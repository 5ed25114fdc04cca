import { migrateTestDatabase } from "../support/portal-env";
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";

// proxy.ts resolves session cookies against the database: load it after the test configuration.
const { config, proxy } = await import("@/proxy");
const { prisma } = await import("@/lib/db");
const { rotateSession } = await import("@/lib/auth/session-token");

before(migrateTestDatabase);

/**
 * proxy.ts outside a server: the headers and refusals that do not need a running portal, and the
 * two the end-to-end suites cannot see because they run over plain http (HSTS, the cookie prefix).
 */
const withPortalUrl = async (url: string, run: () => Promise<void>) => {
  const previous = process.env.AUTH_URL;
  process.env.AUTH_URL = url;
  try {
    await run();
  } finally {
    process.env.AUTH_URL = previous;
  }
};

test("over https every answer carries HSTS for two years with subdomains; over http none", async () => {
  await withPortalUrl("https://portal.example", async () => {
    for (const request of [new NextRequest("https://portal.example/dashboard"), new NextRequest("https://portal.example/api/v1/accounts")]) {
      assert.equal((await proxy(request)).headers.get("strict-transport-security"), "max-age=63072000; includeSubDomains");
    }
    const refused = await proxy(new NextRequest("https://portal.example/dashboard", { method: "POST", headers: { origin: "https://attacker.example" } }));
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get("strict-transport-security"), "max-age=63072000; includeSubDomains");
  });
  await withPortalUrl("http://localhost:3000", async () => {
    assert.equal((await proxy(new NextRequest("http://localhost:3000/dashboard"))).headers.get("strict-transport-security"), null);
  });
});

test("a POST dressed as a router prefetch is checked like any other (the matcher has no exemptions)", async () => {
  assert.deepEqual(config.matcher, ["/((?!_next/static|_next/image|favicon.ico|icon.svg).*)"]);
  await withPortalUrl("http://localhost:3000", async () => {
    const forged = new NextRequest("http://localhost:3000/dashboard", { method: "POST", headers: { "next-router-prefetch": "1", purpose: "prefetch", "next-action": "x" } });
    assert.equal((await proxy(forged)).status, 403);
  });
});

test("a same-origin write declaring a body over 64 kB is answered 413 before Next.js reads it", async () => {
  await withPortalUrl("http://localhost:3000", async () => {
    const big = new NextRequest("http://localhost:3000/transfer", { method: "POST", headers: { origin: "http://localhost:3000", "content-length": String(64 * 1024 + 1) } });
    assert.equal((await proxy(big)).status, 413);
    const small = new NextRequest("http://localhost:3000/transfer", { method: "POST", headers: { origin: "http://localhost:3000", "content-length": "512" } });
    assert.notEqual((await proxy(small)).status, 413);
  });
});

test("the CSP: nonce with strict-dynamic, no base, no objects, reports; a fresh nonce per request", async () => {
  await withPortalUrl("http://localhost:3000", async () => {
    const first = (await proxy(new NextRequest("http://localhost:3000/dashboard"))).headers.get("content-security-policy") ?? "";
    const second = (await proxy(new NextRequest("http://localhost:3000/dashboard"))).headers.get("content-security-policy") ?? "";
    assert.match(first, /script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    for (const directive of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "report-uri /api/csp-report", "report-to csp"]) assert.ok(first.includes(directive), directive);
    assert.notEqual(/nonce-([^']+)/.exec(first)?.[1], /nonce-([^']+)/.exec(second)?.[1]);
  });
});

/** A signed-in session's cookie value, in the database proxy.ts reads. */
async function liveSession(): Promise<{ id: string; token: string }> {
  const objectId = randomUUID();
  const user = await prisma.user.create({ data: { tenantId: randomUUID(), objectId, name: "Proxy Test" } });
  const token = randomUUID();
  const session = await prisma.session.create({ data: { sessionToken: token, userId: user.id, expires: new Date(Date.now() + 30 * 60_000) } });
  return { id: session.id, token };
}

const COOKIE = "authjs.session-token";
/** A request for the dashboard: a page load (what a browser sends when it loads a page), or another request with `headers`. */
const pageRequest = (token: string, method = "GET", headers: Record<string, string> = { "sec-fetch-dest": "document" }) =>
  new NextRequest("http://localhost:3000/dashboard", { method, headers: { cookie: `${COOKIE}=${token}`, origin: "http://localhost:3000", ...headers } });
/** The session cookie value the response sets, if any. */
const setCookieOf = (response: Response) => new RegExp(`${COOKIE}=([^;]*)`).exec(response.headers.get("set-cookie") ?? "")?.[1];
/** The session cookie the request goes on with (Next passes overridden request headers this way). */
const forwardedCookieOf = (response: Response) => new RegExp(`${COOKIE}=([^;]*)`).exec(response.headers.get("x-middleware-request-cookie") ?? "")?.[1];

test("only a cookie that names a live session is renewed, and only on GET", async () => {
  await withPortalUrl("http://localhost:3000", async () => {
    const { token } = await liveSession();
    assert.equal(setCookieOf(await proxy(pageRequest(token))), token);
    assert.equal(setCookieOf(await proxy(pageRequest(token, "POST"))), undefined, "an action that rotates sets its own cookie");
    assert.equal(setCookieOf(await proxy(pageRequest(randomUUID()))), "", "a made-up value is not slid for another 30 minutes");
    const ended = await liveSession();
    await prisma.session.update({ where: { id: ended.id }, data: { expires: new Date(Date.now() - 1000) } });
    assert.equal(setCookieOf(await proxy(pageRequest(ended.token))), "", "nor is a dead session's");
  });
});

test("a cookie that names no live session is removed from the browser on a page load, and still reaches the page", async () => {
  await withPortalUrl("http://localhost:3000", async () => {
    const ended = await liveSession();
    await prisma.session.delete({ where: { id: ended.id } });
    const response = await proxy(pageRequest(ended.token));
    assert.equal(setCookieOf(response), "", "the browser drops the dead cookie");
    assert.match(response.headers.get("set-cookie") ?? "", /Max-Age=0/i);
    assert.doesNotMatch(response.headers.get("x-middleware-set-cookie") ?? "", new RegExp(COOKIE), "the page still reads it, to say the session ended");
    assert.equal(setCookieOf(await proxy(pageRequest(ended.token, "POST"))), undefined, "not on a write");
    const prefetch = pageRequest(ended.token, "GET", { "sec-fetch-dest": "empty", rsc: "1", "next-router-prefetch": "1" });
    assert.equal(setCookieOf(await proxy(prefetch)), undefined, "not on the router's background fetches, before the navigation that says why");
    const callback = new NextRequest("http://localhost:3000/api/auth/callback/microsoft-entra-id?code=x", { headers: { cookie: `${COOKIE}=${ended.token}`, "sec-fetch-dest": "document" } });
    assert.equal(setCookieOf(await proxy(callback)), undefined, "never on Auth.js's routes, which set the session cookie themselves");
  });
});

test("after a rotation the previous token is exchanged for the current one on any request, within the grace only", async () => {
  await withPortalUrl("http://localhost:3000", async () => {
    const session = await liveSession();
    const { token: current } = await rotateSession(session.id);
    for (const method of ["GET", "POST"]) {
      const response = await proxy(pageRequest(session.token, method));
      assert.equal(forwardedCookieOf(response), current, `${method}: the request goes on with the current token`);
      assert.equal(setCookieOf(response), current, `${method}: the browser gets the current token`);
    }
    await prisma.session.update({ where: { id: session.id }, data: { previousTokenExpiresAt: new Date(Date.now() - 1) } });
    const late = await proxy(pageRequest(session.token));
    assert.equal(setCookieOf(late), "", "after the grace the previous token is no session: the browser drops it");
    assert.equal(forwardedCookieOf(late), session.token, "the request goes on as it came: the page finds no session");
  });
});
