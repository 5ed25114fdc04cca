import "server-only";
import { getGraphClient, GraphUnavailableError, odataString, type GraphClient } from "@/lib/identity/graph";
import type { GraphDirectoryAudit, GraphSignIn } from "@/lib/identity/graph-types";

/**
 * The identity provider's side of a person's "Security activity": their sign-ins (interactive
 * and non-interactive, `GraphClient.listSignIns`) and the directory audit entries they initiated
 * (`GraphClient.listDirectoryAudits`: security info registered), read through Graph with the app
 * token for one time window. lib/activity-feed.ts joins them to the portal's audit rows.
 *
 * Each read is whole or `null` with the reason: Graph failing is an answer the page shows as a
 * note, never an error and never half a list. Nothing is cached: the feed is read after the
 * person acted, and must show what they just did.
 */

/** More than a person makes in the feed's window. */
const MAX_ENTRIES = 1_000;

/** One read's answer: the entries, or why they could not be read. */
export type Read<T> = { status: "ok"; entries: T[] } | { status: "unavailable"; reason: string };

/** Both reads for one person and window. */
export interface IdentityActivity {
  signIns: Read<GraphSignIn>;
  registrations: Read<GraphDirectoryAudit>;
}

async function read<T>(load: () => Promise<T[]>): Promise<Read<T>> {
  try {
    return { status: "ok", entries: await load() };
  } catch (error) {
    if (error instanceof GraphUnavailableError) return { status: "unavailable", reason: error.message };
    throw error;
  }
}

/** The person's sign-ins and security-info registrations since `since` (see the module comment). */
export async function readIdentityActivity(objectId: string, since: Date, client: GraphClient = getGraphClient()): Promise<IdentityActivity> {
  const from = since.toISOString();
  const [signIns, registrations] = await Promise.all([
    read(() => client.listSignIns(`userId eq ${odataString(objectId)} and createdDateTime ge ${from}`, MAX_ENTRIES)),
    // Graph's documented filters for directory audits: initiatedBy/user/id, category, activityDateTime.
    read(() => client.listDirectoryAudits(`initiatedBy/user/id eq ${odataString(objectId)} and category eq 'UserManagement' and activityDateTime ge ${from}`, MAX_ENTRIES)),
  ]);
  return { signIns, registrations };
}
