import { randomBytes } from "node:crypto";
import { test, type Locator, type Page, type Request, type Route } from "@playwright/test";

/**
 * Types a password (or any secret) into a form field so that neither the HTML report nor a trace
 * holds it, then the test submits the form as usual.
 *
 * `locator.fill(secret)` would put it in three places: the action's title in the report and the
 * trace, every later DOM snapshot (Playwright's snapshotter records each input's `value`, with
 * no exception for `type=password`), and the network log (the form's POST body is kept as a
 * resource and as parsed `params`). Setting the value with `locator.evaluate` only removes the
 * first. So the page never sees the secret: the field gets a random stand-in, and a route swaps
 * it for the secret in the form's POST as the request leaves the browser. The trace's network
 * log records the request as the page made it (tracing does not record route overrides), so it
 * shows the stand-in; the server receives the secret. The stand-in is per secret and page, so a
 * "confirm password" field gets the same one as "new password".
 *
 * The field must belong to a `<form>` posted as `application/x-www-form-urlencoded` (the
 * emulator's plain HTML forms; Entra's sign-in page). e2e/security/traces.spec.ts proves
 * that a sign-in's trace holds no password.
 */
export async function fillSecret(field: Locator, secret: string, title = "enter the password"): Promise<void> {
  await test.step(title, async () => {
    const page = field.page();
    const standIns = (standInsByPage.get(page) ?? standInsByPage.set(page, new Map()).get(page))!;
    let standIn = standIns.get(secret);
    if (!standIn) {
      standIn = `Redacted-${randomBytes(12).toString("hex")}`;
      standIns.set(secret, standIn);
      const formAction = await field.evaluate((input: HTMLInputElement) => input.form?.action ?? null);
      if (!formAction) throw new Error("fillSecret: the field is not in a <form> with an action");
      const swap = { from: standIn, to: secret };
      const isFormAction = (url: URL) => url.href === formAction;
      const handler = async (route: Route, request: Request) => {
        const body = request.postData();
        if (request.method() !== "POST" || !body?.includes(swap.from)) return route.fallback();
        standIns.delete(secret);
        // `continue`, not `fallback`: a fallback is applied only once the handler has returned,
        // and removing the page's last route before that lets the request go on unchanged.
        await route.continue({ postData: body.replaceAll(swap.from, formEncode(swap.to)) });
        await page.unroute(isFormAction, handler);
      };
      await page.route(isFormAction, handler);
    }
    await field.fill(standIn);
  }, { box: true });
}

const standInsByPage = new WeakMap<Page, Map<string, string>>();

/** How a browser encodes a value in an `application/x-www-form-urlencoded` body. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice("v=".length);
}
