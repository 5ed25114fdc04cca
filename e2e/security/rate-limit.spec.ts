import { request as playwrightRequest } from "@playwright/test";
import { test, expect } from "../fixtures";
import { callAction, discoverActions, expectUnchanged } from "./support";

/**
 * Abuse limits (ASVS 5.0 V2.4.1, V6.3.1; PSD2 RTS Art. 4(3)(d) on limiting attempts): past a
 * limit the portal answers 429 (API, sign-in) or a `rate_limited` failure (actions) with nothing
 * changed. Per-address limits are driven from made-up addresses in X-Forwarded-For, so they never
 * spend the budget of 127.0.0.1 that the other tests share (lib/security/client-ip.ts explains why
 * the header is honoured: the portal runs here without a proxy in front). Limits are the defaults.
 */
const LIMITS = { requestsPerIp: 600, signInsPerIp: 120, requestsPerUser: 120 };

/**
 * Sends `send()` in concurrent batches until an answer is refused; returns how many were let
 * through first. Windows are fixed and aligned to the clock, so a run that crosses a window's end
 * starts counting again: the first refusal comes after at least `limit` and at most `2 × limit`
 * answers, whatever the timing. Past that, the limit does not hold.
 */
async function allowedBeforeRefusal<T>(limit: number, send: () => Promise<T>, refused: (answer: T) => boolean, batch = 25) {
  let allowed = 0;
  while (allowed <= 2 * limit) {
    const answers = await Promise.all(Array.from({ length: batch }, send));
    const firstRefused = answers.findIndex(refused);
    if (firstRefused >= 0) return { allowed: allowed + firstRefused, refusal: answers[firstRefused]!, answers };
    allowed += batch;
  }
  throw new Error(`no refusal after ${allowed} requests (limit ${limit})`);
}

test.describe("rate limits @security", () => {
  test("the API: one address past its request limit gets 429 with Retry-After; other addresses are unaffected", async ({ settings }) => {
    const client = await playwrightRequest.newContext({ baseURL: settings.portalOrigin });
    // Unauthenticated requests are counted before the token is even looked at.
    const send = () => client.get("/api/v1/accounts", { headers: { "x-forwarded-for": "198.51.100.1" } });
    const { allowed, refusal } = await allowedBeforeRefusal(LIMITS.requestsPerIp, send, (a) => a.status() !== 401, 50);
    expect(allowed).toBeGreaterThanOrEqual(LIMITS.requestsPerIp);
    expect(refusal.status()).toBe(429);
    expect(Number(refusal.headers()["retry-after"])).toBeGreaterThan(0);
    expect(((await refusal.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    expect((await client.get("/api/v1/accounts", { headers: { "x-forwarded-for": "198.51.100.2" } })).status()).toBe(401);
    await client.dispose();
  });

  test("sign-in callbacks: one address past its limit gets 429 before Auth.js runs", async ({ settings }) => {
    const client = await playwrightRequest.newContext({ baseURL: settings.portalOrigin });
    const forged = "/api/auth/callback/microsoft-entra-id?code=forged&state=forged";
    const send = () => client.get(forged, { headers: { "x-forwarded-for": "198.51.100.3" }, maxRedirects: 0 });
    const { allowed, refusal, answers } = await allowedBeforeRefusal(LIMITS.signInsPerIp, send, (a) => a.status() === 429, 20);
    expect(allowed).toBeGreaterThanOrEqual(LIMITS.signInsPerIp);
    expect(answers.every((a) => a.status() < 500)).toBe(true);
    expect(refusal.headers()["retry-after"]).toBeTruthy();
    await client.dispose();
  });

  test("server actions: one user past the per-user limit is refused as rate_limited, with nothing changed", async ({ page, persona, signIn, transfer, settings, database }) => {
    const user = await persona("totp");
    await signIn(user);
    const actions = await discoverActions(page, transfer);
    await expectUnchanged(database, [user], async () => {
      // An invalid input: cheap for the server, and it still counts against the limit.
      const send = () => callAction(page.request, actions.reveal, [{ accountId: "" }], { origin: settings.portalOrigin });
      const { allowed, refusal, answers } = await allowedBeforeRefusal(LIMITS.requestsPerUser, send, (a) => a.resultStatus !== "invalid");
      // The page visits above were not actions; the two actions discoverActions ran count too.
      expect(allowed + 2).toBeGreaterThanOrEqual(LIMITS.requestsPerUser);
      expect(refusal.status).toBe(200);
      expect(refusal.resultStatus).toBe("failed");
      expect(refusal.body).toContain("Too many requests");
      expect(answers.every((a) => a.status === 200)).toBe(true);
    });
  });
});
