import { expect, type APIRequestContext, type Page } from "@playwright/test";
import type { PrismaClient } from "../../lib/generated/prisma/client";
import type { Persona } from "../fixtures";
import type { TransferPage } from "../pages/transfer.page";
import { CHECKING, SAVINGS, accountOf } from "../support/ground-truth";

/**
 * Tools of the hostile suite: a snapshot of everything an attack could change for a set of
 * people, and a raw server-action caller that speaks the wire protocol the browser speaks
 * (`Next-Action` header, arguments as a JSON array), so attacks can send what no form would.
 */

/** Everything a successful attack would change for `users`, in a comparable form. */
export async function snapshot(database: PrismaClient, users: Persona[]) {
  const owners = { owner: { objectId: { in: users.map((u) => u.oid) } } };
  const [accounts, transfers, entries, payees, elevations, sessions] = await Promise.all([
    database.bankAccount.findMany({ where: owners, select: { id: true, balanceMinor: true, dailyOutMinor: true }, orderBy: { id: "asc" } }),
    database.transfer.findMany({ where: owners, select: { id: true, status: true, amountMinor: true }, orderBy: { id: "asc" } }),
    database.ledgerEntry.count({ where: { account: owners } }),
    database.payee.findMany({ where: owners, select: { id: true, accountNumber: true, name: true }, orderBy: { id: "asc" } }),
    database.sessionElevation.count({ where: { session: { user: { objectId: { in: users.map((u) => u.oid) } } } } }),
    database.session.findMany({ where: { user: { objectId: { in: users.map((u) => u.oid) } } }, select: { id: true, acrs: true }, orderBy: { id: "asc" } }),
  ]);
  return JSON.stringify({ accounts, transfers, entries, payees, elevations, sessions }, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** Asserts that `attack` leaves the snapshot of `users` exactly as it was. */
export async function expectUnchanged<T>(database: PrismaClient, users: Persona[], attack: () => Promise<T>): Promise<T> {
  const before = await snapshot(database, users);
  const result = await attack();
  expect(await snapshot(database, users), "the attack changed the database").toBe(before);
  return result;
}

/** A server action as the browser calls it: the page that hosts it and the action's id. */
export interface ActionEndpoint {
  path: string;
  actionId: string;
}

/**
 * Reads a server action's id from the page's own traffic while `trigger` makes the page call it,
 * as anyone can in their browser's developer tools.
 */
export async function captureAction(page: Page, trigger: () => Promise<unknown>): Promise<ActionEndpoint> {
  const [request] = await Promise.all([page.waitForRequest((r) => r.method() === "POST" && r.headers()["next-action"] !== undefined), trigger()]);
  return { path: new URL(request.url()).pathname, actionId: request.headers()["next-action"]! };
}

/** What a raw action call answered: the HTTP status, the body, and the ActionResult status found in it (RSC payload). */
export interface RawActionAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
  resultStatus: string | undefined;
}

/**
 * Calls a server action with raw arguments. `headers` defaults to a same-origin browser call
 * (the portal's Origin); attacks replace or remove them.
 */
export async function callAction(
  request: APIRequestContext,
  endpoint: ActionEndpoint,
  args: unknown[] | string,
  options: { origin: string | null; headers?: Record<string, string>; cookie?: string },
): Promise<RawActionAnswer> {
  const response = await request.post(endpoint.path, {
    headers: {
      "next-action": endpoint.actionId,
      "content-type": "text/plain;charset=UTF-8",
      accept: "text/x-component",
      ...(options.origin === null ? {} : { origin: options.origin }),
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...options.headers,
    },
    data: typeof args === "string" ? args : JSON.stringify(args),
    maxRedirects: 0,
  });
  const body = await response.text();
  return { status: response.status(), body, headers: response.headers(), resultStatus: /"status":"(success|invalid|step_up_required|failed)"/.exec(body)?.[1] };
}

/** The portal session cookie of the page's context, as a Cookie header. */
export async function cookieHeader(page: Page, origin: string): Promise<string> {
  return (await page.context().cookies(origin)).map((c) => `${c.name}=${c.value}`).join("; ");
}

export { CHECKING, SAVINGS, accountOf };

/** The two server actions most attacks aim at, read from a signed-in page's traffic. */
export interface PortalActions {
  /** `revealAccountNumberAction` (finance.viewStatements, session-bound): answers step_up_required until elevated. */
  reveal: ActionEndpoint;
  /** `createTransferAction` (transfer.create; runs at once below the step-up threshold). */
  transfer: ActionEndpoint;
}

/**
 * Finds the reveal and transfer actions the way an outsider would: by using the pages once and
 * watching the requests. Makes one small transfer between the persona's own accounts.
 */
export async function discoverActions(page: Page, transfer: TransferPage): Promise<PortalActions> {
  await page.goto("/dashboard");
  const reveal = await captureAction(page, () => page.getByRole("button", { name: `Show full number for ${CHECKING}` }).click());
  await transfer.goto();
  await transfer.review({ from: SAVINGS, to: CHECKING, amount: "1.00" });
  const sent = await captureAction(page, () => transfer.send());
  await expect(transfer.receipt()).toBeVisible();
  return { reveal, transfer: sent };
}

/** A transfer request as the JSON API takes it (the idempotency key travels as a header). */
export function apiTransferBody(from: { id: string; currency: string }, to: { id: string }, amount: string) {
  return { fromAccountId: from.id, toAccountId: to.id, currency: from.currency, amount };
}

/** A transfer request as the form sends it, between the persona's own accounts. */
export function transferRequest(from: { id: string; currency: string }, to: { id: string }, amount: string, extra: Record<string, unknown> = {}) {
  return { fromAccountId: from.id, toAccountId: to.id, payeeId: "", currency: from.currency, amount, memo: "", idempotencyKey: crypto.randomUUID(), ...extra };
}
