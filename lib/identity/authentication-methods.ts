import "server-only";
import { cache } from "react";
import { getGraphClient, GraphUnavailableError, type GraphClient } from "@/lib/identity/graph";
import { summarizeMethods, type MethodsSummary } from "@/lib/step-up/methods";

/**
 * Which kinds of sign-in method a person has registered, read through Microsoft Graph with the
 * app token (`UserAuthenticationMethod.Read.All`) and summarised for the transfer form's hint
 * (lib/step-up/methods.ts). Null when Graph cannot tell: unreachable, slow past the client's
 * timeout, the permission not granted, an answer the client refuses. Then the portal simply does
 * not know and says nothing extra; the step-up itself never depends on this.
 */
export async function readMethodsSummary(userObjectId: string, client: GraphClient = getGraphClient()): Promise<MethodsSummary | null> {
  try {
    return summarizeMethods(await client.listAuthenticationMethods(userObjectId));
  } catch (error) {
    if (error instanceof GraphUnavailableError) return null;
    throw error;
  }
}

/** `readMethodsSummary` with the process's Graph client, once per request (React `cache`). */
export const getMethodsSummary = cache((userObjectId: string) => readMethodsSummary(userObjectId));
