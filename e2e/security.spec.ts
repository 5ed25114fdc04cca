import { request as playwrightRequest } from "@playwright/test";
import { test, expect } from "./fixtures";

/**
 * Cross-site request forgery against server actions. Next.js only warns when an action arrives
 * without an Origin header; proxy.ts refuses any state-changing request that is not visibly
 * from the portal's own origin.
 */
test.describe("cross-site requests @security", () => {
  test("a forged sign-out from another origin, or with no origin, changes nothing; the same request from the portal works", async ({
    page,
    persona,
    home,
    identityProvider,
    dashboard,
    settings,
    database,
  }) => {
    const user = await persona("totp");
    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn(user);
    await dashboard.expectSignedInAs(user.displayName);

    // The sign-out form's server action id, as a forger would read it from the page.
    const actionField = await page
      .getByRole("button", { name: "Sign out" })
      .evaluate((button) => button.closest("form")?.querySelector<HTMLInputElement>('input[name^="$ACTION_ID_"]')?.name ?? "");
    expect(actionField).toMatch(/^\$ACTION_ID_/);
    const cookie = (await page.context().cookies(settings.portalOrigin)).map((c) => `${c.name}=${c.value}`).join("; ");
    const sessions = () => database.session.count({ where: { user: { objectId: user.oid } } });
    expect(await sessions()).toBe(1);

    const forger = await playwrightRequest.newContext({ baseURL: settings.portalOrigin });
    const forge = (headers: Record<string, string>) =>
      forger.post("/dashboard", { headers: { cookie, ...headers }, multipart: { [actionField]: "" }, maxRedirects: 0 });

    const crossSite = await forge({ origin: "https://attacker.example" });
    expect(crossSite.status()).toBe(403);
    const noOrigin = await forge({});
    expect(noOrigin.status()).toBe(403);
    const nullOrigin = await forge({ origin: "null" });
    expect(nullOrigin.status()).toBe(403);
    expect(await sessions()).toBe(1);
    await page.reload();
    await dashboard.expectSignedInAs(user.displayName);

    // The identical request with the portal's origin is honoured: the refusals above were the
    // origin check, not a malformed request.
    const sameOrigin = await forge({ origin: settings.portalOrigin });
    expect(sameOrigin.status()).not.toBe(403);
    await expect.poll(sessions).toBe(0);
    await forger.dispose();
  });
});
