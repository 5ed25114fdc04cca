import { randomBytes } from "node:crypto";
import { test, expect } from "./fixtures";

test.describe("provisioning on first sign-in @database", () => {
  test("a directory user the portal has never seen gets a portal user on first sign-in, and keeps it on the next", async ({
    page,
    control,
    database,
    settings,
    home,
    identityProvider,
    dashboard,
  }) => {
    // In the emulator's directory only: no persona fixture, so nothing is seeded in the portal.
    const displayName = `Newcomer ${randomBytes(4).toString("hex")}`;
    const user = await control.createUser({ displayName, methods: ["totp"] });
    const identity = { tenantId: settings.tenantId, objectId: user.oid };
    expect(await database.user.count({ where: identity })).toBe(0);

    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn(user);
    await dashboard.expectSignedInAs(displayName);
    await expect(page.getByText("You have no accounts yet.")).toBeVisible();
    const provisioned = await database.user.findMany({ where: identity, include: { accounts: true } });
    expect(provisioned).toHaveLength(1);
    expect(provisioned[0]).toMatchObject({ name: displayName, userPrincipalName: user.userPrincipalName });
    expect(provisioned[0]!.accounts).toHaveLength(1);

    await dashboard.signOut();
    await expect(page).toHaveURL(/\/signed-out$/);
    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn(user);
    await dashboard.expectSignedInAs(displayName);
    await expect(page.getByText("You have no accounts yet.")).toBeVisible();

    // The second sign-in found the same row by (tid, oid): no duplicate user, no second link.
    const afterSecondSignIn = await database.user.findMany({ where: identity, include: { accounts: true, sessions: true } });
    expect(afterSecondSignIn).toHaveLength(1);
    expect(afterSecondSignIn[0]!.id).toBe(provisioned[0]!.id);
    expect(afterSecondSignIn[0]!.accounts).toHaveLength(1);
    expect(afterSecondSignIn[0]!.sessions).toHaveLength(1);
  });
});
