import { parseAmount, type ParsedAmount } from "@/lib/money";
import { blankAsAbsent, formRules, id, invalid, matching, optional, text, valid, type Rule } from "@/lib/validation/rules";
import { readableText } from "@/lib/validation/text";

/**
 * The rules of the settings forms that check input in the browser (payees, transfer limits;
 * lib/validation/rules.ts), which the server runs again as the zod schemas of the settings
 * actions (lib/validation/settings.ts). Only the shape is checked here; ownership (a payee id, the
 * current limits) is the data layer's job. Members the rules do not name are refused by the
 * schemas' strict objects (lib/validation/form-schema.ts), never used.
 *
 * The transaction-bound ones (payees, raising limits) must accept their own canonical form: the
 * step-up core stores the parsed input as the pending operation's payload and parses it again on
 * the retry (lib/step-up/server/enforce.ts), so money is a string of minor units there.
 */

/** The longest payee or bank name, in characters. */
export const PAYEE_NAME_MAX_LENGTH = 70;

/** A name a person reads (lib/validation/text.ts): a look-alike of another payee's name is refused. */
const name = (label: string) => readableText(label, { max: PAYEE_NAME_MAX_LENGTH, required: true });

/** An account number as typed: digits, with spaces or hyphens between groups; 6 to 17 digits (a US account number's range). */
const accountNumber: Rule<string> = (value) => {
  if (typeof value !== "string") return invalid("Enter the account number.");
  const digits = value.replace(/[\s-]/g, "");
  return /^\d{6,17}$/.test(digits) ? valid(digits) : invalid("Enter the account number as 6 to 17 digits.");
};

/** A new payee. */
export interface CreatePayeeInput {
  name: string;
  bankName: string;
  accountNumber: string;
}

/** A new payee: input of `createPayeeAction`. */
export const createPayeeRules = formRules({
  fields: { name: name("payee's name"), bankName: name("bank's name"), accountNumber },
  output: (values): CreatePayeeInput => values,
});

/**
 * A payee's new details. The account number is never sent to the browser (lists carry the masked
 * one), so an empty account number keeps the current one; absent, it is left out of the payload
 * rather than `undefined`, so a request and its replay compare equal.
 */
export interface UpdatePayeeInput {
  payeeId: string;
  name: string;
  bankName: string;
  accountNumber?: string;
}

const updatePayeeFields = { payeeId: id("Choose a payee."), name: name("payee's name"), bankName: name("bank's name"), accountNumber: blankAsAbsent(accountNumber) };

/** A payee's new details: input of `updatePayeeAction`. */
export const updatePayeeRules = formRules({ fields: updatePayeeFields, output: (values): UpdatePayeeInput => values });

/** New transfer limits for one currency, in minor units, with the limits the form showed. */
export interface UpdateLimitsInput {
  currency: string;
  perTransferMinor: bigint;
  dailyMinor: bigint;
  currentPerTransferMinor: bigint;
  currentDailyMinor: bigint;
}

/** The canonical amount: positive minor units without leading zeros. */
const CANONICAL_MINOR = /^[1-9]\d{0,15}$/;

/** A limit in minor units, typed or canonical; null when it is typed and there is no valid currency to read it in. */
function minorOf(typed: string | undefined, canonical: string | undefined, currency: string | undefined): ParsedAmount | null {
  if (typed !== undefined && canonical !== undefined) return { ok: false, message: "Enter the amount once." };
  if (canonical !== undefined) return CANONICAL_MINOR.test(canonical) ? { ok: true, minor: BigInt(canonical) } : { ok: false, message: "Enter an amount greater than zero." };
  return currency === undefined ? null : parseAmount(typed ?? "", currency);
}

const amount = optional(text("Enter an amount."));
const shown = matching(CANONICAL_MINOR, "Reload the page and try again.");

/**
 * New transfer limits for one currency, with the limits the form showed (`current*`): input of
 * `updateLimitsAction`. Whether the change raises anything, and so whether it needs step-up
 * (lib/step-up/policy.ts `limits.update`), is decided against those; the data layer writes only
 * if they are still the stored limits (compare-and-set), so a change can never be judged against
 * one value and applied over another. Typed amounts ("30,000.00") or canonical minor units (the
 * stored payload).
 */
export const updateLimitsRules = formRules({
  fields: {
    currency: matching(/^[A-Z]{3}$/, "Choose a currency."),
    perTransfer: amount,
    perTransferMinor: amount,
    daily: amount,
    dailyMinor: amount,
    currentPerTransferMinor: shown,
    currentDailyMinor: shown,
  },
  check(values, report, passed) {
    if (!passed("perTransfer", "perTransferMinor", "daily", "dailyMinor")) return;
    const perTransfer = minorOf(values.perTransfer, values.perTransferMinor, values.currency);
    const daily = minorOf(values.daily, values.dailyMinor, values.currency);
    if (perTransfer && !perTransfer.ok) report("perTransfer", perTransfer.message);
    if (daily && !daily.ok) report("daily", daily.message);
    if (perTransfer?.ok && daily?.ok && perTransfer.minor > daily.minor) report("perTransfer", "The limit per transfer can't be more than the daily limit.");
  },
  output(values, report): UpdateLimitsInput | undefined {
    const perTransfer = minorOf(values.perTransfer, values.perTransferMinor, values.currency);
    const daily = minorOf(values.daily, values.dailyMinor, values.currency);
    if (!perTransfer?.ok || !daily?.ok) {
      report("form", "Check the amounts.");
      return undefined;
    }
    return {
      currency: values.currency,
      perTransferMinor: perTransfer.minor,
      dailyMinor: daily.minor,
      currentPerTransferMinor: BigInt(values.currentPerTransferMinor),
      currentDailyMinor: BigInt(values.currentDailyMinor),
    };
  },
});
