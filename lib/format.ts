/**
 * Display formatting for money and dates. Amounts stay integers of minor units end to end;
 * they become decimal strings only here, without passing through floating point
 * (`19.99 * 100` is `1998.9999999999998`).
 */

/** The number of minor-unit digits of a currency (2 for USD, 0 for JPY, 3 for BHD). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat("en-US", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Exact decimal string of an amount in minor units: 123456n, "USD" → "1234.56". */
export function minorToDecimalString(minor: bigint, currency: string): string {
  const digits = minorDigits(currency);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const scale = 10n ** BigInt(digits);
  const whole = abs / scale;
  const fraction = digits > 0 ? `.${(abs % scale).toString().padStart(digits, "0")}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/**
 * Formats minor units as currency, e.g. -123456n → "-$1,234.56". Intl formats decimal
 * strings exactly, so no precision is lost for any amount.
 */
export function formatMoney(minor: bigint | string, currency: string, options: { signDisplay?: "auto" | "always" | "exceptZero" } = {}): string {
  const value = typeof minor === "bigint" ? minor : BigInt(minor);
  const formatter = new Intl.NumberFormat("en-US", { style: "currency", currency, signDisplay: options.signDisplay ?? "auto" });
  return formatter.format(minorToDecimalString(value, currency) as unknown as number);
}

/** "12 Mar 2026" in the reader's calendar; dates are stored in UTC. */
export function formatDate(date: Date | string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(new Date(date));
}

/** "12 Mar 2026, 14:05 UTC". */
export function formatDateTime(date: Date | string): string {
  return `${new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" }).format(new Date(date))} UTC`;
}
