import { MAX_AMOUNT_MINOR, parseAmount, type ParsedAmount } from "@/lib/money";
import { blankAsAbsent, formRules, id, matching, optional, text, uuid, type FormValues } from "@/lib/validation/rules";
import { readableText } from "@/lib/validation/text";

/**
 * The rules of a transfer request (lib/validation/rules.ts): the transfer form checks them in the
 * browser, and `transferSchema` (lib/validation/transfers.ts) runs them on the server for the
 * action and the JSON API.
 *
 * They accept two shapes of the same request and give one output:
 * - what the form sends: `amount` as the person typed it ("1,234.56"), with the `currency` of the
 *   source account it showed them;
 * - its own canonical form, which the step-up core stores in the pending operation and parses
 *   again on the retry (lib/step-up/server/enforce.ts): `amountMinor` as a decimal string of minor units.
 *
 * Only the shape is checked here. Ownership of the accounts and payee, and that `currency` is the
 * source account's, are the data layer's job (lib/data/transfers.ts). Unknown members (an owner,
 * a balance, a status) are refused by `transferSchema`'s strict object before these rules run
 * (lib/validation/form-schema.ts), so a client that believes it sets them learns it does not.
 */

/** A validated transfer request: `amountMinor` is a positive bigint in minor units of `currency`. */
export interface TransferInput {
  fromAccountId: string;
  /** Exactly one of `toAccountId` (one of the person's own accounts) and `payeeId`. */
  toAccountId?: string;
  payeeId?: string;
  currency: string;
  amountMinor: bigint;
  memo?: string;
  idempotencyKey: string;
}

/** The longest memo, in characters. */
export const MEMO_MAX_LENGTH = 140;

const fields = {
  fromAccountId: id("Choose the account to send from."),
  toAccountId: blankAsAbsent(id("Choose where to send the money.")),
  payeeId: blankAsAbsent(id("Choose where to send the money.")),
  currency: matching(/^[A-Z]{3}$/, "Choose the account to send from."),
  amount: blankAsAbsent(text("Enter an amount.")),
  amountMinor: optional(text("Enter an amount.")),
  // The receipt and the transfer API show the memo back (lib/validation/text.ts).
  memo: blankAsAbsent(readableText("memo", { max: MEMO_MAX_LENGTH, required: false })),
  idempotencyKey: uuid("This form has expired. Reload the page and try again."),
};

/** The canonical amount: positive minor units without leading zeros, within `MAX_AMOUNT_MINOR`. */
const CANONICAL_MINOR = /^[1-9]\d{0,15}$/;

/** The amount in minor units, typed or canonical; null when it is typed and there is no valid currency to read it in. */
function amountOf(value: Partial<FormValues<typeof fields>>): ParsedAmount | null {
  if (value.amount !== undefined && value.amountMinor !== undefined) return { ok: false, message: "Enter the amount once." };
  if (value.amountMinor !== undefined) {
    if (!CANONICAL_MINOR.test(value.amountMinor) || BigInt(value.amountMinor) > MAX_AMOUNT_MINOR) {
      return { ok: false, message: "Enter an amount greater than zero." };
    }
    return { ok: true, minor: BigInt(value.amountMinor) };
  }
  return value.currency === undefined ? null : parseAmount(value.amount ?? "", value.currency);
}

/**
 * The transfer request: every field's errors at once (the cross-field ones included), then the
 * amount in minor units. Destination: exactly one of `toAccountId` (one of the person's own
 * accounts) and `payeeId`, shown on the form's "To" field.
 */
export const transferRules = formRules({
  fields,
  check(values, report, passed) {
    if (passed("amount", "amountMinor")) {
      const amount = amountOf(values);
      if (amount && !amount.ok) report("amount", amount.message);
    }
    if (passed("toAccountId", "payeeId")) {
      const destinations = [values.toAccountId, values.payeeId].filter((d) => d !== undefined).length;
      if (destinations !== 1) report("destination", "Choose where to send the money.");
      else if (values.toAccountId === values.fromAccountId) report("destination", "Choose a different account to send to.");
    }
  },
  // Absent members are left out rather than `undefined`, so a request and its replay compare equal.
  output({ amount: _typed, amountMinor: _canonical, ...rest }, report): TransferInput | undefined {
    const amount = amountOf({ amount: _typed, amountMinor: _canonical, currency: rest.currency });
    if (!amount?.ok) {
      report("amount", amount?.message ?? "Enter an amount.");
      return undefined;
    }
    return { ...rest, amountMinor: amount.minor };
  },
});

