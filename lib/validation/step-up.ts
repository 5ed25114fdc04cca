import { z } from "@/lib/validation/zod";

/** Input of `cancelApprovalAction`: the pending operation the dialog was approving. */
export const cancelApprovalSchema = z.strictObject({
  pendingOperationId: z.string().min(1).max(64),
});

/** What the step-up dialog's Cancel sends. */
export type CancelApprovalInput = z.infer<typeof cancelApprovalSchema>;
