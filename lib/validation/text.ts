import { invalid, valid, type Rule } from "@/lib/validation/rules";

/**
 * Text a person reads: payee and bank names, transfer memos, and any other name or note that the
 * portal shows back to a person (on a page, a receipt, a statement, an approval). Such text must
 * look like what it is, so two names that display alike are the same name:
 *
 * - NFKC normalisation folds compatibility forms into their plain letters (full-width "Ａｃｍｅ",
 *   the ligature "ﬁ", superscripts, exotic spaces), so they are stored as the text they display as.
 * - Unicode format characters (general category Cf: zero-width spaces and joiners, direction
 *   marks, embeddings, overrides and isolates, the byte-order mark, the soft hyphen, tag
 *   characters) and the Hangul fillers are invisible or reorder what is around them: with one of
 *   them "Contoso" and "Cont\u200Boso" display alike and are different payees. NFKC keeps them, so
 *   they are refused, naming the character, rather than silently removed (the person learns what
 *   their paste carried, and what is stored is what they typed). The cost: names that rely on a
 *   zero-width joiner or non-joiner (some Persian and Indic spellings, joined emoji) are refused too.
 * - Control characters (line breaks, tabs, escape sequences) inside the text are refused; at the
 *   ends they are trimmed away with the other whitespace.
 *
 * The order is deliberate: invisible characters are looked for first, in the text as it was
 * typed, so the message names the character the person pasted (NFKC turns U+3164 into U+1160), and
 * before trimming, which removes U+FEFF silently and would hide it at either end.
 */

/** Invisible characters NFKC keeps: every format character, and the Hangul fillers (letters that display as nothing). */
const INVISIBLE = /[\p{Cf}\u115F\u1160\u3164\uFFA0]/u;

/** Control characters (C0, DEL, C1). */
const CONTROL = /\p{Cc}/u;

/**
 * Names of the characters a refusal most often meets, for its message (JavaScript has no lookup
 * of Unicode character names). Any other one is named by its code point alone.
 */
const CHARACTER_NAMES: Record<number, string> = {
  0x0009: "CHARACTER TABULATION",
  0x000a: "LINE FEED",
  0x000d: "CARRIAGE RETURN",
  0x001b: "ESCAPE",
  0x007f: "DELETE",
  0x00ad: "SOFT HYPHEN",
  0x061c: "ARABIC LETTER MARK",
  0x115f: "HANGUL CHOSEONG FILLER",
  0x1160: "HANGUL JUNGSEONG FILLER",
  0x180e: "MONGOLIAN VOWEL SEPARATOR",
  0x200b: "ZERO WIDTH SPACE",
  0x200c: "ZERO WIDTH NON-JOINER",
  0x200d: "ZERO WIDTH JOINER",
  0x200e: "LEFT-TO-RIGHT MARK",
  0x200f: "RIGHT-TO-LEFT MARK",
  0x202a: "LEFT-TO-RIGHT EMBEDDING",
  0x202b: "RIGHT-TO-LEFT EMBEDDING",
  0x202c: "POP DIRECTIONAL FORMATTING",
  0x202d: "LEFT-TO-RIGHT OVERRIDE",
  0x202e: "RIGHT-TO-LEFT OVERRIDE",
  0x2060: "WORD JOINER",
  0x2061: "FUNCTION APPLICATION",
  0x2062: "INVISIBLE TIMES",
  0x2063: "INVISIBLE SEPARATOR",
  0x2064: "INVISIBLE PLUS",
  0x2066: "LEFT-TO-RIGHT ISOLATE",
  0x2067: "RIGHT-TO-LEFT ISOLATE",
  0x2068: "FIRST STRONG ISOLATE",
  0x2069: "POP DIRECTIONAL ISOLATE",
  0x3164: "HANGUL FILLER",
  0xfeff: "ZERO WIDTH NO-BREAK SPACE",
  0xffa0: "HALFWIDTH HANGUL FILLER",
};

/** "U+200B (ZERO WIDTH SPACE)", or "U+E0041" for a character without a name in the table. */
function describeCharacter(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0;
  const code = `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
  const name = CHARACTER_NAMES[codePoint];
  return name ? `${code} (${name})` : code;
}

/** The first character `pattern` finds, or undefined. */
const firstOf = (pattern: RegExp, value: string) => pattern.exec(value)?.[0];

/**
 * The rule for text a person reads (see above): NFKC-normalised, free of invisible and control
 * characters, trimmed, at most `max` characters after normalisation. `label` names the field in
 * messages ("payee's name"); `required` refuses empty text ("Enter the payee's name."). A refusal
 * names the character: "Remove the invisible character U+200B (ZERO WIDTH SPACE)." An invisible
 * character is the only message; the others are all given at once. Its output passes again
 * unchanged, so a payload the step-up core stores survives the retry.
 */
export function readableText(label: string, { max, required }: { max: number; required: boolean }): Rule<string> {
  return (value) => {
    if (typeof value !== "string") return invalid(required ? `Enter the ${label}.` : `Enter the ${label} as text.`);
    const invisible = firstOf(INVISIBLE, value);
    if (invisible !== undefined) return invalid(`Remove the invisible character ${describeCharacter(invisible)}.`);
    const text = value.normalize("NFKC").trim();
    const messages: string[] = [];
    const control = firstOf(CONTROL, text);
    if (control !== undefined) messages.push(`Remove the control character ${describeCharacter(control)}.`);
    if (text.length > max) messages.push(`Keep the ${label} to ${max} characters or fewer.`);
    if (required && text.length === 0) messages.push(`Enter the ${label}.`);
    return messages.length > 0 ? { ok: false, messages } : valid(text);
  };
}
