import type { Page } from "@playwright/test";

/**
 * Makes `page` behave as if the browser's popup blocker refused every window: `window.open`
 * returns null, which is exactly what a blocked `window.open` returns (HTML's "window open
 * steps"), so MSAL sees what it sees in the wild (`empty_window_error`). Chromium's own blocker
 * cannot be switched per test, and Playwright's clicks are user gestures it would let through.
 * Applies to every document the page loads from now on, including after a redirect.
 */
export async function blockPopups(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.open = () => null;
  });
}
