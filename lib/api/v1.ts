import "server-only";
import { failed, success } from "@/lib/actions/result";
import { readJsonBody } from "@/lib/api/body";
import { apiError, apiJson } from "@/lib/api/responses";
import { apiRoute, protectedRoute, type ApiDependencies, type RouteHandler } from "@/lib/api/route";
import { fieldErrorsOf } from "@/lib/actions/field-errors";
import { getAccountForUser, getFullAccountNumber, listAccountsForUser } from "@/lib/data/accounts";
import { checkTransfer, createTransfer, findTransferByIdempotencyKey, getTransferPolicyInput, listTransfers } from "@/lib/data/transfers";
import { revealAccountNumberSchema } from "@/lib/validation/accounts";
import { listTransfersQuerySchema, transferSchema } from "@/lib/validation/transfers";

/**
 * The JSON API for programmatic clients, `/api/v1/*`: the handlers behind the route
 * files in app/api/v1, built by one factory so tests can run them with their own verifier and
 * policy set. docs/step-up.md "API for programmatic clients" has the contract and curl examples.
 *
 * | route | operation | step-up |
 * |---|---|---|
 * | `GET /api/v1/accounts` | the caller's accounts, masked numbers | none |
 * | `GET /api/v1/accounts/{id}` | one account with its full number | `finance.viewStatements`: the token itself carries the context, fresh |
 * | `GET /api/v1/transfers?limit=` | the caller's latest transfers | none |
 * | `POST /api/v1/transfers` | `transfer.create`, `Idempotency-Key` required; a transfer that cannot succeed is refused (422, 404) before any challenge | from the threshold or past the day's unverified allowance: transaction-bound to the key |
 */
export interface ApiV1 {
  listAccounts: RouteHandler<Record<string, never>>;
  getAccount: RouteHandler<{ id: string }>;
  listTransfers: RouteHandler<Record<string, never>>;
  createTransfer: RouteHandler<Record<string, never>>;
}

/** The answer for an account id that does not exist or is someone else's (indistinguishable on purpose). */
const ACCOUNT_NOT_FOUND = "We couldn't find that account.";

/** Builds the API's handlers; the route files use the defaults (env's verifier and policy set). */
export function createApiV1(dependencies?: ApiDependencies): ApiV1 {
  return {
    listAccounts: apiRoute(async ({ user, correlationId }) => apiJson({ data: await listAccountsForUser(user), correlationId }), dependencies),

    getAccount: protectedRoute(
      {
        operation: "finance.viewStatements",
        schema: revealAccountNumberSchema,
        handler: async ({ user, input, tx }) => {
          const account = await getAccountForUser(user, input.accountId, tx);
          const fullNumber = account ? await getFullAccountNumber(user, input.accountId, tx) : null;
          // Someone else's account and a missing one get the same answer.
          if (!account || !fullNumber) return failed(ACCOUNT_NOT_FOUND, "not_found");
          return success({ ...account, fullNumber });
        },
      },
      { input: async ({ params }) => ({ ok: true, value: { accountId: params.id } }) },
      dependencies,
    ),

    listTransfers: apiRoute(async ({ user, request, correlationId }) => {
      const query = listTransfersQuerySchema.safeParse({ limit: new URL(request.url).searchParams.get("limit") ?? undefined });
      if (!query.success) {
        return apiError(422, "invalid_input", "The request has invalid fields.", correlationId, { fields: fieldErrorsOf(query.error) });
      }
      return apiJson({ data: await listTransfers(user, { limit: query.data.limit }), correlationId });
    }, dependencies),

    createTransfer: protectedRoute(
      {
        operation: "transfer.create",
        schema: transferSchema,
        precheck: ({ user, input }) => checkTransfer(user, input),
        handler: ({ user, input, tx, stepUp, correlationId }) => createTransfer(tx, user, input, { stepUp, correlationId }),
        policyInput: ({ user, input }) => getTransferPolicyInput(user, input),
      },
      {
        idempotencyKey: "required",
        input: async ({ request, idempotencyKey, correlationId }) => {
          const body = await readJsonBody(request, correlationId);
          if (!body.ok) return body;
          const value = body.value;
          if (typeof value !== "object" || value === null || Array.isArray(value)) {
            return { ok: false, response: apiError(422, "invalid_input", "Send the transfer as a JSON object.", correlationId, { fields: { form: ["Send the transfer as a JSON object."] } }) };
          }
          // One source for the key: a second one in the body could disagree with the header.
          if (Object.hasOwn(value, "idempotencyKey")) {
            return {
              ok: false,
              response: apiError(422, "invalid_input", "The request has invalid fields. Nothing was changed.", correlationId, {
                fields: { idempotencyKey: ["Send the idempotency key in the Idempotency-Key header, not in the body."] },
              }),
            };
          }
          return { ok: true, value: { ...value, idempotencyKey } };
        },
        replay: (user, input) => findTransferByIdempotencyKey(user, input),
        success: (receipt) => (receipt.replayed ? { status: 200, headers: { "Idempotent-Replayed": "true" } } : { status: 201 }),
      },
      dependencies,
    ),
  };
}

let defaultApi: ApiV1 | undefined;

/** The API as the route files serve it (created on first use). */
export function apiV1(): ApiV1 {
  defaultApi ??= createApiV1();
  return defaultApi;
}
