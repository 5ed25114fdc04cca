import { z } from "@/lib/validation/zod";
import { MAX_AMOUNT_MINOR, parseAmount } from "@/lib/money";
import { readableText } from "@/lib/validation/text";

/**
 * Input of `createTransferAction`, shared by the transfer form and the action.
 *
 * It accepts two shapes of the same request and gives one output:
 * - what the form sends: `amount` as the person typed it ("1,234.56"), with the `currency` of the
 *   source account it showed them;
 * - its own canonical form, which the step-up core stores in the pending operation and parses
 *   again on the retry (lib/step-up/enforce.ts): `amountMinor` as a decimal string of minor units.
 *
 * Only the shape is checked here. Ownership of the accounts and payee, and that `currency` is the
 * source account's, are the data layer's job (lib/data/transfers.ts). Unknown members (an owner,
 * a balance, a status) are refused by the enforcement core before this schema runs
 * (lib/security/input.ts), so a client that believes it sets them learns it does not.
 */

/** The longest memo, in characters. */
export const MEMO_MAX_LENGTH = 140;

/** An empty form field means "not given". */
const emptyToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

const id = (message: string) => z.string(message).trim().min(1, message).max(64, message);

const fields = z.object({
  fromAccountId: id("Choose the account to send from."),
  toAccountId: z.preprocess(emptyToUndefined, id("Choose where to send the money.").optional()),
  payeeId: z.preprocess(emptyToUndefined, id("Choose where to send the money.").optional()),
  currency: z.string("Choose the account to send from.").regex(/^[A-Z]{3}$/, "Choose the account to send from."),
  amount: z.preprocess(emptyToUndefined, z.string("Enter an amount.").optional()),
  amountMinor: z.string("Enter an amount.").optional(),
  // The receipt and the transfer API show the memo back (lib/validation/text.ts).
  memo: z.preprocess(emptyToUndefined, readableText("memo", { max: MEMO_MAX_LENGTH, required: false }).optional()),
  idempotencyKey: z.uuid("This form has expired. Reload the page and try again."),
});

/** The canonical amount: positive minor units without leading zeros, within `MAX_AMOUNT_MINOR`. */
const CANONICAL_MINOR = /^[1-9]\d{0,15}$/;

function amountOf(value: { amount?: string; amountMinor?: string; currency: string }): { ok: true; minor: bigint } | { ok: false; message: string } {
  if (value.amount !== undefined && value.amountMinor !== undefined) return { ok: false, message: "Enter the amount once." };
  if (value.amountMinor !== undefined) {
    if (!CANONICAL_MINOR.test(value.amountMinor) || BigInt(value.amountMinor) > MAX_AMOUNT_MINOR) {
      return { ok: false, message: "Enter an amount greater than zero." };
    }
    return { ok: true, minor: BigInt(value.amountMinor) };
  }
  return parseAmount(value.amount ?? "", value.currency);
}

/**
 * The transfer request: every field's errors at once (the cross-field ones included), then the
 * amount in minor units. Destination: exactly one of `toAccountId` (one of the person's own
 * accounts) and `payeeId`.
 */
export const transferSchema = fields
  .superRefine((value, ctx) => {
    const amount = amountOf(value);
    if (!amount.ok) ctx.addIssue({ code: "custom", path: ["amount"], message: amount.message });
    const destinations = [value.toAccountId, value.payeeId].filter((d) => d !== undefined).length;
    if (destinations !== 1) ctx.addIssue({ code: "custom", path: ["destination"], message: "Choose where to send the money." });
    else if (value.toAccountId === value.fromAccountId) {
      ctx.addIssue({ code: "custom", path: ["destination"], message: "Choose a different account to send to." });
    }
  })
  .transform(({ amount: _typed, amountMinor: _canonical, ...rest }, ctx) => {
    const amount = amountOf({ amount: _typed, amountMinor: _canonical, currency: rest.currency });
    if (!amount.ok) {
      ctx.addIssue({ code: "custom", path: ["amount"], message: amount.message });
      return z.NEVER;
    }
    const { toAccountId, payeeId, memo, ...required } = rest;
    // Absent members are left out rather than `undefined`, so a request and its replay compare equal.
    return {
      ...required,
      ...(toAccountId === undefined ? {} : { toAccountId }),
      ...(payeeId === undefined ? {} : { payeeId }),
      ...(memo === undefined ? {} : { memo }),
      amountMinor: amount.minor,
    };
  });

/** A validated transfer request: `amountMinor` is a positive bigint in minor units of `currency`. */
export type TransferInput = z.output<typeof transferSchema>;

/** What the form may send (every member as text). */
export type TransferFormInput = z.input<typeof transferSchema>;

/** Query of the JSON API's transfer list (`GET /api/v1/transfers?limit=20`). */
export const listTransfersQuerySchema = z.object({
  limit: z.preprocess(
    (value) => (value === undefined || value === null ? undefined : value),
    z.coerce.number("Enter a whole number from 1 to 100.").int("Enter a whole number from 1 to 100.").min(1, "Enter a whole number from 1 to 100.").max(100, "Enter a whole number from 1 to 100.").default(20),
  ),
});
