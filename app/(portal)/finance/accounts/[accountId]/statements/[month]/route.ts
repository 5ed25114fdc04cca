import type { NextRequest } from "next/server";
import { UNEXPECTED_FAILURE_MESSAGE, assertNever, failed, success } from "@/lib/actions/result";
import { getSession } from "@/lib/auth/session";
import { getFullAccountNumber } from "@/lib/data/accounts";
import { recordAuditEvent } from "@/lib/data/audit";
import { getStatement } from "@/lib/data/finance";
import { renderStatementFile, statementUnavailableMessage, type StatementFile } from "@/lib/finance/statement-file";
import { runProtected } from "@/lib/step-up/server/enforce";
import type { ProtectedDefinition } from "@/lib/step-up/server/operation";
import { getProofVerifier } from "@/lib/step-up/server/verify-proof";
import { statementDownloadSchema, type StatementDownloadInput } from "@/lib/validation/finance";

/**
 * GET …/statements/2026-10?format=csv|pdf: one monthly statement as a file, under
 * `finance.viewStatements` (session-bound). The enforcement core decides, as for the server
 * actions: the session's own strength (the sign-in, or an elevation in force) lets it run;
 * anything else is answered 403 "step-up required" and nothing is produced. This handler accepts
 * no proof itself: a person steps up through `prepareStatementDownloadAction` on the account
 * page (the same hook and dialog as "Show full number"), which elevates the session and then
 * sends the browser here.
 *
 * Answers: 200 with the file (`attachment`, `no-store`); 400 for a malformed month or format;
 * 401 without a session; 403 without the strength; 404 for someone else's account, an unknown
 * one (the same answer), or a month with no statement (in the future, before the account existed).
 */
const statementDownload: ProtectedDefinition<"finance.viewStatements", StatementDownloadInput, StatementFile> = {
  operation: "finance.viewStatements",
  schema: statementDownloadSchema,
  handler: async ({ user, input, tx, correlationId }) => {
    const lookup = await getStatement(user, input.accountId, input.month, { tx });
    if (lookup.status !== "found") return failed(statementUnavailableMessage(lookup));
    const fullNumber = await getFullAccountNumber(user, input.accountId, tx);
    if (!fullNumber) return failed(statementUnavailableMessage({ status: "not_found" }));
    const file = await renderStatementFile(lookup.statement, input.format, fullNumber);
    // Which statement left the bank, next to the core's "satisfied"/"executed" (same correlation id).
    await recordAuditEvent(
      { userId: user.id, operation: "finance.viewStatements", outcome: "downloaded", correlationId, details: { accountId: input.accountId, month: input.month, format: input.format } },
      tx,
    );
    return success(file);
  },
};

function problem(status: number, error: string, message: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ error, message, ...extra }, { status, headers: { "Cache-Control": "no-store" } });
}

export async function GET(request: NextRequest, { params }: RouteContext<"/finance/accounts/[accountId]/statements/[month]">): Promise<Response> {
  const session = await getSession();
  if (!session) return problem(401, "unauthenticated", "Sign in to download statements.");
  const { accountId, month } = await params;
  const input = { accountId, month, format: request.nextUrl.searchParams.get("format") ?? undefined };
  const result = await runProtected(statementDownload, { session, input, verifier: getProofVerifier() });
  switch (result.status) {
    case "success":
      return new Response(new Uint8Array(result.data.body), {
        headers: {
          "Content-Type": result.data.contentType,
          "Content-Disposition": `attachment; filename="${result.data.fileName}"`,
          "Content-Length": String(result.data.body.byteLength),
          "Cache-Control": "no-store",
        },
      });
    case "invalid":
      return problem(400, "invalid_request", Object.values(result.fieldErrors).flat().join(" "), { fieldErrors: result.fieldErrors });
    case "step_up_required":
      return problem(
        403,
        "step_up_required",
        "Statements need a recent verification. Open the account page and choose Download there: it asks you to verify first.",
        { operation: result.challenge.operation, correlationId: result.challenge.correlationId },
      );
    case "failed":
      if (result.code === "busy") return problem(503, "busy", result.message);
      return result.code === "unexpected" || result.message === UNEXPECTED_FAILURE_MESSAGE ? problem(500, "server_error", result.message) : problem(404, "not_found", result.message);
    default:
      return assertNever(result);
  }
}
