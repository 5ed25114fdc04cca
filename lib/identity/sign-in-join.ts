import "server-only";
import { getGraphClient, GraphUnavailableError, odataString, type GraphClient } from "@/lib/identity/graph";
import type { GraphSignIn } from "@/lib/identity/graph-types";

/**
 * Joins the portal's audit events to the identity provider's sign-in log entries, read through
 * Graph with the app token. The join keys, both set by the protocol rather than guessed:
 * - the **correlation id**: the portal generates it for a challenge and MSAL sends it as
 *   `client-request-id`, so the popup's sign-in carries it (the "required" event's id);
 * - the **token id** (`uti` = the sign-in's `uniqueTokenIdentifier`): the proof that approved an
 *   operation (the "executed"/"satisfied" event's `details.uti`).
 *
 * Sign-ins are read once per page view for the page's time window and the user's object id, and
 * kept for 30 seconds; Graph failing is an answer ("unavailable"), never an error. Both kinds are
 * read (`GraphClient.listSignIns`): a session-bound step-up such as c3 is often satisfied silently,
 * by a refresh token, and that sign-in is non-interactive, listed only by Graph's beta endpoint.
 */

const CACHE_MS = 30_000;
/** Sign-ins can be written a little before or after the portal's audit row (clocks, the popup). */
const WINDOW_SLACK_MS = 15 * 60_000;
const cache = new Map<string, { at: number; value: GraphSignIn[] }>();

/** The sign-ins for a set of events, keyed for the join. */
export type SignInLookup =
  | { status: "ok"; find: (event: { correlationId: string; details: Record<string, unknown> }) => GraphSignIn | null }
  | { status: "unavailable"; reason: string };

/** Reads the user's sign-ins around `events` and returns a lookup (see the module comment). */
export async function lookupSignIns(objectId: string, events: readonly { createdAt: Date }[], client: GraphClient = getGraphClient()): Promise<SignInLookup> {
  if (events.length === 0) return { status: "ok", find: () => null };
  const times = events.map((e) => e.createdAt.getTime());
  const from = new Date(Math.min(...times) - WINDOW_SLACK_MS).toISOString();
  const to = new Date(Math.max(...times) + WINDOW_SLACK_MS).toISOString();
  const key = `${objectId} ${from} ${to}`;
  let signIns = cache.get(key);
  if (!signIns || Date.now() - signIns.at > CACHE_MS) {
    try {
      const value = await client.listSignIns(`userId eq ${odataString(objectId)} and createdDateTime ge ${from} and createdDateTime le ${to}`, 2_000);
      signIns = { at: Date.now(), value };
      if (cache.size > 500) cache.clear();
      cache.set(key, signIns);
    } catch (error) {
      if (error instanceof GraphUnavailableError) return { status: "unavailable", reason: error.message };
      throw error;
    }
  }
  const byCorrelation = new Map<string, GraphSignIn>();
  const byToken = new Map<string, GraphSignIn>();
  // Newest first from Graph; the first entry per key wins unless a later one issued a token.
  for (const entry of signIns.value) {
    const current = byCorrelation.get(entry.correlationId);
    if (!current || (!current.uniqueTokenIdentifier && entry.uniqueTokenIdentifier)) byCorrelation.set(entry.correlationId, entry);
    if (entry.uniqueTokenIdentifier) byToken.set(entry.uniqueTokenIdentifier, entry);
  }
  return {
    status: "ok",
    find: (event) => {
      const uti = event.details.uti;
      return (typeof uti === "string" ? byToken.get(uti) : undefined) ?? byCorrelation.get(event.correlationId) ?? null;
    },
  };
}
