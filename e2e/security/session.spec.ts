import { request as playwrightRequest } from "@playwright/test";
import { test, expect } from "../fixtures";
import { callAction, cookieHeader, discoverActions, expectUnchanged } from "./support";

/**
 * Session tokens (ASVS 5.0 V7.2, V7.4; NIST SP 800-63B-4 §7.1): tampered, truncated, foreign and
 * absurd cookies are simply no session (never a 5xx); every sign-in issues a new token; the old
 * token is dead on the very next request after sign-out; the cookie's flags hold.
 */
test.describe("session cookies @security", () => {
  test("tampered, truncated, foreign and absurd session cookies are no session: the sign-in page, never an error", async ({ page, persona, signIn, settings, database }) => {
    const user = await persona("totp");
    await signIn(user);
    const session = (await page.context().cookies(settings.portalOrigin)).find((c) => c.name.endsWith("authjs.session-token"));
    expect(session).toBeDefined();
    const name = session!.name;
    const value = session!.value;
    const outsider = await playwrightRequest.newContext({ baseURL: settings.portalOrigin });
    await expectUnchanged(database, [user], async () => {
      for (const [label, cookie] of [
        ["tampered", `${name}=${value.slice(0, -1)}${value.endsWith("A") ? "B" : "A"}`],
        ["truncated", `${name}=${value.slice(0, 10)}`],
        ["empty", `${name}=`],
        ["foreign (a JWT)", `${name}=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.`],
        ["SQL-ish", `${name}=' OR '1'='1`],
        ["oversized", `${name}=${"A".repeat(3_800)}`],
        ["percent-encoded garbage", `${name}=%00%ff%fe`],
        ["prefixed twin", `__Host-${name}=${value}x; __Secure-${name}=${value}x`],
      ] as const) {
        const response = await outsider.get("/dashboard", { headers: { cookie: cookie }, maxRedirects: 0 });
        expect(response.status(), label).toBeGreaterThanOrEqual(300);
        expect(response.status(), label).toBeLessThan(400);
        // The landing page; "your session ended" when the cookie names no session (the portal
        // cannot tell a forged value from a session that ended elsewhere, nor needs to).
        expect(response.headers().location, label).toMatch(/\/(\?ended=unknown)?$/);
      }
    });
    await outsider.dispose();
  });

  test("a planted session cookie is replaced by a new token at sign-in; the cookie is HttpOnly and SameSite=Lax; after sign-out the old token is refused on the next request", async ({
    page,
    persona,
    signIn,
    transfer,
    settings,
    database,
  }) => {
    const user = await persona("totp");
    // Session fixation: an attacker who could plant a cookie value before the victim signs in.
    const planted = "planted-by-an-attacker-0123456789abcdef";
    await page.context().addCookies([{ name: "authjs.session-token", value: planted, url: settings.portalOrigin }]);
    await signIn(user);
    const issued = (await page.context().cookies(settings.portalOrigin)).find((c) => c.name.endsWith("authjs.session-token"))!;
    expect(issued.value).not.toBe(planted);
    expect(issued.httpOnly).toBe(true);
    expect(issued.sameSite).toBe("Lax");
    expect(await database.session.count({ where: { sessionToken: planted } })).toBe(0);

    const actions = await discoverActions(page, transfer);
    const oldCookie = await cookieHeader(page, settings.portalOrigin);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signed-out/);
    const replay = await playwrightRequest.newContext({ baseURL: settings.portalOrigin });
    await expectUnchanged(database, [user], async () => {
      const pageAnswer = await replay.get("/dashboard", { headers: { cookie: oldCookie }, maxRedirects: 0 });
      expect(pageAnswer.status()).toBe(307);
      const actionAnswer = await callAction(replay, actions.reveal, [{ accountId: "x" }], { origin: settings.portalOrigin, cookie: oldCookie });
      expect(actionAnswer.resultStatus).toBeUndefined();
      expect(actionAnswer.status).toBeLessThan(500);
    });
    await replay.dispose();
  });
});

/**
 * Open redirects (ASVS 5.0 V3.7.2): whatever callback URL a link or a forged form names, Auth.js's
 * redirect callback keeps only a path on the portal (lib/security/redirect.ts).
 */
test.describe("open redirects @security", () => {
  test("callbackUrl naming another site, in every disguise, is stored and followed as the portal's own home", async ({ page, persona, identityProvider, settings }) => {
    const user = await persona("totp");
    for (const target of ["https://attacker.example/", "//attacker.example", "/\\attacker.example", `${settings.portalOrigin}.attacker.example/`, "javascript:alert(1)"]) {
      const csrf = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
      const response = await page.request.post("/api/auth/signin/microsoft-entra-id", {
        form: { csrfToken: csrf.csrfToken, callbackUrl: target },
        headers: { origin: settings.portalOrigin },
        maxRedirects: 0,
      });
      expect(response.status(), target).toBe(302);
      const stored = (await page.context().cookies(settings.portalOrigin)).find((c) => c.name.endsWith("authjs.callback-url"));
      expect(decodeURIComponent(stored?.value ?? ""), target).toBe(settings.portalOrigin);
    }
    // Follow the last one through the identity provider: the browser ends on the portal.
    const csrf = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const start = await page.request.post("/api/auth/signin/microsoft-entra-id", {
      form: { csrfToken: csrf.csrfToken, callbackUrl: "https://attacker.example/steal" },
      headers: { origin: settings.portalOrigin },
      maxRedirects: 0,
    });
    await page.goto(start.headers().location!);
    await identityProvider.signIn(user);
    await page.waitForURL((url) => url.origin === settings.portalOrigin);
    expect(new URL(page.url()).origin).toBe(settings.portalOrigin);
  });
});
