import "server-only";
import type { Statement } from "@/lib/data/types";
import type { StatementLookup } from "@/lib/data/finance";
import { statementCsv } from "@/lib/finance/statement-csv";
import { statementPdf } from "@/lib/finance/statement-pdf";
import type { StatementFormat } from "@/lib/validation/finance";

/** A rendered statement, ready to send. */
export interface StatementFile {
  fileName: string;
  contentType: string;
  body: Buffer;
}

/**
 * "woodgrove-xxxx4821-2026-10.csv": ASCII only (no quoting or RFC 6266 `filename*` needed), the
 * account by its last four digits, never the full number (file names end up in download lists,
 * mail attachments and logs).
 */
export function statementFileName(maskedNumber: string, month: string, format: StatementFormat): string {
  const lastFour = maskedNumber.replace(/\D/g, "").slice(-4) || "0000";
  return `woodgrove-xxxx${lastFour}-${month}.${format}`;
}

/** The message for a statement that cannot be produced, worded for the person who asked. */
export function statementUnavailableMessage(lookup: Exclude<StatementLookup, { status: "found" }>): string {
  if (lookup.status === "not_found") return "We couldn't find that account.";
  return lookup.reason === "future" ? "There is no statement for a month that hasn't started yet." : "There is no statement for a month before this account was opened.";
}

/** Renders `statement` as CSV (UTF-8 with BOM) or PDF. The PDF shows `fullNumber`; the CSV does not. */
export async function renderStatementFile(statement: Statement, format: StatementFormat, fullNumber: string): Promise<StatementFile> {
  const fileName = statementFileName(statement.account.maskedNumber, statement.month, format);
  if (format === "csv") return { fileName, contentType: "text/csv; charset=utf-8; header=present", body: Buffer.from(statementCsv(statement), "utf8") };
  return { fileName, contentType: "application/pdf", body: await statementPdf(statement, fullNumber) };
}

/** Where a statement downloads from (app/(portal)/finance/accounts/[accountId]/statements/[month]/route.ts). */
export function statementUrl(input: { accountId: string; month: string; format: StatementFormat }): string {
  return `/finance/accounts/${encodeURIComponent(input.accountId)}/statements/${input.month}?format=${input.format}`;
}
