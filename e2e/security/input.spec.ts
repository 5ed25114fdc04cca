import { test, expect } from "../fixtures";
import { CHECKING, SAVINGS, accountOf, apiTransferBody, callAction, captureAction, discoverActions, expectUnchanged, transferRequest } from "./support";

/**
 * Bad amounts, smuggled fields, prototype pollution, malformed and oversized bodies, and a race of
 * transfers on one account (ASVS 5.0 V2.2.1-V2.2.3, V2.3.3, V15.3.6, V4.2). Every refusal is an
 * answer, never a 5xx, and the database is unchanged; the race never overdraws.
 */
test.describe("hostile input @security", () => {
  test("bad amounts, unknown members and prototype-pollution keys are refused as invalid, and move nothing", async ({
    page,
    persona,
    signIn,
    transfer,
    settings,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const actions = await discoverActions(page, transfer);
    const from = await accountOf(database, user, SAVINGS);
    const to = await accountOf(database, user, CHECKING);
    const send = (input: unknown) => callAction(page.request, actions.transfer, [input], { origin: settings.portalOrigin });

    await expectUnchanged(database, [user], async () => {
      for (const amount of ["-5", "0", "0.00", "1e3", "0.001", "NaN", "Infinity", "5.5.5", "0x10", "１２", "99999999999999999999", " "]) {
        const answer = await send(transferRequest(from, to, amount));
        expect(answer.status, amount).toBe(200);
        expect(answer.resultStatus, amount).toBe("invalid");
      }
      for (const [label, input] of [
        ["canonical amount out of range", { ...transferRequest(from, to, ""), amount: undefined, amountMinor: "99999999999999999999" }],
        ["amount twice", { ...transferRequest(from, to, "5.00"), amountMinor: "500" }],
        ["amount as a number", { ...transferRequest(from, to, "5.00"), amount: 5 }],
        ["unknown members", { ...transferRequest(from, to, "5.00"), status: "completed", ownerId: "someone" }],
        // A `__proto__` key never reaches an action: React's reply decoder drops it while decoding the
        // arguments. The API parses JSON itself, keeps the key, and the input gate refuses it (below).
        ["constructor.prototype", { ...transferRequest(from, to, "5.00"), constructor: { prototype: { isAdmin: true } } }],
        ["an array instead of an object", [transferRequest(from, to, "5.00")]],
        ["a string instead of an object", "transfer everything"],
      ] as const) {
        const answer = await send(input);
        expect(answer.status, label).toBe(200);
        expect(answer.resultStatus, label).toBe("invalid");
      }
    });
  });

  test("malformed and oversized action bodies are refused without a server error and move nothing", async ({ page, persona, signIn, transfer, settings, database }) => {
    const user = await persona("totp");
    await signIn(user);
    const actions = await discoverActions(page, transfer);
    const from = await accountOf(database, user, SAVINGS);
    const to = await accountOf(database, user, CHECKING);
    await expectUnchanged(database, [user], async () => {
      // Larger than the action body limit (next.config.ts: 64 kB): never read, never run.
      const huge = await callAction(page.request, actions.transfer, [{ ...transferRequest(from, to, "5.00"), memo: "x".repeat(100_000) }], { origin: settings.portalOrigin });
      expect(huge.resultStatus).toBeUndefined();
      expect(huge.status).toBe(413);
      // Under the body limit but over the input gate's 16 kB: invalid.
      const large = await callAction(page.request, actions.transfer, [{ ...transferRequest(from, to, "5.00"), memo: "x".repeat(20_000) }], { origin: settings.portalOrigin });
      expect(large.resultStatus).toBe("invalid");
      for (const [label, body] of [
        ["not JSON", "{{{{"],
        ["a React reference to nothing", '["$@99"]'],
        ["a bigint argument", '["$n123456789"]'],
        ["a date argument", '["$D2026-01-01T00:00:00.000Z"]'],
      ] as const) {
        const answer = await callAction(page.request, actions.transfer, body, { origin: settings.portalOrigin });
        expect(answer.resultStatus === undefined || answer.resultStatus === "invalid", label).toBe(true);
        expect(answer.body, label).not.toMatch(/at .*\.js:\d+/);
      }
    });
  });

  test("a look-alike payee name or memo with an invisible character is refused, naming the character, and nothing is stored", async ({
    page,
    persona,
    signIn,
    transfer,
    settingsPage,
    stepUpDialog,
    settings,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const actions = await discoverActions(page, transfer);
    const from = await accountOf(database, user, SAVINGS);
    const to = await accountOf(database, user, CHECKING);
    // Every persona has this payee; each look-alike displays exactly as its name does.
    const existing = "Contoso Property Management";
    const invisible: [string, string][] = [
      ["\u200B", "U+200B (ZERO WIDTH SPACE)"],
      ["\u200D", "U+200D (ZERO WIDTH JOINER)"],
      ["\u200E", "U+200E (LEFT-TO-RIGHT MARK)"],
      ["\uFEFF", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"],
      ["\u00AD", "U+00AD (SOFT HYPHEN)"],
    ];
    await settingsPage.goto("/settings/payees");
    await expectUnchanged(database, [user], async () => {
      // The form says which character it refused, before anything is asked.
      await settingsPage.submitPayee({ name: `Contoso\u200B Property Management`, bankName: "Contoso Bank", accountNumber: "12345678" });
      await expect(settingsPage.errorSummary()).toContainText("Name: Remove the invisible character U+200B (ZERO WIDTH SPACE).");
      await stepUpDialog.expectClosed();

      // The server refuses it too, to a caller that skips the form. A valid new payee only asks
      // for approval (nothing is stored before it), which shows the action's id.
      const createPayee = await captureAction(page, () => settingsPage.submitPayee({ name: "Northwind Traders", bankName: "Contoso Bank", accountNumber: "12345678" }));
      for (const [character, described] of invisible) {
        const name = `${existing.slice(0, 7)}${character}${existing.slice(7)}`;
        const answer = await callAction(page.request, createPayee, [{ name, bankName: "Contoso Bank", accountNumber: "12345678" }], { origin: settings.portalOrigin });
        expect(answer.resultStatus, described).toBe("invalid");
        expect(answer.body, described).toContain(`Remove the invisible character ${described}.`);
      }
      for (const [character, described] of invisible) {
        const answer = await callAction(page.request, actions.transfer, [transferRequest(from, to, "1.00", { memo: `Rent${character}` })], { origin: settings.portalOrigin });
        expect(answer.resultStatus, described).toBe("invalid");
        expect(answer.body, described).toContain(`Remove the invisible character ${described}.`);
      }
    });
  });

  test("the API refuses oversized, malformed, mistyped and polluted bodies with 4xx and moves nothing", async ({ persona, signIn, apiToken, request, database }) => {
    const user = await persona("totp");
    await signIn(user);
    const token = await apiToken(user);
    const from = await accountOf(database, user, SAVINGS);
    const to = await accountOf(database, user, CHECKING);
    const valid = apiTransferBody(from, to, "5.00");
    // A Buffer goes on the wire as it is (Playwright would quote a string that is not JSON).
    const post = (data: string, contentType = "application/json") =>
      request.post("/api/v1/transfers", { headers: { authorization: `Bearer ${token}`, "content-type": contentType, "idempotency-key": crypto.randomUUID() }, data: Buffer.from(data) });
    await expectUnchanged(database, [user], async () => {
      expect((await post(JSON.stringify({ ...valid, memo: "x".repeat(40_000) }))).status()).toBe(413);
      expect((await post("{not json")).status()).toBe(400);
      expect((await post(JSON.stringify(valid), "text/plain")).status()).toBe(415);
      expect((await post(JSON.stringify(valid).replace("{", '{"__proto__":{"isAdmin":true},'))).status()).toBe(422);
      expect((await post(JSON.stringify({ ...valid, status: "completed" }))).status()).toBe(422);
      expect((await post(JSON.stringify({ ...valid, amount: "-5.00" }))).status()).toBe(422);
      expect((await post("[]")).status()).toBe(422);
    });
  });

  test("a race of transfers on one account never overdraws it or passes the day's unverified allowance, and balances match the ledger", async ({ page, persona, signIn, transfer, settings, database }) => {
    const user = await persona("totp");
    await signIn(user);
    const actions = await discoverActions(page, transfer);
    // From savings, which every persona opens with a five-figure balance (a seeded checking account
    // can be overdrawn by its history, and then nothing may succeed at all).
    const source = await accountOf(database, user, SAVINGS);
    const destination = await accountOf(database, user, CHECKING);
    // Below the step-up threshold (1,000.00), so each needs no verification while the day's
    // transfers without it stay within 1,000.00; together they ask for more than that allowance
    // (or the balance, or the daily limit, whichever binds first): exactly that many may succeed,
    // and the rest are refused or asked to verify.
    const amountMinor = 9_990n;
    const row = await database.bankAccount.findUniqueOrThrow({ where: { id: source.id }, select: { dailyOutDay: true, dailyOutMinor: true, dailyUnverifiedMinor: true } });
    const today = new Date().toISOString().slice(0, 10);
    const counted = row.dailyOutDay === today;
    const dailyLeft = 5_000_000n - (counted ? row.dailyOutMinor : 0n);
    const unverifiedLeft = 100_000n - (counted ? row.dailyUnverifiedMinor : 0n);
    const room = [source.balanceMinor, dailyLeft, unverifiedLeft].reduce((least, value) => (value < least ? value : least));
    const allowed = Number(room / amountMinor);
    expect(allowed, "the race needs room for some transfers to succeed").toBeGreaterThan(0);
    const count = allowed + 2;
    const amount = (Number(amountMinor) / 100).toFixed(2);
    const answers = await Promise.all(
      Array.from({ length: count }, () => callAction(page.request, actions.transfer, [transferRequest(source, destination, amount)], { origin: settings.portalOrigin })),
    );
    const succeeded = answers.filter((a) => a.resultStatus === "success").length;
    expect(answers.every((a) => a.status === 200 && ["success", "failed", "invalid", "step_up_required"].includes(a.resultStatus ?? ""))).toBe(true);
    expect(succeeded).toBe(allowed);
    const after = await accountOf(database, user, SAVINGS);
    expect(after.balanceMinor).toBe(source.balanceMinor - BigInt(succeeded) * amountMinor);
    expect(after.balanceMinor >= 0n).toBe(true);
    const ledger = await database.ledgerEntry.aggregate({ where: { accountId: source.id }, _sum: { amountMinor: true } });
    expect(ledger._sum.amountMinor).toBe(after.balanceMinor);
  });
});
