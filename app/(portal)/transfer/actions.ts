"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/actions/result";
import type { StepUpProof } from "@/lib/step-up/protocol";
import { protectedAction } from "@/lib/step-up/server/protected-action";
import { checkTransfer, createTransfer, getTransferPolicyInput, type TransferReceipt } from "@/lib/data/transfers";
import { transferSchema } from "@/lib/validation/transfers";

const createTransferCore = protectedAction("transfer.create", transferSchema, ({ user, input, tx, stepUp, correlationId }) => createTransfer(tx, user, input, { stepUp, correlationId }), {
  precheck: ({ user, input }) => checkTransfer(user, input),
  policyInput: ({ user, input }) => getTransferPolicyInput(user, input),
});

/**
 * Sends money: `transfer.create` (transaction-bound from the policy's threshold). A transfer that
 * cannot succeed (not enough money, past a limit...) is refused before any verification is asked
 * for. The policy's facts (the source account's currency, whether the payee is new, what left the
 * account today without verification) come from the database; the client sends only the request. From the threshold the first call answers `step_up_required`
 * with the stored payload; the retry `createTransferAction(input, { token, pendingOperationId })`
 * executes exactly that payload, in the transaction that consumes the approval. Balances shown
 * elsewhere are refreshed after a transfer ran (outside the core, as STYLE.md §3 asks).
 */
export async function createTransferAction(input: unknown, proof?: StepUpProof): Promise<ActionResult<TransferReceipt>> {
  const result = await createTransferCore(input, proof);
  if (result.status === "success") {
    revalidatePath("/transfer");
    revalidatePath("/dashboard");
  }
  return result;
}
