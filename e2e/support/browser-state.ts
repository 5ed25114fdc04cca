import type { Page } from "@playwright/test";

/**
 * The browser forgets everyone, as after closing it: no portal session, no identity-provider
 * session. It leaves the portal first: a signed-in page keeps prefetching its navigation links,
 * and each of those responses slides the session cookie (proxy.ts), so a prefetch still in flight
 * when the cookies are cleared could sign the person back in. Known gap: the final CI run still
 * saw a signed-in landing page once after this (risk.spec.ts, passed on retry); the cause is
 * not established yet, and a fresh browser context is the next thing to try.
 */
export async function forgetEveryone(page: Page): Promise<void> {
  await page.goto("about:blank");
  await page.context().clearCookies();
}
