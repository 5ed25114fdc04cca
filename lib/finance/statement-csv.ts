import { minorToDecimalString } from "@/lib/format";
import type { Statement } from "@/lib/data/types";

/**
 * Statements as CSV (RFC 4180), safe to open in a spreadsheet.
 *
 * The file: UTF-8 **with** a byte-order mark (Excel on Windows reads BOM-less CSV in the
 * machine's ANSI code page and would garble "Café" and "••••"; every other reader skips it),
 * CRLF line ends, one header row, then an "Opening balance" row, the entries oldest first, and a
 * "Closing balance" row: one rectangular table, so a spreadsheet sorts and sums it as is.
 *
 * Formula injection (OWASP "CSV Injection"; ASVS 5.0 v5.0.0-1.2.10): a spreadsheet runs a cell
 * that starts with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(...)` leaks data, DDE runs
 * commands), and tab, CR, LF or NUL before one can hide it. The rule has two kinds of cell:
 * - **Text** (descriptions, counterparties, categories, labels: anything that came from data) is
 *   always quoted, with `"` doubled, and gets a leading `'` when it starts with a trigger (also
 *   after leading whitespace) or a control character, even when it looks like a number ("-1",
 *   "-12.50"): text is never judged harmless by its shape.
 * - **Numbers** (amounts, balances) are written by this module from integer minor units
 *   (`minorToDecimalString`) and must match `-?digits[.digits]`; they stay unquoted and
 *   unprefixed, so `-12.50` is the number -12.5 in every spreadsheet, not text. A minus sign is
 *   only ever the sign of a number we formatted ourselves.
 * Dates are ISO days the module formats itself.
 */

/** A UTF-8 byte-order mark: the first character of every statement file. */
export const BYTE_ORDER_MARK = "\uFEFF";

/** The header row's labels. */
const STATEMENT_CSV_COLUMNS = ["Date", "Description", "Counterparty", "Category", "Amount", "Balance", "Currency", "Transaction ID"] as const;

/** Characters that make a spreadsheet treat a cell as a formula (with their full-width forms, which some locales accept). */
const FORMULA_START = /^\s*[=+\-@＝＋－＠]/u;
/** Characters that must not start a cell at all: they can hide a trigger or split the cell. */
const CONTROL_START = /^[\t\r\n\0]/;

/** A strictly formatted decimal number, the only kind of cell left unquoted. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** A text cell: neutralised (see the module comment) and quoted per RFC 4180. */
export function csvText(value: string): string {
  const safe = FORMULA_START.test(value) || CONTROL_START.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

/** A money cell from integer minor units: a plain decimal ("-12.50"), never quoted or prefixed. */
export function csvAmount(minor: bigint | string, currency: string): string {
  const text = minorToDecimalString(typeof minor === "bigint" ? minor : BigInt(minor), currency);
  // A guard on this module's own output: anything else must go through csvText.
  if (!PLAIN_NUMBER.test(text)) throw new Error("csvAmount produced a non-numeric cell");
  return text;
}

/** "2026-10-03" in UTC. */
function csvDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** One statement as the bytes of a CSV file (a string; encode it as UTF-8). */
export function statementCsv(statement: Statement): string {
  const { currency } = statement.account;
  const lastDay = statement.periodEnd;
  const rows: string[][] = [
    STATEMENT_CSV_COLUMNS.map(csvText),
    [csvDate(statement.periodStart), csvText("Opening balance"), csvText(""), csvText(""), "", csvAmount(statement.openingBalanceMinor, currency), csvText(currency), csvText("")],
    ...statement.entries.map((entry) => [
      csvDate(entry.bookedAt),
      csvText(entry.description),
      csvText(entry.counterparty ?? ""),
      csvText(entry.category),
      csvAmount(entry.amountMinor, currency),
      csvAmount(entry.balanceMinor, currency),
      csvText(currency),
      csvText(entry.id),
    ]),
    [csvDate(lastDay), csvText("Closing balance"), csvText(""), csvText(""), "", csvAmount(statement.closingBalanceMinor, currency), csvText(currency), csvText("")],
  ];
  return BYTE_ORDER_MARK + rows.map((row) => row.join(",")).join("\r\n") + "\r\n";
}
