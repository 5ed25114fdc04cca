import { readFileSync } from "node:fs";
import { test, expect } from "../fixtures";

/**
 * Runs after every attack (its own project in playwright.security.config.ts): everything the
 * portal printed during the suite must be free of secrets (ASVS 5.0 V16.2.5; STYLE.md §6): no
 * token, no session cookie value, no full account number of any seeded person, no authorization
 * code, and every CSP violation report it logged is the probe this test sends itself.
 */
test.describe("the portal's output @security", () => {
  test("holds no token, cookie, code or full account number, and no CSP violation but the probe", async ({ request, settings, database }) => {
    // A violation report with a marker, posted like a browser would: it proves the log captures the
    // portal's structured lines, and that a report's query string (which can hold a code) is cut.
    const probe = await request.post("/api/csp-report", {
      headers: { "content-type": "application/csp-report" },
      data: JSON.stringify({ "csp-report": { "document-uri": `${settings.portalOrigin}/dashboard?code=probe-secret-code`, "blocked-uri": "https://probe.invalid/x.js?token=probe-secret", "effective-directive": "script-src-elem" } }),
    });
    expect(probe.status()).toBe(204);

    const file = process.env.E2E_PORTAL_LOG_FILE;
    expect(file, "the security config names the portal's log file").toBeTruthy();
    await expect.poll(() => readFileSync(file!, "utf8").includes("https://probe.invalid/x.js")).toBe(true);
    const log = readFileSync(file!, "utf8");
    const lines = log.split("\n");

    expect(log).not.toContain("probe-secret");
    // JWTs (tokens of every kind the suite sent), Bearer credentials, cookie values.
    expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.?/);
    expect(log).not.toMatch(/Bearer\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]{8,}/);
    expect(log).not.toMatch(/authjs\.[a-z-]+=(?!\[redacted\])[^;\s]/);
    expect(log).not.toMatch(/[?&]code=(?!\[redacted\])[^&\s"]+/);
    // Every full number the database holds: the seeded people's accounts and payees.
    const secrets = [
      ...(await database.bankAccount.findMany({ select: { fullNumber: true } })).map((a) => a.fullNumber),
      ...(await database.payee.findMany({ select: { accountNumber: true } })).map((p) => p.accountNumber),
      ...(await database.session.findMany({ select: { sessionToken: true } })).map((s) => s.sessionToken),
    ];
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(log.includes(secret), "a secret value appears in the portal's output").toBe(false);

    const violations = lines.filter((line) => line.includes('"csp.violation"'));
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.filter((line) => !line.includes("https://probe.invalid/x.js"))).toEqual([]);
  });
});
