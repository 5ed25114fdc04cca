import type { Page } from "@playwright/test";

/**
 * The browser forgets everyone, as after closing it: no portal session, no identity-provider
 * session. It leaves the portal first: a signed-in page keeps prefetching its navigation links,
 * and each of those responses slides the session cookie (proxy.ts), so a prefetch still in flight
 * when the cookies are cleared would quietly sign the person back in.
 */
export async function forgetEveryone(page: Page): Promise<void> {
  await page.goto("about:blank");
  await page.context().clearCookies();
}
