import type { GraphSignIn } from "@/lib/identity/graph-types";

/**
 * How the sign-in logs are read from Microsoft Graph, shared by the portal's Graph client
 * (lib/identity/graph.ts) and `npm run doctor` (scripts/doctor/checks.ts), so both read the same
 * entries. Pure: no requests, no environment.
 *
 * Graph serves the two kinds of user sign-in apart. `GET /v1.0/auditLogs/signIns` lists
 * interactive sign-ins only (https://learn.microsoft.com/graph/api/signin-list). Non-interactive
 * ones, a refresh token redeemed or a silent token request (how a c3 elevation within the hour is
 * satisfied), are listed only by `GET /beta/auditLogs/signIns` with
 * `$filter=signInEventTypes/any(t: t eq 'nonInteractiveUser')`
 * (https://learn.microsoft.com/graph/api/resources/signin?view=graph-rest-beta). A reader that
 * wants both makes both requests and merges the answers.
 */

/** Beta's filter clause for non-interactive user sign-ins. */
export const NON_INTERACTIVE_SIGN_INS = "signInEventTypes/any(t: t eq 'nonInteractiveUser')";

/** Graph's maximum (and default) page size for sign-ins. */
const SIGN_INS_PAGE_SIZE = 1_000;

/** One of the two reads: which kind it lists, and its path and query relative to Graph's root. */
export interface SignInRead {
  kind: "interactive" | "nonInteractive";
  path: string;
}

/**
 * The two requests that together list every user sign-in matching `filter` (an OData `$filter`
 * on the signIn resource, or "" for none), `top` entries per page.
 */
export function signInReads(filter: string, top: number = SIGN_INS_PAGE_SIZE): [SignInRead, SignInRead] {
  const $top = String(Math.min(Math.max(Math.trunc(top), 1), SIGN_INS_PAGE_SIZE));
  const query = (f: string) => new URLSearchParams(f ? { $filter: f, $top } : { $top });
  return [
    { kind: "interactive", path: `v1.0/auditLogs/signIns?${query(filter)}` },
    { kind: "nonInteractive", path: `beta/auditLogs/signIns?${query(filter ? `${filter} and ${NON_INTERACTIVE_SIGN_INS}` : NON_INTERACTIVE_SIGN_INS)}` },
  ];
}

/**
 * The two reads' entries as one list, newest first (as Graph orders each), each entry once, at
 * most `maxEntries`. Each read is newest first and holds up to `maxEntries`, so the newest
 * `maxEntries` of the union are all among them.
 */
export function mergeSignIns(lists: readonly (readonly GraphSignIn[])[], maxEntries: number): GraphSignIn[] {
  const byId = new Map<string, GraphSignIn>();
  for (const list of lists) for (const entry of list) if (!byId.has(entry.id)) byId.set(entry.id, entry);
  const time = (entry: GraphSignIn) => {
    const at = Date.parse(entry.createdDateTime);
    return Number.isFinite(at) ? at : Number.NEGATIVE_INFINITY;
  };
  return [...byId.values()].sort((a, b) => time(b) - time(a)).slice(0, maxEntries);
}
