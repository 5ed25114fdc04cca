import { apiV1 } from "@/lib/api/v1";

/** The caller's accounts (masked numbers). Bearer token only; see lib/api/v1.ts. */
export const GET = (request: Request, context: { params: Promise<Record<string, never>> }) => apiV1().listAccounts(request, context);
