import { test, expect } from "../fixtures";
import { claimsOfChallenge } from "../support/api-client";
import { CHECKING, SAVINGS, accountOf, apiTransferBody, callAction, discoverActions, expectUnchanged, transferRequest } from "./support";

/**
 * Another person's ids everywhere (ASVS 5.0 V8.2.2, object-level authorisation): accounts,
 * statements, transfers from, to and through another person's accounts and payees, by server
 * action, page, route and API. Each answer is the one an unknown id gets (nothing confirms the id
 * exists), no data of the other person appears, and nothing changes for either.
 */
test.describe("another person's ids @security", () => {
  test("server actions: reveal, statements, and transfers from, to or via another person's accounts and payees are refused", async ({
    page,
    persona,
    signIn,
    transfer,
    settings,
    database,
  }) => {
    const attacker = await persona("totp");
    const victim = await persona("totp");
    await signIn(attacker);
    const actions = await discoverActions(page, transfer);
    const mine = await accountOf(database, attacker, SAVINGS);
    const theirs = await accountOf(database, victim, CHECKING);
    const theirSavings = await accountOf(database, victim, SAVINGS);
    const theirPayee = await database.payee.findFirstOrThrow({ where: { owner: { objectId: victim.oid } }, select: { id: true, accountNumber: true } });
    const call = (endpoint: typeof actions.reveal, input: unknown) => callAction(page.request, endpoint, [input], { origin: settings.portalOrigin });

    await expectUnchanged(database, [attacker, victim], async () => {
      const attempts = [
        ["transfer from their account to mine", transferRequest(theirs, mine, "5.00")],
        ["transfer between their accounts", transferRequest(theirs, theirSavings, "5.00")],
        ["transfer from mine into their account", transferRequest(mine, theirs, "5.00")],
        ["transfer from mine to their payee", { ...transferRequest(mine, { id: "" }, "5.00"), toAccountId: "", payeeId: theirPayee.id }],
      ] as const;
      for (const [label, input] of attempts) {
        const answer = await call(actions.transfer, input);
        expect(answer.status, label).toBe(200);
        expect(["failed", "invalid"], label).toContain(answer.resultStatus);
        expect(answer.body, label).not.toContain(theirs.fullNumber);
        expect(answer.body, label).not.toContain(theirPayee.accountNumber);
      }
      // Reveal: never their number, whatever the step-up state (it asks for step-up first, and the
      // handler would refuse after it: lib/data scopes by owner).
      const reveal = await call(actions.reveal, { accountId: theirs.id });
      expect(["step_up_required", "failed"]).toContain(reveal.resultStatus);
      expect(reveal.body).not.toContain(theirs.fullNumber);
    });
  });

  test("pages and routes: their account page and statements answer as an unknown id would", async ({ page, persona, signIn, database }) => {
    const attacker = await persona("totp");
    const victim = await persona("totp");
    await signIn(attacker);
    const theirs = await accountOf(database, victim, CHECKING);
    await expectUnchanged(database, [attacker, victim], async () => {
      const unknownId = "c".repeat(25);
      for (const [label, path] of [
        ["account page", `/finance/accounts/${theirs.id}`],
        ["statement csv", `/finance/accounts/${theirs.id}/statements/2026-10?format=csv`],
        ["statement pdf", `/finance/accounts/${theirs.id}/statements/2026-10?format=pdf`],
      ] as const) {
        const response = await page.request.get(path, { maxRedirects: 0 });
        const unknown = await page.request.get(path.replace(theirs.id, unknownId), { maxRedirects: 0 });
        // The same answer as for an id that does not exist (a not-found page may stream with 200).
        expect(response.status(), label).toBe(unknown.status());
        const body = await response.text();
        expect(body, label).not.toContain(theirs.fullNumber);
        expect(body, label).not.toContain(victim.displayName);
      }
    });
  });

  test("the API: their account by id is 404, like an unknown one, and a transfer from it changes nothing", async ({ persona, apiToken, api, database }) => {
    const attacker = await persona("totp");
    const victim = await persona("totp");
    // An account's detail (its full number) needs c3: the attacker steps up like anyone would.
    const plain = await apiToken(attacker);
    const challenge = await api.get(`/api/v1/accounts/${"c".repeat(25)}`, plain);
    expect(challenge.status).toBe(401);
    const token = await apiToken(attacker, { claims: claimsOfChallenge(challenge.headers).claims });
    const theirs = await accountOf(database, victim, CHECKING);
    const mine = await accountOf(database, attacker, SAVINGS);
    await expectUnchanged(database, [attacker, victim], async () => {
      const answer = await api.get(`/api/v1/accounts/${theirs.id}`, token);
      const unknown = await api.get(`/api/v1/accounts/${"c".repeat(25)}`, token);
      expect(answer.status).toBe(404);
      expect(unknown.status).toBe(404);
      expect(JSON.stringify(answer.body)).not.toContain(theirs.fullNumber);
      const sent = await api.post("/api/v1/transfers", apiTransferBody(theirs, mine, "5.00"), { token, idempotencyKey: crypto.randomUUID() });
      expect([404, 422]).toContain(sent.status);
    });
  });
});
