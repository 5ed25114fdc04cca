import { minorDigits } from "@/lib/format";

/**
 * Parsing money typed by a person, exactly: the text becomes an integer of minor units by string
 * arithmetic only, never through a float (`19.99 * 100` is `1998.9999999999998`). Client-safe.
 */

/**
 * The largest amount a form accepts, in minor units (10,000,000,000.00 in a two-digit currency).
 * Far above any limit, far below BigInt column and JSON-number trouble: it only bounds nonsense.
 */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000n;

/** The outcome of `parseAmount`: minor units, or a message to show next to the field. */
export type ParsedAmount = { ok: true; minor: bigint } | { ok: false; message: string };

/** Plain digits ("1234.5") or digits grouped by commas in threes ("1,234.5"); a leading "." is allowed (".50"). */
const AMOUNT_PATTERN = /^(?:\d+|\d{1,3}(?:,\d{3})+)?(?:\.\d+)?$/;

/** Longer input is nonsense or an attack on the parser; it is refused before any work. */
const MAX_INPUT_LENGTH = 32;

/**
 * Parses a positive amount as typed ("1,234.56") into minor units of `currency`
 * (`minorDigits`: USD 2, JPY 0, BHD 3). Rejects, each with its own message: empty input,
 * negatives, exponent notation and anything else that is not digits with optional grouping and
 * decimals, more decimals than the currency has, zero, and amounts above `MAX_AMOUNT_MINOR`.
 */
export function parseAmount(text: string, currency: string): ParsedAmount {
  const value = text.trim();
  if (value === "") return { ok: false, message: "Enter an amount." };
  if (value.length > MAX_INPUT_LENGTH) return { ok: false, message: "That amount is too large." };
  if (/^[-−]/.test(value)) return { ok: false, message: "Enter an amount greater than zero; it can't be negative." };
  if (!AMOUNT_PATTERN.test(value)) return { ok: false, message: "Enter the amount as digits, for example 1,234.56." };

  const digits = minorDigits(currency);
  const [wholeText = "", fraction = ""] = value.replaceAll(",", "").split(".");
  if (fraction.length > digits) {
    return {
      ok: false,
      message: digits === 0 ? `${currency} amounts have no decimal places.` : `${currency} amounts have at most ${digits} decimal place${digits === 1 ? "" : "s"}.`,
    };
  }
  const minor = BigInt(wholeText || "0") * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, "0") || "0");
  if (minor === 0n) return { ok: false, message: "Enter an amount greater than zero." };
  if (minor > MAX_AMOUNT_MINOR) return { ok: false, message: "That amount is too large." };
  return { ok: true, minor };
}
