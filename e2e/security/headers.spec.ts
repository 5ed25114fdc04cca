import { test, expect } from "../fixtures";
import { CHECKING, accountOf } from "./support";

/**
 * Response headers (ASVS 5.0 V3.4.3-V3.4.8, V14.3.2) and a browser session across every page with
 * no Content-Security-Policy violation: each page is visited in Chromium, which reports any
 * violation to the page (`securitypolicyviolation`) and to the portal's report endpoint, whose
 * log lines the log scan checks (log-scan.spec.ts).
 */
test.describe("security headers @security", () => {
  test("pages carry the nonce CSP, COOP, no-store and the rest; the redirect bridge has no COOP; RSC and action answers are not stored", async ({ page, persona, signIn }) => {
    const user = await persona("totp");
    await signIn(user);
    const dashboard = await page.request.get("/dashboard");
    const headers = dashboard.headers();
    const csp = headers["content-security-policy"] ?? "";
    for (const directive of [/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/, /object-src 'none'/, /base-uri 'none'/, /form-action 'self'/, /frame-ancestors 'none'/, /report-uri \/api\/csp-report/, /report-to csp/]) {
      expect(csp).toMatch(directive);
    }
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(headers["reporting-endpoints"]).toBe('csp="/api/csp-report"');
    expect(headers["cross-origin-opener-policy"]).toBe("same-origin-allow-popups");
    expect(headers["cache-control"]).toMatch(/no-store/);
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["permissions-policy"]).toMatch(/camera=\(\)/);
    expect(headers["referrer-policy"]).toBe("same-origin");
    expect(headers["x-powered-by"]).toBeUndefined();
    // Served over http here: no HSTS (it is sent only when AUTH_URL is https; proxy.ts).
    expect(headers["strict-transport-security"]).toBeUndefined();

    const bridge = (await page.request.get("/auth/redirect-bridge")).headers();
    expect(bridge["cross-origin-opener-policy"]).toBeUndefined();
    expect(bridge["content-security-policy"]).toMatch(/strict-dynamic/);
    expect(bridge["cache-control"]).toMatch(/no-store/);

    const variants: Record<string, string>[] = [{ rsc: "1" }, { rsc: "1", "next-router-prefetch": "1" }];
    for (const extra of variants) {
      const rsc = await page.request.get("/dashboard", { headers: extra });
      expect(rsc.headers()["cache-control"], JSON.stringify(extra)).toMatch(/no-store/);
    }
  });

  test("a browser session across every page shows no CSP violation", async ({ page, persona, signIn, database }) => {
    const user = await persona("totp");
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
      document.addEventListener("securitypolicyviolation", (event) => seen.push(`${event.effectiveDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`));
    });
    const violations: string[] = [];
    const collect = async (label: string) => {
      const found = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
      violations.push(...found.map((v) => `${label}: ${v}`));
    };
    await page.goto("/");
    await collect("home");
    await signIn(user);
    await collect("dashboard");
    const checking = await accountOf(database, user, CHECKING);
    for (const path of ["/transfer", "/finance", `/finance/accounts/${checking.id}`, `/finance/accounts/${checking.id}?q=rent&page=1`, "/auth/error?error=RateLimited", "/auth/redirect-bridge"]) {
      await page.goto(path);
      await expect(page.locator("main")).toBeVisible();
      await collect(path);
    }
    // A page that opens the step-up dialog (MSAL loads on demand).
    await page.goto("/dashboard");
    await page.getByRole("button", { name: `Show full number for ${CHECKING}` }).click();
    await expect(page.getByRole("dialog")).toBeVisible();
    await collect("step-up dialog");
    await page.getByRole("dialog").getByRole("button", { name: /cancel|close/i }).first().click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signed-out/);
    await collect("signed out");
    expect(violations).toEqual([]);
  });
});
