import { z } from "@/lib/validation/zod";
import { parseAmount } from "@/lib/money";
import { readableText } from "@/lib/validation/text";

/**
 * Inputs of the settings actions (app/(portal)/settings/*), shared by their forms and the actions.
 * Only the shape is checked here; ownership (a payee id, the current limits) is the data layer's
 * job. Unknown members (an owner, a status) are dropped by zod's object parsing, never used.
 *
 * The transaction-bound ones (payees, raising limits) must accept their own canonical form: the
 * step-up core stores the parsed input as the pending operation's payload and parses it again on
 * the retry (lib/step-up/enforce.ts), so money is a string of minor units there.
 */

/** The longest payee or bank name, in characters. */
export const PAYEE_NAME_MAX_LENGTH = 70;

/** A name a person reads (lib/validation/text.ts): a look-alike of another payee's name is refused. */
const text = (label: string, max: number) => readableText(label, { max, required: true });

const id = (message: string) => z.string(message).trim().min(1, message).max(64, message);

/** An account number as typed: digits, with spaces or hyphens between groups; 6 to 17 digits (a US account number's range). */
const accountNumber = z
  .string("Enter the account number.")
  .transform((value) => value.replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^\d{6,17}$/, "Enter the account number as 6 to 17 digits."));

/** An empty form field means "not given". */
const emptyToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** A new payee. */
export const createPayeeSchema = z.object({
  name: text("payee's name", PAYEE_NAME_MAX_LENGTH),
  bankName: text("bank's name", PAYEE_NAME_MAX_LENGTH),
  accountNumber,
});

/** Input of `createPayeeAction`. */
export type CreatePayeeInput = z.output<typeof createPayeeSchema>;

/**
 * A payee's new details. The account number is never sent to the browser (lists carry the masked
 * one), so an empty account number keeps the current one; absent, it is left out of the payload
 * rather than `undefined`, so a request and its replay compare equal.
 */
export const updatePayeeSchema = z.object({
  payeeId: id("Choose a payee."),
  name: text("payee's name", PAYEE_NAME_MAX_LENGTH),
  bankName: text("bank's name", PAYEE_NAME_MAX_LENGTH),
  accountNumber: z.preprocess(emptyToUndefined, accountNumber.optional()),
});

/** Input of `updatePayeeAction`. */
export type UpdatePayeeInput = z.output<typeof updatePayeeSchema>;

/** Which payee to remove. */
export const removePayeeSchema = z.object({ payeeId: id("Choose a payee.") });

/** Input of `removePayeeAction`. */
export type RemovePayeeInput = z.output<typeof removePayeeSchema>;

/** Email notifications: each one on or off. Booleans only: "false" as text is refused, not read as true. */
export const notificationPreferencesSchema = z.object({
  emailOnTransfer: z.boolean("Choose on or off."),
  emailOnNewPayee: z.boolean("Choose on or off."),
  emailOnNewDevice: z.boolean("Choose on or off."),
});

/** Input of `updateNotificationPreferencesAction`. */
export type NotificationPreferencesInput = z.output<typeof notificationPreferencesSchema>;

/** "Sign out other sessions": nothing to choose; the payload is empty and the approval covers "all but this one". */
export const endOtherSessionsSchema = z.object({});

/** The canonical amount: positive minor units without leading zeros. */
const CANONICAL_MINOR = /^[1-9]\d{0,15}$/;

function minorOf(typed: string | undefined, canonical: string | undefined, currency: string): { ok: true; minor: bigint } | { ok: false; message: string } {
  if (typed !== undefined && canonical !== undefined) return { ok: false, message: "Enter the amount once." };
  if (canonical !== undefined) return CANONICAL_MINOR.test(canonical) ? { ok: true, minor: BigInt(canonical) } : { ok: false, message: "Enter an amount greater than zero." };
  return parseAmount(typed ?? "", currency);
}

const limitFields = z.object({
  currency: z.string("Choose a currency.").regex(/^[A-Z]{3}$/, "Choose a currency."),
  perTransfer: z.string("Enter an amount.").optional(),
  perTransferMinor: z.string("Enter an amount.").optional(),
  daily: z.string("Enter an amount.").optional(),
  dailyMinor: z.string("Enter an amount.").optional(),
  currentPerTransferMinor: z.string("Reload the page and try again.").regex(CANONICAL_MINOR, "Reload the page and try again."),
  currentDailyMinor: z.string("Reload the page and try again.").regex(CANONICAL_MINOR, "Reload the page and try again."),
});

/**
 * New transfer limits for one currency, with the limits the form showed (`current*`). Whether the
 * change raises anything, and so whether it needs step-up (lib/step-up/policy.ts `limits.update`),
 * is decided against those; the data layer writes only if they are still the stored limits
 * (compare-and-set), so a change can never be judged against one value and applied over another.
 * Typed amounts ("30,000.00") or canonical minor units (the stored payload).
 */
export const updateLimitsSchema = limitFields
  .superRefine((value, ctx) => {
    const perTransfer = minorOf(value.perTransfer, value.perTransferMinor, value.currency);
    const daily = minorOf(value.daily, value.dailyMinor, value.currency);
    if (!perTransfer.ok) ctx.addIssue({ code: "custom", path: ["perTransfer"], message: perTransfer.message });
    if (!daily.ok) ctx.addIssue({ code: "custom", path: ["daily"], message: daily.message });
    if (perTransfer.ok && daily.ok && perTransfer.minor > daily.minor) {
      ctx.addIssue({ code: "custom", path: ["perTransfer"], message: "The limit per transfer can't be more than the daily limit." });
    }
  })
  .transform((value, ctx) => {
    const perTransfer = minorOf(value.perTransfer, value.perTransferMinor, value.currency);
    const daily = minorOf(value.daily, value.dailyMinor, value.currency);
    if (!perTransfer.ok || !daily.ok) {
      ctx.addIssue({ code: "custom", path: ["form"], message: "Check the amounts." });
      return z.NEVER;
    }
    return {
      currency: value.currency,
      perTransferMinor: perTransfer.minor,
      dailyMinor: daily.minor,
      currentPerTransferMinor: BigInt(value.currentPerTransferMinor),
      currentDailyMinor: BigInt(value.currentDailyMinor),
    };
  });

/** Input of `updateLimitsAction`: amounts as bigint minor units. */
export type UpdateLimitsInput = z.output<typeof updateLimitsSchema>;
