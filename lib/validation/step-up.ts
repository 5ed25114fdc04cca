import { z } from "@/lib/validation/zod";

/** Input of `cancelApprovalAction`: the pending operation the dialog was approving. */
export const cancelApprovalSchema = z.strictObject({
  pendingOperationId: z.string().min(1).max(64),
});
