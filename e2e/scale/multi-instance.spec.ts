import { readFileSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { Request, Response } from "@playwright/test";
import type { PrismaClient } from "../../lib/generated/prisma/client";
import { createCustomer, invariantViolations, totalMoney, type Customer } from "../../test/transfers/support";
import { test, expect, type Persona } from "../fixtures";
import type { EmulatorControl } from "../support/emulator-control";
import { IdentityProviderPage } from "../pages/identity-provider.page";
import { claimsOfChallenge, type ApiErrorBody } from "../support/api-client";
import { SCALE_LIMITS } from "./limits";
import { CHECKING, SAVINGS, accountOf } from "../support/ground-truth";

/**
 * Two portal instances behind nginx, one PostgreSQL database (playwright.scale.config.ts): what
 * one instance starts, the other finishes; money moved through both keeps every invariant; an
 * instance killed mid-load loses nothing it acknowledged; a proof spent on one is spent for all.
 * Every instance answers with `x-portal-instance`; `x-lb-pin` sends a request to a chosen one
 * (the test's load balancer only, scripts/scale/load-balancer.ts).
 *
 * - A user's request limit is one count across instances (lib/rate-limit keeps it in the
 *   database): requests alternating between a and b are refused after the limit, not twice it.
 */

type Instance = "a" | "b";

/**
 * An API client's user: a directory user whose portal accounts hold exactly `checking` (and an
 * empty savings account), opened through the ledger so every invariant holds from the start.
 */
async function apiCustomer(control: EmulatorControl, database: PrismaClient, checking: bigint): Promise<{ user: Persona; customer: Customer }> {
  const user = await control.createUser({ displayName: "API customer", methods: ["totp"] });
  const customer = await createCustomer(database, { checking });
  await database.user.update({ where: { id: customer.user.id }, data: { objectId: user.oid, name: user.displayName, userPrincipalName: user.userPrincipalName } });
  return { user, customer };
}

/** One JSON API call through the load balancer (Node's fetch: many at once, no browser). */
async function postTransfer(
  origin: string,
  token: string,
  body: Record<string, string>,
  options: { idempotencyKey: string; pin?: Instance },
): Promise<{ status: number; instance: string | null; headers: Record<string, string>; json: unknown }> {
  const response = await fetch(`${origin}/api/v1/transfers`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "idempotency-key": options.idempotencyKey,
      ...(options.pin ? { "x-lb-pin": options.pin } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // nginx's own error pages (502) are HTML.
  }
  return { status: response.status, instance: response.headers.get("x-portal-instance"), headers: Object.fromEntries(response.headers), json };
}

/** Runs `jobs` with at most `concurrency` in flight. */
async function pool<T>(count: number, concurrency: number, job: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await job(index);
      }
    }),
  );
  return results;
}

test.describe("several instances behind a load balancer", () => {
  test("a transfer's step-up asked for by one instance is approved and executed by the other", async ({
    page,
    persona,
    signIn,
    transfer,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    await transfer.goto();
    const savings = await accountOf(database, user, SAVINGS);

    // Server actions before the approval go to a, the retry after it to b.
    let pin: Instance = "a";
    const actions: { pinned: Instance; answeredBy: string | null }[] = [];
    await page.route("**/*", async (route) => {
      const request = route.request();
      if (request.method() !== "POST" || !request.headers()["next-action"]) return route.continue();
      return route.continue({ headers: { ...request.headers(), "x-lb-pin": pin } });
    });
    page.on("response", (response: Response) => {
      const request: Request = response.request();
      if (request.method() === "POST" && request.headers()["next-action"]) {
        actions.push({ pinned: request.headers()["x-lb-pin"] as Instance, answeredBy: response.headers()["x-portal-instance"] ?? null });
      }
    });

    await transfer.submitTransfer({ from: SAVINGS, to: CHECKING, amount: "1,000.00", memo: "Across instances" });
    await stepUpDialog.expectOpen("You are approving exactly this");
    pin = "b";
    const popup = await stepUpDialog.verify();
    await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));
    await transfer.expectReceipt({ amount: "$1,000.00", newBalance: new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(Number(savings.balanceMinor - 100_000n) / 100) });

    // The challenge came from a, the approved retry ran on b.
    expect(actions.at(-2)).toEqual({ pinned: "a", answeredBy: "a" });
    expect(actions.at(-1)).toEqual({ pinned: "b", answeredBy: "b" });
    const sent = await database.transfer.findMany({ where: { owner: { objectId: user.oid }, memo: "Across instances" }, select: { amountMinor: true, status: true } });
    expect(sent).toEqual([{ amountMinor: 100_000n, status: "completed" }]);
  });

  test("transfers from one account spread over both instances never overdraw it and keep the ledger", async ({ control, apiToken, database, settings }) => {
    // 60 attempts, 16 at a time (within the two instances' 2 × 10 database connections, so that
    // none waits for a connection past the transaction's maxWait); the account affords 40.
    const attempts = 60;
    const affordable = 40n;
    const amount = 25_00n;
    const { user, customer } = await apiCustomer(control, database, affordable * amount);
    const token = await apiToken(user);
    const before = await totalMoney(database);
    const body = { fromAccountId: customer.checkingId, toAccountId: customer.savingsId, currency: "USD", amountMinor: String(amount), memo: "Spread" };

    const answers = await pool(attempts, 16, () => postTransfer(settings.portalOrigin, token, body, { idempotencyKey: randomUUID() }));

    const created = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    expect(created).toHaveLength(Number(affordable));
    expect(refused.every((a) => a.status === 422), JSON.stringify(refused.find((a) => a.status !== 422))).toBe(true);
    expect(new Set(answers.map((a) => a.instance))).toEqual(new Set(["a", "b"]));
    const balances = await database.bankAccount.findMany({ where: { id: { in: [customer.checkingId, customer.savingsId] } }, select: { id: true, balanceMinor: true } });
    expect(balances.find((b) => b.id === customer.checkingId)?.balanceMinor).toBe(0n);
    expect(balances.find((b) => b.id === customer.savingsId)?.balanceMinor).toBe(affordable * amount);
    expect(await database.transfer.count({ where: { ownerId: customer.user.id, memo: "Spread" } })).toBe(Number(affordable));
    expect(await totalMoney(database)).toBe(before);
    expect(await invariantViolations(database, { accounts: [customer.checkingId, customer.savingsId] })).toEqual([]);
  });

  test("an instance killed mid-load loses nothing it acknowledged, and every retried transfer exists once", async ({ control, apiToken, database, settings }) => {
    const count = 120;
    const amount = 100n;
    const opening = 1_000_000n;
    const { user, customer } = await apiCustomer(control, database, opening);
    const token = await apiToken(user);
    const before = await totalMoney(database);
    const body = { fromAccountId: customer.checkingId, toAccountId: customer.savingsId, currency: "USD", amountMinor: String(amount), memo: "Kill" };
    const pidFile = path.join(settings.runDir, "instance-b.pid");
    const pidBefore = Number(readFileSync(pidFile, "utf8"));

    let acknowledged = 0;
    let killed = false;
    const interrupted: number[] = [];
    // Each transfer has one idempotency key; a client retries the same key until the portal
    // acknowledges it (201, or 200 for a replay of one that had committed before the answer was lost).
    const receipts = await pool(count, 8, async (index) => {
      const key = randomUUID();
      for (let attempt = 1; attempt <= 20; attempt += 1) {
        let answer: Awaited<ReturnType<typeof postTransfer>>;
        try {
          answer = await postTransfer(settings.portalOrigin, token, body, { idempotencyKey: key });
        } catch {
          interrupted.push(index);
          continue;
        }
        if (answer.status === 201 || answer.status === 200) {
          acknowledged += 1;
          if (acknowledged === 20 && !killed) {
            killed = true;
            // `next start` itself (scripts/scale/instance.ts), no clean shutdown.
            process.kill(pidBefore, "SIGKILL");
          }
          return { key, id: (answer.json as { data: { id: string } }).data.id, instance: answer.instance };
        }
        // The load balancer's 502/504 while the instance dies: not an answer from the portal.
        expect([502, 503, 504], JSON.stringify(answer.json)).toContain(answer.status);
        interrupted.push(index);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`transfer ${index} was never acknowledged`);
    });

    expect(killed).toBe(true);
    const ids = receipts.map((r) => r.id);
    expect(new Set(ids).size).toBe(count);
    const stored = await database.transfer.findMany({ where: { ownerId: customer.user.id, memo: "Kill" }, select: { id: true } });
    expect(stored.map((t) => t.id).sort()).toEqual([...ids].sort());
    const checking = await database.bankAccount.findUniqueOrThrow({ where: { id: customer.checkingId }, select: { balanceMinor: true } });
    expect(checking.balanceMinor).toBe(opening - BigInt(count) * amount);
    expect(await totalMoney(database)).toBe(before);
    expect(await invariantViolations(database, { accounts: [customer.checkingId, customer.savingsId] })).toEqual([]);
    console.log(`killed instance b after 20 acknowledgements; ${interrupted.length} request(s) interrupted and retried with the same key`);

    // The supervisor brings b back (as a process manager would), for whatever runs next.
    await expect.poll(async () => {
      const answer = await fetch(`${settings.portalOrigin}/api/auth/providers`, { headers: { "x-lb-pin": "b" } }).catch(() => null);
      return answer?.status;
    }, { timeout: 120_000, message: "instance b restarts" }).toBe(200);
    expect(Number(readFileSync(pidFile, "utf8"))).not.toBe(pidBefore);
  });

  test("a proof spent on one instance is refused on the other (uti replay)", async ({ control, api, apiToken, database, settings }) => {
    const { user, customer } = await apiCustomer(control, database, 1_000_000n);
    const token = await apiToken(user);
    // From the threshold a transfer is transaction-bound (c1): two pending approvals, one per instance.
    const body = { fromAccountId: customer.checkingId, toAccountId: customer.savingsId, currency: "USD", amountMinor: "100000", memo: "Replay" };
    const first = { idempotencyKey: randomUUID(), pin: "a" as const };
    const second = { idempotencyKey: randomUUID(), pin: "b" as const };
    const askedA = await postTransfer(settings.portalOrigin, token, body, first);
    const askedB = await postTransfer(settings.portalOrigin, token, body, second);
    expect([askedA.status, askedA.instance, askedB.status, askedB.instance]).toEqual([401, "a", 401, "b"]);
    // One proof, minted after both approvals were stored (in a later second than the second one).
    await api.untilApprovable(askedB.json as ApiErrorBody);
    const proof = await apiToken(user, { claims: claimsOfChallenge(askedA.headers).claims });

    const approvedOnA = await postTransfer(settings.portalOrigin, proof, body, first);
    expect([approvedOnA.status, approvedOnA.instance]).toEqual([201, "a"]);
    const replayedOnB = await postTransfer(settings.portalOrigin, proof, body, second);
    expect([replayedOnB.status, replayedOnB.instance]).toEqual([401, "b"]);
    expect((replayedOnB.json as ApiErrorBody).error.reason).toBe("replayed");
    expect(await database.transfer.count({ where: { ownerId: customer.user.id, memo: "Replay" } })).toBe(1);
  });

  test("a user's request limit is one count on both instances: alternating between them does not double it", async ({ control, apiToken, database, settings }) => {
    const { user } = await apiCustomer(control, database, 0n);
    const token = await apiToken(user);
    const get = (pin: Instance) =>
      fetch(`${settings.portalOrigin}/api/v1/accounts`, { headers: { authorization: `Bearer ${token}`, "x-lb-pin": pin } }).then(async (response) => {
        await response.arrayBuffer();
        return { status: response.status, instance: response.headers.get("x-portal-instance") };
      });
    // Strictly alternating, one at a time: with a counter per instance each would allow the limit.
    const answers: { status: number; instance: string | null }[] = [];
    for (let i = 0; i < SCALE_LIMITS.requestsPerUser + 10; i += 1) answers.push(await get(i % 2 === 0 ? "a" : "b"));
    const served = answers.filter((answer) => answer.status === 200);
    expect(new Set(served.map((answer) => answer.instance))).toEqual(new Set(["a", "b"]));
    expect(served).toHaveLength(SCALE_LIMITS.requestsPerUser);
    expect(answers.slice(SCALE_LIMITS.requestsPerUser).every((answer) => answer.status === 429)).toBe(true);
  });
});
