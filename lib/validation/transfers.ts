import { z } from "@/lib/validation/zod";
import { formSchema } from "@/lib/validation/form-schema";
import { transferRules } from "@/lib/validation/transfer-rules";

export type { TransferInput } from "@/lib/validation/transfer-rules";

/**
 * Input of `createTransferAction` and of `POST /api/v1/transfers`: the transfer rules
 * (lib/validation/transfer-rules.ts, which the transfer form runs in the browser) as the zod
 * schema the server parses with. Server-only in practice: importing it into a client component
 * would ship zod to the browser (`npm run bench:bundle` fails the page).
 */
export const transferSchema = formSchema(transferRules);

/** Query of the JSON API's transfer list (`GET /api/v1/transfers?limit=20`). */
export const listTransfersQuerySchema = z.strictObject({
  limit: z.preprocess(
    (value) => (value === undefined || value === null ? undefined : value),
    z.coerce.number("Enter a whole number from 1 to 100.").int("Enter a whole number from 1 to 100.").min(1, "Enter a whole number from 1 to 100.").max(100, "Enter a whole number from 1 to 100.").default(20),
  ),
});
