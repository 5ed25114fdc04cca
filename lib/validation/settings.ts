import { z } from "@/lib/validation/zod";
import { formSchema } from "@/lib/validation/form-schema";
import { createPayeeRules, updateLimitsRules, updatePayeeRules } from "@/lib/validation/settings-rules";

export type { CreatePayeeInput, UpdateLimitsInput, UpdatePayeeInput } from "@/lib/validation/settings-rules";

/**
 * Inputs of the settings actions (app/(portal)/settings/*). The forms that check their input in
 * the browser (payees, limits) do it with the plain rules in lib/validation/settings-rules.ts;
 * these are the same rules as the zod schemas the actions parse with, plus the inputs no form
 * checks first. Only the shape is checked here; ownership (a payee id, the current limits) is the
 * data layer's job. Unknown members (an owner, a status) are refused (strict objects), never used.
 */

/** A new payee: input of `createPayeeAction`. */
export const createPayeeSchema = formSchema(createPayeeRules);

/** A payee's new details: input of `updatePayeeAction` (an empty account number keeps the current one). */
export const updatePayeeSchema = formSchema(updatePayeeRules);

/** New transfer limits for one currency, with the limits the form showed: input of `updateLimitsAction`. */
export const updateLimitsSchema = formSchema(updateLimitsRules);

const id = (message: string) => z.string(message).trim().min(1, message).max(64, message);

/** Which payee to remove. */
export const removePayeeSchema = z.strictObject({ payeeId: id("Choose a payee.") });

/** Input of `removePayeeAction`. */
export type RemovePayeeInput = z.output<typeof removePayeeSchema>;

/** Email notifications: each one on or off. Booleans only: "false" as text is refused, not read as true. */
export const notificationPreferencesSchema = z.strictObject({
  emailOnTransfer: z.boolean("Choose on or off."),
  emailOnNewPayee: z.boolean("Choose on or off."),
  emailOnNewDevice: z.boolean("Choose on or off."),
});

/** Input of `updateNotificationPreferencesAction`. */
export type NotificationPreferencesInput = z.output<typeof notificationPreferencesSchema>;

/** "Sign out other sessions": nothing to choose; the payload is empty and the approval covers "all but this one". */
export const endOtherSessionsSchema = z.strictObject({});
