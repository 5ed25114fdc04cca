import type { Request } from "@playwright/test";
import { test, expect } from "./fixtures";
import { IdentityProviderPage } from "./pages/identity-provider.page";

/**
 * The step-up round trip, counted: every request between "Send transfer" and the
 * receipt of a transfer that needs a step-up, printed as a table. The shape is the contract:
 * exactly one rejected attempt (`step_up_required`), the identity provider's own requests (the
 * popup's pages and MSAL's token redemption), exactly one retry, and no page reload. And the
 * page asks the portal for no JavaScript: the form's hint said the transfer would need
 * verification, so MSAL arrived while the person reviewed it. (The popup's last page is the
 * redirect URI, a portal page: it asks for its scripts as it loads and MSAL closes it within a
 * poll interval, so they are printed, not asserted.) Timings are printed by the e2e timing tools,
 * never asserted here.
 */

interface Seen {
  from: "page" | "popup";
  method: string;
  url: URL;
  action: boolean;
  navigation: boolean;
  request: Request;
  /** Filled when the response arrives (the popup is gone by the time the table is printed). */
  status?: number;
}

test("a transfer's step-up costs one rejected attempt, the identity provider's requests and one retry, with no reload @step-up", async ({
  page,
  persona,
  signIn,
  transfer,
  stepUpDialog,
  control,
  settings,
  database,
}) => {
  const user = await persona("totp");
  await signIn(user);
  await transfer.goto();
  const savings = await database.bankAccount.findFirstOrThrow({ where: { name: "High-Yield Savings", owner: { objectId: user.oid } }, select: { balanceMinor: true } });
  const newBalance = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(Number(savings.balanceMinor - 100_000n) / 100);

  // While the person fills in and reviews the transfer, the hint says it needs verification and
  // the page loads MSAL in the background. Wait for it (and for every script the page asked for
  // until then), so that what is counted below is the round trip alone.
  const isPortalScript = (request: Request) => new URL(request.url()).origin === settings.portalOrigin && request.resourceType() === "script";
  const scriptsInFlight = new Set<Request>();
  page.on("request", (request) => void (isPortalScript(request) && scriptsInFlight.add(request)));
  page.on("requestfinished", (request) => void scriptsInFlight.delete(request));
  page.on("requestfailed", (request) => void scriptsInFlight.delete(request));
  const msalArrived = page.waitForResponse(async (response) => isPortalScript(response.request()) && (await response.text()).includes("msal.js.browser"));
  const details = { from: "High-Yield Savings", to: "Everyday Checking", amount: "1,000.00", memo: "Round trip" };
  await transfer.fill(details);
  await expect(transfer.stepUpHint()).toContainText("You'll be asked to verify");
  await transfer.review(details);
  await msalArrived;
  await expect.poll(() => scriptsInFlight.size).toBe(0);

  const seen: Seen[] = [];
  page.context().on("request", (request) => {
    const frame = request.frame();
    const fromPage = frame.page() === page;
    seen.push({
      from: fromPage ? "page" : "popup",
      method: request.method(),
      url: new URL(request.url()),
      action: request.method() === "POST" && request.headers()["next-action"] !== undefined,
      navigation: request.isNavigationRequest() && frame === frame.page().mainFrame(),
      request,
    });
  });

  page.context().on("response", (response) => {
    const entry = seen.find((s) => s.request === response.request());
    if (entry) entry.status = response.status();
  });
  // A server action's answer streams, and Chromium may drop its body once the page moves on:
  // read it on the way through instead (the browser still sends and receives the same request).
  const results: string[] = [];
  await page.route(
    (url) => url.origin === settings.portalOrigin,
    async (route) => {
      if (route.request().method() !== "POST" || route.request().headers()["next-action"] === undefined) return route.fallback();
      const response = await route.fetch();
      const body = await response.text();
      results.push(/"status":"(\w+)"/.exec(body)?.[1] ?? "");
      await route.fulfill({ response, body });
    },
  );

  await transfer.send();
  await stepUpDialog.expectOpen("You are approving exactly this");
  const popup = await stepUpDialog.verify();
  await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));
  await transfer.expectReceipt({ amount: "$1,000.00", newBalance });

  const identityProvider = seen.filter((s) => s.url.origin === settings.emulatorOrigin);
  const actions = seen.filter((s) => s.from === "page" && s.action);
  const reloads = seen.filter((s) => s.from === "page" && s.navigation);
  let actionIndex = 0;
  const rows = seen.map((s, i) => {
    const where = s.url.origin === settings.emulatorOrigin ? "identity provider" : "portal";
    const result = s.action ? `  → ${results[actionIndex++] ?? "?"}` : "";
    return `${String(i + 1).padStart(3)}  ${s.from.padEnd(6)}${where.padEnd(19)}${s.method.padEnd(6)}${String(s.status ?? "-").padEnd(5)}${s.url.pathname}${result}`;
  });
  console.log(`Requests between "Send transfer" and the receipt (${seen.length}):\n${rows.join("\n")}`);
  console.log(`server actions: ${actions.length}, identity provider: ${identityProvider.length}, page reloads: ${reloads.length}`);
  const pageScripts = seen.filter((s) => s.from === "page" && isPortalScript(s.request));
  const popupScripts = seen.filter((s) => s.from === "popup" && isPortalScript(s.request));
  console.log(
    `portal scripts after "Send transfer": page ${pageScripts.length}; popup ${popupScripts.length} asked for by the redirect URI's page, ${popupScripts.filter((s) => s.status !== undefined).length} answered before MSAL closed it`,
  );

  expect(actions).toHaveLength(2);
  expect(results).toEqual(["step_up_required", "success"]);
  expect(identityProvider.length).toBeGreaterThan(0);
  expect(identityProvider.map((s) => s.url.pathname)).toEqual(expect.arrayContaining([expect.stringMatching(/\/oauth2\/v2\.0\/authorize$/), expect.stringMatching(/\/oauth2\/v2\.0\/token$/)]));
  expect(reloads).toEqual([]);
  expect(pageScripts.map((s) => s.url.pathname)).toEqual([]);
});
