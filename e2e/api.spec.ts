import { randomUUID } from "node:crypto";
import { test, expect } from "./fixtures";
import { claimsOfChallenge, type ApiErrorBody } from "./support/api-client";

/**
 * The JSON API for programmatic clients, with real tokens from the identity provider over the
 * real protocol (the `apiToken` fixture: /authorize for the SPA client in the browser, code
 * redeemed cross-origin) and plain HTTP calls without cookies (the `api` fixture). Step-up works
 * as Entra's resources do it: 401 with a claims challenge, a new token with those claims, retry.
 */

interface Account {
  id: string;
  name: string;
  balanceMinor: string;
  maskedNumber: string;
  fullNumber?: string;
}
interface Receipt {
  id: string;
  amountMinor: string;
  replayed: boolean;
}

test.describe("JSON API @api @step-up", () => {
  test("accounts, the full number after a c3 challenge, a transfer approved with c1 that runs once @database", async ({ persona, apiToken, api, settings }) => {
    const user = await persona("totp");
    const token = await apiToken(user);

    const accounts = await api.get<{ data: Account[] }>("/api/v1/accounts", token);
    expect(accounts.status).toBe(200);
    expect(accounts.headers["cache-control"]).toBe("no-store");
    const savings = accounts.body.data.find((a) => a.name === "High-Yield Savings")!;
    const checking = accounts.body.data.find((a) => a.name === "Everyday Checking")!;
    expect(savings.maskedNumber).toMatch(/^•••• \d{4}$/);
    expect(savings).not.toHaveProperty("fullNumber");

    // The full number: the sign-in's token lacks c3, so the API answers with Entra's claims challenge.
    const refused = await api.get<ApiErrorBody>(`/api/v1/accounts/${savings.id}`, token);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe("insufficient_claims");
    const c3 = claimsOfChallenge(refused.headers);
    expect(JSON.parse(c3.claims)).toEqual({ access_token: { acrs: { essential: true, value: "c3" } } });
    // Microsoft Learn's claims-challenge format requires authorization_uri: here the configured
    // identity provider's authorize endpoint for the tenant the realm names.
    expect(c3.authorizationUri).toBe(`${settings.emulatorOrigin}/${settings.tenantId}/oauth2/v2.0/authorize`);
    expect(refused.headers["www-authenticate"]).toContain(`realm="${settings.tenantId}"`);

    const c3Token = await apiToken(user, { claims: c3.claims });
    const detail = await api.get<{ data: Account }>(`/api/v1/accounts/${savings.id}`, c3Token);
    expect(detail.status).toBe(200);
    expect(detail.body.data.fullNumber).toMatch(/^\d{8,}$/);
    expect(detail.body.data.fullNumber!.slice(-4)).toBe(savings.maskedNumber.slice(-4));

    // A transfer from the threshold: 401 with the stored payload; the token has c3, not c1.
    const key = randomUUID();
    const request = { fromAccountId: savings.id, toAccountId: checking.id, currency: "USD", amountMinor: "150000", memo: "API e2e" };
    const pending = await api.post<ApiErrorBody>("/api/v1/transfers", request, { token: c3Token, idempotencyKey: key });
    expect(pending.status).toBe(401);
    expect(pending.body.error.pendingOperation?.payload).toMatchObject({ amountMinor: "150000", fromAccountId: savings.id, toAccountId: checking.id });
    const c1 = claimsOfChallenge(pending.headers);
    expect(c1.acrs).toEqual(["c1"]);

    await api.untilApprovable(pending.body);
    const c1Token = await apiToken(user, { claims: c1.claims });
    const created = await api.post<{ data: Receipt }>("/api/v1/transfers", request, { token: c1Token, idempotencyKey: key });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data.amountMinor).toBe("150000");

    // The same request again: the same transfer, nothing moved twice.
    const replay = await api.post<{ data: Receipt }>("/api/v1/transfers", request, { token: c1Token, idempotencyKey: key });
    expect(replay.status).toBe(200);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(replay.body.data.id).toBe(created.body.data.id);

    const after = await api.get<{ data: Account[] }>("/api/v1/accounts", token);
    const balance = (id: string) => BigInt(after.body.data.find((a) => a.id === id)!.balanceMinor);
    expect(balance(savings.id)).toBe(BigInt(savings.balanceMinor) - 150_000n);
    expect(balance(checking.id)).toBe(BigInt(checking.balanceMinor) + 150_000n);
    // Newest first, and there once (the persona's seeded history follows it).
    const transfers = await api.get<{ data: Receipt[] }>("/api/v1/transfers", token);
    expect(transfers.body.data[0]?.id).toBe(created.body.data.id);
    expect(transfers.body.data.filter((t) => t.id === created.body.data.id)).toHaveLength(1);
  });

  test("a transfer that cannot succeed is answered 422 before any 401 challenge @database", async ({ persona, apiToken, api }) => {
    const user = await persona("totp");
    const token = await apiToken(user);
    const accounts = await api.get<{ data: Account[] }>("/api/v1/accounts", token);
    const checking = accounts.body.data.find((a) => a.name === "Everyday Checking")!;
    const savings = accounts.body.data.find((a) => a.name === "High-Yield Savings")!;
    // More than the balance, from the step-up threshold: refused before the policy asks for c1. The
    // seeded balances vary; when even the smaller one is near the per-transfer limit (25,000.00),
    // that limit is what refuses it, which must come before any challenge just the same.
    const [source, destination] = BigInt(checking.balanceMinor) <= BigInt(savings.balanceMinor) ? [checking, savings] : [savings, checking];
    const amountMinor = BigInt(source.balanceMinor) + 100_000n;
    const request = { fromAccountId: source.id, toAccountId: destination.id, currency: "USD", amountMinor: amountMinor.toString(), memo: "API too much" };
    const refused = await api.post<ApiErrorBody>("/api/v1/transfers", request, { token, idempotencyKey: randomUUID() });
    expect(refused.status).toBe(422);
    expect(refused.headers["www-authenticate"]).toBeUndefined();
    if (amountMinor <= 2_500_000n) {
      expect(refused.body.error.code).toBe("operation_failed");
      expect(refused.body.error.message).toContain("There isn't enough money");
    } else {
      expect(refused.body.error.code).toBe("invalid_input");
      expect(JSON.stringify(refused.body.error)).toContain("The most you can send in one transfer");
    }
  });

  test("the browser's session cookie is not a credential: no Authorization, a plain Bearer challenge", async ({ page, persona, signIn }) => {
    const user = await persona("totp");
    await signIn(user);
    // page.request sends the browser context's cookies, the portal session among them.
    const cookies = await page.context().cookies();
    expect(cookies.some((cookie) => cookie.name.endsWith("authjs.session-token"))).toBe(true);

    const read = await page.request.get("/api/v1/accounts");
    expect(read.status()).toBe(401);
    expect(read.headers()["www-authenticate"]).toBe('Bearer realm=""');
    expect(read.headers()["set-cookie"]).toBeUndefined();

    // A POST without Origin (as programmatic clients send it) reaches the API and is refused by it, not by the CSRF check.
    const write = await page.request.post("/api/v1/transfers", {
      headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
      data: JSON.stringify({ fromAccountId: "x", toAccountId: "y", currency: "USD", amountMinor: "100" }),
    });
    expect(write.status()).toBe(401);
    expect(write.headers()["www-authenticate"]).toBe('Bearer realm=""');
    expect(((await write.json()) as ApiErrorBody).error.code).toBe("unauthorized");
  });
});
