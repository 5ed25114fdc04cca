import { apiV1 } from "@/lib/api/v1";

/** The caller's latest transfers. Bearer token only; see lib/api/v1.ts. */
export const GET = (request: Request, context: { params: Promise<Record<string, never>> }) => apiV1().listTransfers(request, context);

/** Sends money (`transfer.create`); `Idempotency-Key` required. Bearer token only; see lib/api/v1.ts. */
export const POST = (request: Request, context: { params: Promise<Record<string, never>> }) => apiV1().createTransfer(request, context);
