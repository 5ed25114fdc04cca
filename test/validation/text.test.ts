/**
 * Text a person reads (lib/validation/text.ts) and the schemas that use it: compatibility forms
 * are folded by NFKC, invisible and control characters are refused with a message naming the
 * character, and what a schema outputs parses again to itself.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readableText } from "../../lib/validation/text";
import { createPayeeSchema, updatePayeeSchema } from "../../lib/validation/settings";
import { transferSchema } from "../../lib/validation/transfers";

const name = readableText("payee's name", { max: 70, required: true });
const memo = readableText("memo", { max: 140, required: false });

/** The messages of a refusal, or the output of a pass. */
function outcome(rule: typeof name, input: unknown): { ok: true; value: string } | { ok: false; messages: string[] } {
  return rule(input);
}

/** The rule's output, or a thrown refusal. */
function parse(rule: typeof name, input: unknown): string {
  const result = rule(input);
  if (!result.ok) throw new Error(result.messages.join(" "));
  return result.value;
}

describe("readableText", () => {
  test("each invisible format character is refused, wherever it stands, with one message naming it", () => {
    const cases: [string, string][] = [
      ["\u200B", "U+200B (ZERO WIDTH SPACE)"],
      ["\u200C", "U+200C (ZERO WIDTH NON-JOINER)"],
      ["\u200D", "U+200D (ZERO WIDTH JOINER)"],
      ["\u200E", "U+200E (LEFT-TO-RIGHT MARK)"],
      ["\u200F", "U+200F (RIGHT-TO-LEFT MARK)"],
      ["\uFEFF", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"],
      ["\u00AD", "U+00AD (SOFT HYPHEN)"],
      ["\u202E", "U+202E (RIGHT-TO-LEFT OVERRIDE)"],
      ["\u2066", "U+2066 (LEFT-TO-RIGHT ISOLATE)"],
      ["\u2060", "U+2060 (WORD JOINER)"],
      ["\u3164", "U+3164 (HANGUL FILLER)"],
      ["\u{E0041}", "U+E0041"],
    ];
    for (const [character, described] of cases) {
      for (const text of [`Cont${character}oso`, `${character}Contoso`, `Contoso${character}`, `  ${character}  Contoso  `]) {
        assert.deepEqual(outcome(name, text), { ok: false, messages: [`Remove the invisible character ${described}.`] }, JSON.stringify(text));
      }
    }
  });

  test("control characters inside the text are refused by name; at the ends they are trimmed", () => {
    assert.deepEqual(outcome(memo, "line\nbreak"), { ok: false, messages: ["Remove the control character U+000A (LINE FEED)."] });
    assert.deepEqual(outcome(memo, "bell\u0007"), { ok: false, messages: ["Remove the control character U+0007."] });
    assert.deepEqual(outcome(memo, "del\u007Fete"), { ok: false, messages: ["Remove the control character U+007F (DELETE)."] });
    assert.deepEqual(outcome(memo, "c1\u0085text"), { ok: false, messages: ["Remove the control character U+0085."] });
    assert.deepEqual(outcome(memo, "\tRent\n"), { ok: true, value: "Rent" });
  });

  test("compatibility forms are folded by NFKC, so look-alikes become the same text", () => {
    assert.deepEqual(outcome(name, "Ｃｏｎｔｏｓｏ"), { ok: true, value: "Contoso" });
    assert.deepEqual(outcome(name, "ﬁnance"), { ok: true, value: "finance" });
    assert.deepEqual(outcome(name, "Contoso\u00A0Ltd"), { ok: true, value: "Contoso Ltd" });
    assert.deepEqual(outcome(name, "\u3000Contoso\u2003"), { ok: true, value: "Contoso" });
    // Canonical composition too: e + combining acute is the one character é.
    assert.deepEqual(outcome(name, "Cafe\u0301"), { ok: true, value: "Caf\u00E9" });
  });

  test("ordinary names in any script, and emoji, pass unchanged", () => {
    for (const text of ["Contoso Property Management", "Zoë O'Brien-Smith", "Ярослав", "山田太郎", "محمد", "Rent 🏠", "Thanks ❤️"]) {
      assert.deepEqual(outcome(memo, text), { ok: true, value: text });
    }
  });

  test("the length is counted after normalisation; required text must not be empty", () => {
    assert.deepEqual(outcome(name, "x".repeat(70)), { ok: true, value: "x".repeat(70) });
    assert.deepEqual(outcome(name, "x".repeat(71)), { ok: false, messages: ["Keep the payee's name to 70 characters or fewer."] });
    // U+FDFA is one character that NFKC spells out as eighteen.
    assert.equal(outcome(readableText("memo", { max: 10, required: false }), "\uFDFA").ok, false);
    assert.deepEqual(outcome(name, "   "), { ok: false, messages: ["Enter the payee's name."] });
    assert.deepEqual(outcome(name, 42), { ok: false, messages: ["Enter the payee's name."] });
    assert.deepEqual(outcome(memo, ""), { ok: true, value: "" });
  });

  test("the output parses again to itself (the step-up core parses a stored payload once more)", () => {
    for (const text of ["Ｃｏｎｔｏｓｏ", "Cafe\u0301", "  Rent  ", "ﬁnance"]) {
      const once = parse(name, text);
      assert.equal(parse(name, once), once);
    }
  });
});

describe("the schemas of every name and memo a person reads", () => {
  const payee = { name: "Contoso", bankName: "Fabrikam Bank", accountNumber: "12345678" };
  const transfer = {
    fromAccountId: "acc_from",
    toAccountId: "acc_to",
    currency: "USD",
    amount: "10.00",
    idempotencyKey: "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b",
  };

  const messagesOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
    Object.fromEntries((result.error?.issues ?? []).map((issue) => [issue.path.join("."), issue.message]));

  test("payee name and bank name, on creation and on edit", () => {
    assert.deepEqual(messagesOf(createPayeeSchema.safeParse({ ...payee, name: "Cont\u200Boso" })), { name: "Remove the invisible character U+200B (ZERO WIDTH SPACE)." });
    assert.deepEqual(messagesOf(createPayeeSchema.safeParse({ ...payee, bankName: "Fabrikam\uFEFF Bank" })), {
      bankName: "Remove the invisible character U+FEFF (ZERO WIDTH NO-BREAK SPACE).",
    });
    assert.deepEqual(messagesOf(updatePayeeSchema.safeParse({ ...payee, payeeId: "payee_1", name: "Con\u00ADtoso" })), { name: "Remove the invisible character U+00AD (SOFT HYPHEN)." });
    assert.equal(createPayeeSchema.parse({ ...payee, name: "Ｃｏｎｔｏｓｏ" }).name, "Contoso");
  });

  test("the transfer memo", () => {
    assert.deepEqual(messagesOf(transferSchema.safeParse({ ...transfer, memo: "Rent\u200D" })), { memo: "Remove the invisible character U+200D (ZERO WIDTH JOINER)." });
    assert.deepEqual(messagesOf(transferSchema.safeParse({ ...transfer, memo: "\u200Erent" })), { memo: "Remove the invisible character U+200E (LEFT-TO-RIGHT MARK)." });
    assert.equal(transferSchema.parse({ ...transfer, memo: "ｒｅｎｔ" }).memo, "rent");
  });
});
