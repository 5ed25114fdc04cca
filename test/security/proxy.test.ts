import { test } from "node:test";
import assert from "node:assert/strict";
import { NextRequest } from "next/server";
import { config, proxy } from "@/proxy";

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
