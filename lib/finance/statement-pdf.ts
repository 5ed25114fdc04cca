import "server-only";
import PDFDocument from "pdfkit";
import type { Statement } from "@/lib/data/types";
import { formatDate, formatMoney } from "@/lib/format";
import { formatMonth, type Month } from "@/lib/finance/month";

/**
 * Statements as PDF, with pdfkit on the server (it reads its standard fonts from its package
 * folder, hence `serverExternalPackages: ["pdfkit"]` in next.config.ts). Helvetica's WinAnsi
 * encoding covers the seed's text ("Café", "••••"); characters outside it would print as
 * substitutes, a limit of the standard fonts (embed a TrueType font to lift it).
 *
 * The statement shows the **full** account number, as a bank's statement does (it is the
 * document a person hands over to set up a payment): the download runs under
 * `finance.viewStatements`, the same step-up as revealing the number on screen.
 */

const MARGIN = 50;
const PAGE = { width: 595.28, height: 841.89 }; // A4 in points
const COLUMNS = [
  { label: "Date", width: 80, align: "left" },
  { label: "Description", width: 215, align: "left" },
  { label: "Amount", width: 100, align: "right" },
  { label: "Balance", width: 100, align: "right" },
] as const;
const ROW_HEIGHT = 16;

/** "4402123456785034" → "4402 1234 5678 5034". */
function groupDigits(value: string): string {
  return value.replace(/(.{4})(?=.)/g, "$1 ");
}

/** Renders one statement; resolves to the PDF's bytes. `fullNumber` is the account's number in full. */
export function statementPdf(statement: Statement, fullNumber: string): Promise<Buffer> {
  const { account } = statement;
  const money = (minor: string) => formatMoney(minor, account.currency);
  const doc = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    bufferPages: true,
    info: { Title: `Statement ${statement.month}, ${account.name}`, Author: "Woodgrove Bank", Subject: "Account statement" },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  doc.font("Helvetica-Bold").fontSize(18).text("Woodgrove Bank");
  doc.font("Helvetica").fontSize(11).fillColor("#555555").text(`Account statement · ${formatMonth(statement.month as Month)}${statement.toDate ? " (to date)" : ""}`);
  doc.moveDown(1.2).fillColor("#000000");

  const details: Array<[string, string]> = [
    ["Account", account.name],
    ["Account number", groupDigits(fullNumber)],
    ["Currency", account.currency],
    ["Period", `${formatDate(statement.periodStart)} – ${formatDate(statement.periodEnd)}`],
  ];
  for (const [label, value] of details) {
    doc.font("Helvetica-Bold").fontSize(10).text(`${label}: `, { continued: true }).font("Helvetica").text(value);
  }
  doc.moveDown();
  const summary: Array<[string, string]> = [
    ["Opening balance", money(statement.openingBalanceMinor)],
    ["Money in", money(statement.totalInMinor)],
    ["Money out", money(`-${statement.totalOutMinor}`)],
    ["Closing balance", money(statement.closingBalanceMinor)],
  ];
  for (const [label, value] of summary) {
    const y = doc.y;
    doc.font("Helvetica").fontSize(10).text(label, MARGIN, y, { width: 200 });
    doc.text(value, MARGIN + 200, y, { width: 120, align: "right" });
  }
  doc.moveDown(1.5);

  const header = () => {
    const y = doc.y;
    let x = MARGIN;
    doc.font("Helvetica-Bold").fontSize(9);
    for (const column of COLUMNS) {
      doc.text(column.label, x, y, { width: column.width - 6, align: column.align });
      x += column.width;
    }
    doc.moveTo(MARGIN, y + ROW_HEIGHT - 4).lineTo(PAGE.width - MARGIN, y + ROW_HEIGHT - 4).lineWidth(0.5).stroke("#999999");
    doc.y = y + ROW_HEIGHT;
  };
  const row = (cells: readonly string[], bold = false) => {
    if (doc.y + ROW_HEIGHT > PAGE.height - MARGIN - 20) {
      doc.addPage();
      header();
    }
    const y = doc.y;
    let x = MARGIN;
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(9);
    COLUMNS.forEach((column, index) => {
      doc.text(cells[index] ?? "", x, y, { width: column.width - 6, align: column.align, lineBreak: false, ellipsis: true, height: ROW_HEIGHT });
      x += column.width;
    });
    doc.y = y + ROW_HEIGHT;
  };

  header();
  row([formatDate(statement.periodStart), "Opening balance", "", money(statement.openingBalanceMinor)], true);
  if (statement.entries.length === 0) row(["", "No transactions in this period", "", ""]);
  for (const entry of statement.entries) {
    const description = entry.counterparty && !entry.description.includes(entry.counterparty) ? `${entry.description} · ${entry.counterparty}` : entry.description;
    row([formatDate(entry.bookedAt), description, formatMoney(entry.amountMinor, account.currency, { signDisplay: "exceptZero" }), money(entry.balanceMinor)]);
  }
  row([formatDate(statement.periodEnd), "Closing balance", "", money(statement.closingBalanceMinor)], true);

  const range = doc.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index++) {
    doc.switchToPage(index);
    // The footer sits in the bottom margin; without this, pdfkit would start a new page for it.
    doc.page.margins.bottom = 0;
    doc
      .font("Helvetica")
      .fontSize(8)
      .fillColor("#777777")
      .text(`Woodgrove Bank · ${account.name} ${account.maskedNumber} · page ${index + 1} of ${range.count}`, MARGIN, PAGE.height - MARGIN + 10, {
        width: PAGE.width - 2 * MARGIN,
        align: "center",
        lineBreak: false,
      });
  }
  doc.end();
  return done;
}
