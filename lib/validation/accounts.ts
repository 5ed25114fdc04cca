import { z } from "@/lib/validation/zod";

/**
 * Input of `revealAccountNumberAction`: which of the user's accounts to show in full. Only the
 * shape is checked here; ownership is the data layer's job (`getFullAccountNumber` scopes by user).
 */
export const revealAccountNumberSchema = z.strictObject({
  accountId: z.string().trim().min(1, "Choose an account.").max(64, "Choose an account."),
});
