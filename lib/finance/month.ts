/**
 * Calendar months as "YYYY-MM" strings, in UTC (the ledger stores UTC instants and statements
 * cut at UTC midnight). Client-safe: pure functions, no Date arithmetic in local time.
 */

/** A calendar month, "2026-10". */
export type Month = `${number}-${string}`;

const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** True for a well-formed month between 2000-01 and 9999-12 ("2026-10"; not "2026-1" or "2026-13"). */
export function isMonth(value: string): value is Month {
  const match = MONTH_PATTERN.exec(value);
  return match !== null && Number(match[1]) >= 2000;
}

/** The month an instant falls in, in UTC. */
export function monthOf(date: Date): Month {
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, "0")}` as Month;
}

/** The first instant of a month (UTC midnight on the 1st). */
export function monthStart(month: Month): Date {
  const [year, monthNumber] = month.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(year, monthNumber - 1, 1));
}

/** The month `count` months after `month` (negative: before). */
export function addMonths(month: Month, count: number): Month {
  const start = monthStart(month);
  return monthOf(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + count, 1)));
}

/** The half-open UTC interval [start, end) of a month: what a statement for it covers. */
export function monthRange(month: Month): { start: Date; end: Date } {
  return { start: monthStart(month), end: monthStart(addMonths(month, 1)) };
}

/** `count` months ending with `last`, oldest first. */
export function monthsEndingWith(last: Month, count: number): Month[] {
  return Array.from({ length: count }, (_, index) => addMonths(last, index - count + 1));
}

/** "October 2026". */
export function formatMonth(month: Month): string {
  return new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(monthStart(month));
}

/** "Oct 2026", for chart axes. */
export function formatShortMonth(month: Month): string {
  return new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" }).format(monthStart(month));
}
