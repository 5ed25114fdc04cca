import { z } from "@/lib/validation/zod";
import { isMonth, type Month } from "@/lib/finance/month";
import { parseAmount } from "@/lib/money";

/**
 * Schemas of the finance pages and statements. URL search parameters are user input like any
 * other: they are parsed here, every problem gets a message the page can show, and nothing
 * downstream sees a raw string.
 */

/** A month in the URL or an action's input: "2026-10". */
export const monthSchema = z
  .string({ error: "Give the month once, as YYYY-MM (for example 2026-10)." })
  .refine(isMonth, "Give the month as YYYY-MM, for example 2026-10.")
  .transform((value) => value as Month);

/** The two statement formats. */
const STATEMENT_FORMATS = ["csv", "pdf"] as const;

/** A statement format. */
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

/** `?format=` of a statement download. */
const statementFormatSchema = z.enum(STATEMENT_FORMATS, { error: "Choose the format csv or pdf." });

/**
 * Input of `prepareStatementDownloadAction` and of the statement route: which account, month and
 * format. Only the shape is checked here; ownership and the month's range are the data layer's
 * job (`getStatement` scopes by user).
 */
export const statementDownloadSchema = z.strictObject({
  accountId: z.string().trim().min(1, "Choose an account.").max(64, "Choose an account."),
  month: monthSchema,
  format: statementFormatSchema,
});

/** What a statement download names. */
export type StatementDownloadInput = z.infer<typeof statementDownloadSchema>;

/** The history's page size: one screen of rows on a laptop, few enough to read on a phone. */
export const HISTORY_PAGE_SIZE = 25;

/** The longest search text accepted (more is not a search, it is a paste accident). */
const MAX_SEARCH_LENGTH = 100;

/** Filters of the transaction history, validated; amounts in minor units of the account's currency. */
export interface HistoryFilters {
  /** Free text matched against description and counterparty (see `searchTerms`). */
  q?: string;
  /** First day included, "YYYY-MM-DD" (UTC). */
  from?: string;
  /** Last day included, "YYYY-MM-DD" (UTC). */
  to?: string;
  category?: string;
  /** Smallest amount, ignoring the sign (money in or out), in minor units. */
  minMinor?: bigint;
  /** Largest amount, ignoring the sign, in minor units. */
  maxMinor?: bigint;
  /** 1-based. */
  page: number;
}

/** The result of parsing the history's URL: filters, or every problem worded for the page. */
export type ParsedHistoryParams = { ok: true; filters: HistoryFilters } | { ok: false; errors: string[] };

/** Search parameters as Next.js hands them to a page. */
export type SearchParams = Record<string, string | string[] | undefined>;

/** An empty form field ("?q=&from=") means "no filter", as a person would expect. */
const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

const once = (label: string) => ({ error: `${label}: give it once.` });

function dayOnly(label: string) {
  return z
    .string(once(label))
    .trim()
    .refine((value) => isCalendarDay(value), `${label}: enter a date as YYYY-MM-DD, for example 2026-10-31.`);
}

function amountIn(currency: string, label: string) {
  return z.string(once(label)).transform((text, ctx) => {
    const parsed = parseAmount(text, currency);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: `${label}: ${parsed.message}` });
      return z.NEVER;
    }
    return parsed.minor;
  });
}

/**
 * The history's URL parameters (`q`, `from`, `to`, `category`, `min`, `max`, `page`) for an
 * account in `currency`. Amounts are parsed exactly (lib/money.ts) in the account's currency.
 */
function historyParamsSchema(currency: string) {
  return z
    .object({
      q: z.preprocess(blankToUndefined, z.string(once("Search")).trim().max(MAX_SEARCH_LENGTH, `Search: use at most ${MAX_SEARCH_LENGTH} characters.`).optional()),
      from: z.preprocess(blankToUndefined, dayOnly("From").optional()),
      to: z.preprocess(blankToUndefined, dayOnly("To").optional()),
      category: z.preprocess(
        blankToUndefined,
        z.string(once("Category")).regex(/^[a-z][a-z_]{0,39}$/, "Category: choose one from the list.").optional(),
      ),
      min: z.preprocess(blankToUndefined, amountIn(currency, "Minimum amount").optional()),
      max: z.preprocess(blankToUndefined, amountIn(currency, "Maximum amount").optional()),
      page: z.preprocess(
        blankToUndefined,
        z
          .string(once("Page"))
          .regex(/^\d{1,5}$/, "Page: give a page number.")
          .transform(Number)
          .refine((page) => page >= 1, "Page: give a page number.")
          .optional(),
      ),
    })
    .refine((value) => !value.from || !value.to || value.from <= value.to, { message: "The start date is after the end date.", path: ["to"] })
    .refine((value) => value.min === undefined || value.max === undefined || value.min <= value.max, {
      message: "The minimum amount is larger than the maximum.",
      path: ["max"],
    });
}

/** Parses the history page's search parameters; unknown parameters are ignored. */
export function parseHistoryParams(params: SearchParams, currency: string): ParsedHistoryParams {
  const parsed = historyParamsSchema(currency).safeParse(params);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((issue) => issue.message) };
  const { q, from, to, category, min, max, page } = parsed.data;
  return { ok: true, filters: { q, from, to, category, minMinor: min, maxMinor: max, page: page ?? 1 } };
}

/** True for an existing day written "YYYY-MM-DD" (rejects 2026-02-30). */
function isCalendarDay(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 2000 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Search text as the database sees it: words split on whitespace, at most five. LIKE's wildcard
 * characters (`%`, `_`) and its escape character (`\`) also split words and never reach the
 * database: Prisma's `contains` does not escape them, and SQLite's LIKE has no escape character
 * (Prisma emits no ESCAPE clause), so they could not be matched literally on both providers
 * alike. Every word must appear in the description or the counterparty.
 */
export function searchTerms(q: string | undefined): string[] {
  if (!q) return [];
  return q
    .split(/[\s%_\\]+/)
    .filter((term) => term.length > 0)
    .slice(0, 5);
}
