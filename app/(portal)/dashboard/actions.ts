"use server";

import { failed, success } from "@/lib/actions/result";
import { protectedAction } from "@/lib/step-up/server/protected-action";
import { getFullAccountNumber } from "@/lib/data/accounts";
import { revealAccountNumberSchema } from "@/lib/validation/accounts";

/**
 * Shows one account's full number: `finance.viewStatements` (session-bound). The first call in
 * a session that is not elevated answers `step_up_required`; the client verifies and retries
 * once with `{ token }`, which elevates the session, so further reveals within the elevation
 * window run without a popup. The core audits every decision; the number itself is never logged.
 */
export const revealAccountNumberAction = protectedAction("finance.viewStatements", revealAccountNumberSchema, async ({ user, input, tx }) => {
  const fullNumber = await getFullAccountNumber(user, input.accountId, tx);
  // Someone else's account and a missing one look the same: nothing to reveal.
  if (!fullNumber) return failed("This account is not available.");
  return success({ accountId: input.accountId, fullNumber });
});
