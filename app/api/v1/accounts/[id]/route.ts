import { apiV1 } from "@/lib/api/v1";

/** One of the caller's accounts with its full number (`finance.viewStatements`). Bearer token only; see lib/api/v1.ts. */
export const GET = (request: Request, context: { params: Promise<{ id: string }> }) => apiV1().getAccount(request, context);
