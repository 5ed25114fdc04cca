"use server";

import { failed, success } from "@/lib/actions/result";
import { protectedAction } from "@/lib/step-up/server/protected-action";
import { getStatement } from "@/lib/data/finance";
import { statementFileName, statementUnavailableMessage, statementUrl } from "@/lib/finance/statement-file";
import { statementDownloadSchema } from "@/lib/validation/finance";

/**
 * Readies a statement download: `finance.viewStatements` (session-bound), through the same hook
 * as "Show full number". When the session is not elevated it answers `step_up_required`; the
 * client verifies and retries once, which elevates the session, then navigates to the returned
 * URL, whose route handler checks the same policy again (and now passes). Within the elevation
 * window, further downloads run without a popup. Someone else's account and an unknown one get
 * the same answer.
 */
export const prepareStatementDownloadAction = protectedAction("finance.viewStatements", statementDownloadSchema, async ({ user, input, tx }) => {
  const lookup = await getStatement(user, input.accountId, input.month, { tx });
  if (lookup.status !== "found") return failed(statementUnavailableMessage(lookup));
  return success({ url: statementUrl(input), fileName: statementFileName(lookup.statement.account.maskedNumber, input.month, input.format) });
});
