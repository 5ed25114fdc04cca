import type { BrokenTokenKind } from "../support/emulator-control";
import { test, expect } from "../fixtures";
import { auditOutcomes, transfersOf } from "../support/ground-truth";
import { CHECKING, SAVINGS, accountOf, callAction, discoverActions, expectUnchanged, transferRequest } from "./support";

/**
 * Every kind of bad token the emulator's control API can mint (ASVS 5.0 V9.1-V9.2, V10.3), sent
 * where tokens are accepted: as the JSON API's Bearer credential and as a server action's step-up
 * proof. Each is refused, the proof never elevates the session, and nothing changes.
 */
const KINDS: BrokenTokenKind[] = [
  "wrong-signature",
  "alg-none",
  "hs256-public-key",
  "wrong-issuer",
  "wrong-audience",
  "wrong-tenant",
  "wrong-azp",
  "expired",
  "not-yet-valid",
  "missing-acrs",
  "missing-auth-time",
  "id-token",
];

test.describe("forged tokens @security", () => {
  test("as the API's Bearer token, every forged kind is answered 401 invalid_token", async ({ persona, control, api, database }) => {
    const user = await persona("totp");
    await expectUnchanged(database, [user], async () => {
      for (const kind of KINDS) {
        // missing-acrs and missing-auth-time are well-formed sign-in tokens: the API accepts them for
        // reads (no step-up needed), so they are tried below as proofs, where the claims matter.
        if (kind === "missing-acrs" || kind === "missing-auth-time") continue;
        const token = await control.brokenToken(kind, user.oid, ["c1", "c2", "c3"]);
        const answer = await api.get("/api/v1/accounts", token);
        expect(answer.status, kind).toBe(401);
        expect(answer.headers["www-authenticate"], kind).toMatch(/error="invalid_token"/);
        expect(JSON.stringify(answer.body)).not.toContain(token);
      }
    });
  });

  test("as a step-up proof, every forged kind is answered with a new challenge and never elevates the session", async ({
    page,
    persona,
    signIn,
    transfer,
    control,
    settings,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const actions = await discoverActions(page, transfer);
    const checking = await accountOf(database, user, CHECKING);
    await expectUnchanged(database, [user], async () => {
      // missing-auth-time is the one kind that is a valid proof: `auth_time` is an optional claim in
      // Entra, and the verifier bounds freshness with it only when present (docs/step-up.md). It is
      // tried below as someone else's token instead.
      for (const kind of KINDS.filter((k) => k !== "missing-auth-time")) {
        // Every context the policy knows, so only the named defect is wrong.
        const token = await control.brokenToken(kind, user.oid, ["c1", "c2", "c3"]);
        const answer = await callAction(page.request, actions.reveal, [{ accountId: checking.id }, { token }], { origin: settings.portalOrigin });
        expect(answer.status, kind).toBe(200);
        expect(answer.resultStatus, kind).toBe("step_up_required");
        expect(answer.body, kind).not.toContain(checking.fullNumber);
      }
    });
  });

  test("a token minted for another user is no proof for this one", async ({ page, persona, signIn, transfer, control, settings, database }) => {
    const user = await persona("totp");
    const other = await persona("totp");
    await signIn(user);
    const actions = await discoverActions(page, transfer);
    const checking = await accountOf(database, user, CHECKING);
    // A token that would be a valid proof for `other` (see above: missing-auth-time is well-formed).
    const othersToken = await control.brokenToken("missing-auth-time", other.oid, ["c1", "c2", "c3"]);
    await expectUnchanged(database, [user, other], async () => {
      const answer = await callAction(page.request, actions.reveal, [{ accountId: checking.id }, { token: othersToken }], { origin: settings.portalOrigin });
      expect(answer.resultStatus).toBe("step_up_required");
      expect(answer.body).not.toContain(checking.fullNumber);
    });
  });
});

test.describe("transaction binding to the second @security", () => {
  test("a proof minted in the same second as an approval was stored cannot approve it; one minted a second later can", async ({
    page,
    persona,
    signIn,
    transfer,
    control,
    settings,
    database,
  }) => {
    // The attack: approve one transfer in the popup, and within the second of the proof's `iat`
    // start another (a larger one, elsewhere) and present the same proof on it. `iat` has whole
    // seconds, so the only safe rule is "minted in a later second than the approval was stored".
    const user = await persona("totp");
    await signIn(user);
    const actions = await discoverActions(page, transfer);
    const savings = await accountOf(database, user, SAVINGS);
    const checking = await accountOf(database, user, CHECKING);
    const request = transferRequest(savings, checking, "1500.00", { memo: "same-second" });
    const proofFor = async (pendingOperationId: string, issuedAt: number) => {
      const token = await control.brokenToken("missing-auth-time", user.oid, ["c1", "c2", "c3"], { issuedAt });
      return callAction(page.request, actions.transfer, [request, { token, pendingOperationId }], { origin: settings.portalOrigin });
    };

    const asked = await callAction(page.request, actions.transfer, [request], { origin: settings.portalOrigin });
    expect(asked.resultStatus).toBe("step_up_required");
    const pendingOperationId = /"pendingOperationId":"([^"]+)"/.exec(asked.body)?.[1];
    expect(pendingOperationId, "the challenge names the stored approval").toBeTruthy();
    const pending = await database.pendingOperation.findUniqueOrThrow({ where: { id: pendingOperationId! } });
    const storedSecond = Math.floor(pending.createdAt.getTime() / 1000);

    await expectUnchanged(database, [user], async () => {
      const refused = await proofFor(pendingOperationId!, storedSecond);
      expect(refused.resultStatus).toBe("step_up_required");
      expect(refused.body).toContain('"reason":"minted_before_operation"');
    });
    expect(await auditOutcomes(database, user, "transfer.create")).toContain("rejected:minted_before_operation");

    // The same proof, minted one second later, approves exactly that transfer, once.
    const approved = await proofFor(pendingOperationId!, storedSecond + 1);
    expect(approved.resultStatus).toBe("success");
    expect(await transfersOf(database, user, { memo: "same-second" })).toEqual([{ amountMinor: 150000n, status: "completed", memo: "same-second" }]);
  });
});
