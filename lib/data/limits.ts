import "server-only";
import { prisma } from "@/lib/db";
import { failed, invalid, success, type HandlerResult } from "@/lib/actions/result";
import { recordAuditEvent } from "@/lib/data/audit";
import type { TransactionClient } from "@/lib/data/transaction";
import type { ActingUser } from "@/lib/data/types";
import { formatMoney, minorDigits } from "@/lib/format";
import type { LimitChangePolicyInput } from "@/lib/step-up/policy";
import type { UpdateLimitsInput } from "@/lib/validation/settings";

/**
 * Per-user transfer limits, one row per currency (TransferLimit); no row means the defaults.
 * `createTransfer` (lib/data/transfers.ts) reads them inside its own transaction, and the daily
 * total is still enforced by the source account's conditional counter (docs/database.md), so
 * concurrent transfers cannot pass the daily limit whatever the limit's value.
 */

/** Transfer limits in minor units of one currency. */
export interface TransferLimits {
  /** The largest single transfer. */
  perTransferMinor: bigint;
  /** The most that may leave one account per UTC day, all transfers together. */
  dailyMinor: bigint;
}

/** Defaults in whole currency units, scaled per currency like the step-up thresholds (lib/step-up/policy.ts). */
const DEFAULT_TRANSFER_LIMIT_UNITS = { perTransfer: 25_000n, daily: 50_000n } as const;

/** The bank's ceiling on what a customer may set, in whole currency units. */
const MAX_TRANSFER_LIMIT_UNITS = { perTransfer: 100_000n, daily: 200_000n } as const;

/** Answer when the limits changed since the form was shown (another tab, a concurrent change). */
export const LIMITS_CHANGED = "Your limits changed since this page was loaded. Nothing was changed. Reload the page and try again.";

function scaled(units: { perTransfer: bigint; daily: bigint }, currency: string): TransferLimits {
  const scale = 10n ** BigInt(minorDigits(currency));
  return { perTransferMinor: units.perTransfer * scale, dailyMinor: units.daily * scale };
}

/** The default limits for `currency`: 25,000.00 per transfer and 50,000.00 per account and UTC day. */
function defaultTransferLimits(currency: string): TransferLimits {
  return scaled(DEFAULT_TRANSFER_LIMIT_UNITS, currency);
}

/** The highest limits a customer may set in `currency`. */
function maxTransferLimits(currency: string): TransferLimits {
  return scaled(MAX_TRANSFER_LIMIT_UNITS, currency);
}

/** The user's limits in `currency` (their own, or the defaults). Pass `tx` to read inside a transaction. */
export async function getTransferLimits(user: ActingUser, currency: string, tx: TransactionClient = prisma): Promise<TransferLimits> {
  const row = await tx.transferLimit.findUnique({
    where: { userId_currency: { userId: user.id, currency } },
    select: { perTransferMinor: true, dailyMinor: true },
  });
  return row ?? defaultTransferLimits(currency);
}

/** One currency's limits as the settings page shows them (money as minor-unit strings). */
export interface TransferLimitSummary {
  currency: string;
  perTransferMinor: string;
  dailyMinor: string;
  /** True when the user never set their own. */
  isDefault: boolean;
  maxPerTransferMinor: string;
  maxDailyMinor: string;
}

/** The user's limits for every currency they can send from (checking and savings accounts). */
export async function listTransferLimits(user: ActingUser): Promise<TransferLimitSummary[]> {
  const [accounts, rows] = await Promise.all([
    prisma.bankAccount.findMany({ where: { ownerId: user.id, kind: { in: ["checking", "savings"] } }, select: { currency: true }, distinct: ["currency"], orderBy: { currency: "asc" } }),
    prisma.transferLimit.findMany({ where: { userId: user.id }, select: { currency: true, perTransferMinor: true, dailyMinor: true } }),
  ]);
  return accounts.map(({ currency }) => {
    const own = rows.find((row) => row.currency === currency);
    const limits = own ?? defaultTransferLimits(currency);
    const max = maxTransferLimits(currency);
    return {
      currency,
      perTransferMinor: limits.perTransferMinor.toString(),
      dailyMinor: limits.dailyMinor.toString(),
      isDefault: !own,
      maxPerTransferMinor: max.perTransferMinor.toString(),
      maxDailyMinor: max.dailyMinor.toString(),
    };
  });
}

/**
 * `limits.update`'s policy fact: whether the change raises a limit above the limits it starts from
 * (`current*`, what the form showed). The handler writes only if those are still the stored limits,
 * so this judgement holds for what is written.
 */
export async function getLimitChangePolicyInput(_user: ActingUser, input: UpdateLimitsInput): Promise<HandlerResult<LimitChangePolicyInput>> {
  return success({ raises: input.perTransferMinor > input.currentPerTransferMinor || input.dailyMinor > input.currentDailyMinor });
}

/**
 * Whether this limit change can be applied as things stand: the user can send from the currency
 * (else "not found"), the new limits are within the bank's ceiling (field errors), and the limits
 * it starts from (`current*`) are still the stored ones (else `LIMITS_CHANGED`). `limits.update`'s
 * precheck (before a raise asks for verification) and `updateTransferLimits` (inside its
 * transaction, where its compare-and-set write is what binds) both ask it.
 */
export async function checkLimitChange(user: ActingUser, input: UpdateLimitsInput, db: TransactionClient = prisma): Promise<HandlerResult<null>> {
  const { currency } = input;
  const account = await db.bankAccount.findFirst({ where: { ownerId: user.id, currency, kind: { in: ["checking", "savings"] } }, select: { id: true } });
  if (!account) return failed("We couldn't find an account in that currency.", "not_found");

  const max = maxTransferLimits(currency);
  const fieldErrors: Record<string, string[]> = {};
  if (input.perTransferMinor > max.perTransferMinor) fieldErrors.perTransfer = [`The highest limit per transfer is ${formatMoney(max.perTransferMinor, currency)}.`];
  if (input.dailyMinor > max.dailyMinor) fieldErrors.daily = [`The highest daily limit is ${formatMoney(max.dailyMinor, currency)}.`];
  if (Object.keys(fieldErrors).length > 0) return invalid(fieldErrors);

  const stored = await getTransferLimits(user, currency, db);
  if (stored.perTransferMinor !== input.currentPerTransferMinor || stored.dailyMinor !== input.currentDailyMinor) return failed(LIMITS_CHANGED);
  return success(null);
}

/**
 * Sets the user's limits in one currency, inside the action's transaction. Refused, writing
 * nothing: a currency the user cannot send from (as "not found"), amounts above the bank's
 * ceiling (field errors), and limits that are no longer `current*` (compare-and-set: a lowering
 * judged against limits that were meanwhile lowered further would otherwise raise them without
 * step-up). Audited as a settings change in the same transaction.
 */
export async function updateTransferLimits(
  tx: TransactionClient,
  user: ActingUser,
  input: UpdateLimitsInput,
  correlationId: string,
): Promise<HandlerResult<TransferLimitSummary>> {
  const { currency } = input;
  const checked = await checkLimitChange(user, input, tx);
  if (checked.status !== "success") return checked;
  const max = maxTransferLimits(currency);

  const expected = { perTransferMinor: input.currentPerTransferMinor, dailyMinor: input.currentDailyMinor };
  const next = { perTransferMinor: input.perTransferMinor, dailyMinor: input.dailyMinor };
  const existing = await tx.transferLimit.findUnique({ where: { userId_currency: { userId: user.id, currency } }, select: { perTransferMinor: true } });
  if (existing) {
    // Conditional on the values the change was judged against: zero rows means they changed.
    const updated = await tx.transferLimit.updateMany({ where: { userId: user.id, currency, ...expected }, data: next });
    if (updated.count === 0) return failed(LIMITS_CHANGED);
  } else {
    const defaults = defaultTransferLimits(currency);
    if (defaults.perTransferMinor !== expected.perTransferMinor || defaults.dailyMinor !== expected.dailyMinor) return failed(LIMITS_CHANGED);
    // A concurrent first change of the same currency fails on the primary key and rolls back.
    await tx.transferLimit.create({ data: { userId: user.id, currency, ...next } });
  }
  await recordAuditEvent(
    {
      userId: user.id,
      operation: "settings.limits",
      outcome: "changed",
      correlationId,
      details: {
        currency,
        perTransferMinor: next.perTransferMinor.toString(),
        dailyMinor: next.dailyMinor.toString(),
        previousPerTransferMinor: expected.perTransferMinor.toString(),
        previousDailyMinor: expected.dailyMinor.toString(),
      },
    },
    tx,
  );
  return success({
    currency,
    perTransferMinor: next.perTransferMinor.toString(),
    dailyMinor: next.dailyMinor.toString(),
    isDefault: false,
    maxPerTransferMinor: max.perTransferMinor.toString(),
    maxDailyMinor: max.dailyMinor.toString(),
  });
}
