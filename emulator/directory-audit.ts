/**
 * Directory audit logs in the shape of Microsoft Graph's `directoryAudit` resource, for the one
 * activity the emulator performs on a user's behalf: registering security info (an authenticator
 * app or a passkey added during sign-in). Entra logs that as category "UserManagement",
 * activityDisplayName "User registered security info", loggedByService "Authentication Methods",
 * operationType "Add", initiated by the user and targeting the user. The `resultReason` wording
 * ("User registered FIDO2 security key") is the emulator's, after the method names its sign-in
 * log uses; a reader should match the method loosely.
 *
 * Kept in `state.json` (registrations are rare), newest `MAX_DIRECTORY_AUDITS`; `POST
 * /__control/reset` clears them with the rest of the state.
 *
 * @see https://learn.microsoft.com/graph/api/resources/directoryaudit
 * @see https://learn.microsoft.com/graph/api/directoryaudit-list
 */
import { randomUUID } from "node:crypto";
import type { DirectoryUser } from "./directory.js";

/** Entries kept (oldest dropped first). */
export const MAX_DIRECTORY_AUDITS = 1000;

/** Graph's `directoryAudit`, the properties the emulator fills. */
export interface DirectoryAuditEntry {
  id: string;
  category: string;
  correlationId: string;
  result: "success" | "failure";
  resultReason: string;
  activityDisplayName: string;
  activityDateTime: string;
  loggedByService: string;
  operationType: "Add" | "Update" | "Delete";
  initiatedBy: { app: null; user: { id: string; displayName: string | null; userPrincipalName: string; ipAddress: string | null; userType: null } };
  targetResources: { id: string; displayName: string | null; type: "User"; userPrincipalName: string; groupType: null; modifiedProperties: [] }[];
  additionalDetails: { key: string; value: string }[];
}

/** The kinds of security info a user can register in the emulator's sign-in. */
export type RegisteredMethod = "softwareOath" | "fido2";

const METHOD_NAMES: Record<RegisteredMethod, string> = { softwareOath: "Software OATH token", fido2: "FIDO2 security key" };

/** Builds the entry for a user registering security info. */
export function securityInfoRegistered(input: { at: number; user: DirectoryUser; method: RegisteredMethod; correlationId: string; ip?: string }): DirectoryAuditEntry {
  const { user } = input;
  return {
    id: `Authentication Methods_${randomUUID()}`,
    category: "UserManagement",
    correlationId: input.correlationId,
    result: "success",
    resultReason: `User registered ${METHOD_NAMES[input.method]}`,
    activityDisplayName: "User registered security info",
    activityDateTime: new Date(input.at).toISOString(),
    loggedByService: "Authentication Methods",
    operationType: "Add",
    initiatedBy: { app: null, user: { id: user.oid, displayName: null, userPrincipalName: user.userPrincipalName, ipAddress: input.ip ?? null, userType: null } },
    targetResources: [{ id: user.oid, displayName: null, type: "User", userPrincipalName: user.userPrincipalName, groupType: null, modifiedProperties: [] }],
    additionalDetails: [],
  };
}

/** Appends an entry to the list, dropping the oldest past the cap (the caller saves the state). */
export function appendDirectoryAudit(list: DirectoryAuditEntry[], entry: DirectoryAuditEntry): void {
  list.push(entry);
  if (list.length > MAX_DIRECTORY_AUDITS) list.splice(0, list.length - MAX_DIRECTORY_AUDITS);
}

/** A `$filter` the emulator does not support; the message is safe to return to the caller. */
export class DirectoryAuditFilterError extends Error {}

/** One clause of a parsed `$filter`; every clause must hold. */
export type DirectoryAuditFilterClause =
  | { property: "initiatedBy/user/id" | "category" | "activityDisplayName" | "correlationId" | "id"; op: "eq"; value: string }
  | { property: "activityDisplayName"; op: "startswith"; value: string }
  | { property: "activityDateTime"; op: "eq" | "ge" | "le"; value: number };

const QUOTED = /^'((?:[^']|'')*)'$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const unquote = (raw: string) => {
  const m = QUOTED.exec(raw.trim());
  return m ? (m[1] ?? "").replace(/''/g, "'") : undefined;
};

/**
 * Parses the subset of `$filter` Graph documents for directory audits that the emulator supports,
 * clauses joined by `and`: `initiatedBy/user/id`, `category`, `activityDisplayName`,
 * `correlationId`, `id` `eq '…'`; `startswith(activityDisplayName,'…')`; `activityDateTime`
 * `eq`/`ge`/`le` an unquoted ISO 8601 date-time. Anything else is a `DirectoryAuditFilterError` (a 400).
 */
export function parseDirectoryAuditFilter(text: string): DirectoryAuditFilterClause[] {
  return text
    .trim()
    .split(/\s+and\s+/i)
    .map((clause): DirectoryAuditFilterClause => {
      const invalid = (why: string) => new DirectoryAuditFilterError(`Invalid filter clause: '${clause}'. ${why}`);
      const startsWith = /^startswith\(\s*activityDisplayName\s*,\s*('(?:[^']|'')*')\s*\)$/.exec(clause);
      if (startsWith) return { property: "activityDisplayName", op: "startswith", value: unquote(startsWith[1] ?? "") ?? "" };
      const m = /^([A-Za-z/]+)\s+([a-z]+)\s+(.+)$/.exec(clause);
      if (!m) throw invalid("Expected 'property operator value' or startswith(activityDisplayName, '…').");
      const [, property = "", op = "", raw = ""] = m;
      if (property === "activityDateTime") {
        const value = raw.trim();
        const time = ISO_DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
        if (!["eq", "ge", "le"].includes(op) || Number.isNaN(time)) throw invalid("activityDateTime supports eq, ge and le with an unquoted ISO 8601 date-time.");
        return { property, op: op as "eq" | "ge" | "le", value: time };
      }
      if (["initiatedBy/user/id", "category", "activityDisplayName", "correlationId", "id"].includes(property)) {
        const value = unquote(raw);
        if (op !== "eq" || value === undefined) throw invalid(`${property} supports only eq with a quoted string.`);
        return { property: property as "category", op: "eq", value };
      }
      throw invalid("The emulator filters directory audits on initiatedBy/user/id, category, activityDisplayName, correlationId, id and activityDateTime.");
    });
}

function valueOf(entry: DirectoryAuditEntry, property: Exclude<DirectoryAuditFilterClause["property"], "activityDateTime">): string {
  return property === "initiatedBy/user/id" ? entry.initiatedBy.user.id : entry[property];
}

/** The entries matching `filter`, newest first. */
export function queryDirectoryAudits(list: readonly DirectoryAuditEntry[], filter: readonly DirectoryAuditFilterClause[]): DirectoryAuditEntry[] {
  const matches = (entry: DirectoryAuditEntry) =>
    filter.every((c) => {
      if (c.property === "activityDateTime") {
        const t = Date.parse(entry.activityDateTime);
        return c.op === "eq" ? t === c.value : c.op === "ge" ? t >= c.value : t <= c.value;
      }
      const value = valueOf(entry, c.property).toLowerCase();
      return c.op === "startswith" ? value.startsWith(c.value.toLowerCase()) : value === c.value.toLowerCase();
    });
  return list.filter(matches).reverse();
}
