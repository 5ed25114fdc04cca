import { request as playwrightRequest } from "@playwright/test";
import { test, expect } from "../fixtures";
import { SAVINGS, CHECKING, accountOf, callAction, cookieHeader, discoverActions, expectUnchanged, transferRequest } from "./support";

/**
 * Cross-site request forgery and header smuggling against server actions (ASVS 5.0 V3.5.1-3,
 * V4.1.x). The portal's own pages are the only origin allowed to change anything: proxy.ts refuses
 * a state-changing request unless its Origin is the portal's, or, with no Origin, the browser says
 * `Sec-Fetch-Site: same-origin`. Headers that once bypassed Next.js's middleware
 * (`x-middleware-subrequest`, CVE-2025-29927) or select an RSC answer (`RSC: 1`) change nothing.
 */
test.describe("forged requests @security", () => {
  test("a transfer posted cross-site, from a sibling origin, with a null or no Origin is refused, smuggling headers or not; the same call from the portal runs", async ({
    page,
    persona,
    signIn,
    transfer,
    settings,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const actions = await discoverActions(page, transfer);
    const from = await accountOf(database, user, SAVINGS);
    const to = await accountOf(database, user, CHECKING);
    const cookie = await cookieHeader(page, settings.portalOrigin);
    const attacker = await playwrightRequest.newContext({ baseURL: settings.portalOrigin });
    const sibling = settings.portalOrigin.replace("//localhost", "//evil.localhost");
    const smuggling = { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy", "x-middleware-prefetch": "1" };

    await expectUnchanged(database, [user], async () => {
      for (const [label, origin, headers] of [
        ["cross-site", "https://attacker.example", {}],
        ["sibling origin", sibling, {}],
        ["null origin", "null", {}],
        ["no origin, cross-site fetch", null, { "sec-fetch-site": "cross-site" }],
        ["no origin, same-site fetch", null, { "sec-fetch-site": "same-site" }],
        ["no origin, no fetch metadata", null, {}],
        ["cross-site with middleware bypass headers", "https://attacker.example", smuggling],
        ["no origin with middleware bypass headers", null, { ...smuggling, "sec-fetch-site": "none" }],
        ["cross-site as an RSC request", "https://attacker.example", { rsc: "1", "next-router-state-tree": "%5B%22%22%5D" }],
        // Headers that once kept requests away from proxy.ts (its matcher skipped prefetches).
        ["no origin, dressed as a router prefetch", null, { "next-router-prefetch": "1", purpose: "prefetch" }],
      ] as const) {
        const answer = await callAction(attacker, actions.transfer, [transferRequest(from, to, "5.00")], { origin, headers, cookie });
        expect(answer.status, label).toBe(403);
        expect(answer.resultStatus, label).toBeUndefined();
      }
    });

    // The identical call with the portal's origin runs: the refusals were the origin check.
    const sameOrigin = await callAction(attacker, actions.transfer, [transferRequest(from, to, "5.00")], { origin: settings.portalOrigin, cookie });
    expect(sameOrigin.resultStatus).toBe("success");
    // An action's answer carries account data: never stored by a browser or a proxy.
    expect(sameOrigin.headers["cache-control"]).toMatch(/no-store/);
    expect((await accountOf(database, user, SAVINGS)).balanceMinor).toBe(from.balanceMinor - 500n);
    await attacker.dispose();
  });

  test("GET and HEAD change nothing: not an action sent by GET, not Auth.js's sign-out page, not a smuggled subrequest", async ({ page, persona, signIn, settings, database }) => {
    const user = await persona("totp");
    await signIn(user);
    const cookie = await cookieHeader(page, settings.portalOrigin);
    const attacker = await playwrightRequest.newContext({ baseURL: settings.portalOrigin });
    await expectUnchanged(database, [user], async () => {
      for (const method of ["GET", "HEAD"] as const) {
        for (const path of ["/api/auth/signout", "/dashboard", "/transfer", "/api/auth/signin/microsoft-entra-id"]) {
          const response = await attacker.fetch(path, { method, headers: { cookie, "next-action": "0".repeat(40), "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" }, maxRedirects: 0 });
          expect(response.status(), `${method} ${path}`).toBeLessThan(500);
        }
      }
    });
    // Still signed in: none of those requests ended the session.
    await page.goto("/dashboard");
    await expect(page.getByRole("heading", { level: 1, name: /overview/i })).toBeVisible();
    await attacker.dispose();
  });

  test("without a session, smuggled middleware and RSC headers get no page data, only the way to sign in", async ({ settings, persona, database }) => {
    const user = await persona("totp");
    const full = (await accountOf(database, user, CHECKING)).fullNumber;
    const outsider = await playwrightRequest.newContext({ baseURL: settings.portalOrigin });
    for (const path of ["/dashboard", "/transfer", "/finance"]) {
      const variants: Record<string, string>[] = [{ "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" }, { rsc: "1" }, { rsc: "1", "next-router-prefetch": "1" }];
      for (const headers of variants) {
        const response = await outsider.get(path, { headers, maxRedirects: 0 });
        expect(response.status(), `${path} ${JSON.stringify(headers)}`).toBeLessThan(500);
        const body = await response.text();
        expect(body).not.toContain(full);
        expect(body).not.toMatch(/Everyday Checking|High-Yield Savings/);
      }
    }
    await outsider.dispose();
  });
});
