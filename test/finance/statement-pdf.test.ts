/**
 * Statement PDF: a real PDF, one page for a short month, more pages (each with the table header
 * and footer, no stray blank page from the footer in the margin) for a long one.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Statement } from "../../lib/data/types";

const { statementPdf } = await import("../../lib/finance/statement-pdf");

function statementWith(count: number): Statement {
  const entries = Array.from({ length: count }, (_, index) => ({
    id: `le_${index}`,
    bookedAt: new Date(Date.UTC(2026, 9, 1 + (index % 30), 9)),
    description: `Groceries ${index} at a merchant with a name long enough to be cut at the column's edge`,
    counterparty: "Contoso Market",
    category: "groceries",
    amountMinor: "-1250",
    balanceMinor: String(500_000 - 1250 * (index + 1)),
  }));
  return {
    account: { id: "acct_1", name: "Everyday Checking", kind: "checking", currency: "USD", maskedNumber: "•••• 4821" },
    month: "2026-10",
    periodStart: new Date("2026-10-01T00:00:00Z"),
    periodEnd: new Date("2026-10-31T00:00:00Z"),
    toDate: false,
    openingBalanceMinor: "500000",
    closingBalanceMinor: String(500_000 - 1250 * count),
    totalInMinor: "0",
    totalOutMinor: String(1250 * count),
    entries,
  };
}

const pageCount = (pdf: Buffer) => (pdf.toString("latin1").match(/\/Type \/Page\b/g) ?? []).length;

test("a short statement is a one-page PDF", async () => {
  const pdf = await statementPdf(statementWith(5), "1200004821");
  assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
  assert.equal(pageCount(pdf), 1);
});

test("a long statement flows over pages without blank ones", async () => {
  // 120 rows of 16 points: about 1,900 points of table, so three or four A4 pages, never eight.
  const pages = pageCount(await statementPdf(statementWith(120), "1200004821"));
  assert.ok(pages >= 3 && pages <= 4, `${pages} pages`);
  assert.equal(pageCount(await statementPdf(statementWith(0), "1200004821")), 1);
});
