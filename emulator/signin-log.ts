/**
 * Sign-in logs in the shape of Microsoft Graph's `signIn` resource: one entry per interactive
 * sign-in (authorize completion or failure, each wrong password) and per non-interactive one
 * (refresh-token redemption, success or failure). Graph serves the two kinds apart: `v1.0` lists
 * interactive sign-ins only, `beta` lists the non-interactive ones when its `$filter` asks for
 * them by `signInEventTypes` (endpoints/graph.ts). Stored in `<dataDir>/signins.jsonl`, one entry
 * per line, because `state.json` is rewritten on every mutation and thousands of entries would
 * make that slow; the file is compacted to the newest `MAX_SIGN_INS` entries as it grows.
 *
 * @see https://learn.microsoft.com/graph/api/resources/signin
 */
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ClientApp } from "./apps.js";
import type { DirectoryUser } from "./directory.js";
import type { AadError } from "./errors.js";
import type { AppliedPolicy, Evaluation } from "./policy.js";
import { maxRisk, parseUserAgent } from "./risk.js";
import type { AuthStep, Log, RiskDetail, RiskLevel, RiskState, SignInLocation, SignInRiskEventType } from "./types.js";

/** Entries kept (oldest dropped first). */
export const MAX_SIGN_INS = 5000;

/** Graph `appliedConditionalAccessPolicy.result`, including the values behind `Prefer: include-unknown-enum-members`. */
export type AppliedPolicyResult = AppliedPolicy["result"] | "reportOnlyInterrupted";

/** Graph `authenticationDetail`. */
export interface AuthenticationDetail {
  authenticationMethod: string;
  authenticationMethodDetail?: string;
  succeeded: boolean;
  authenticationStepDateTime: string;
  authenticationStepRequirement: "Primary authentication" | "Multifactor authentication";
  authenticationStepResultDetail?: string;
}

/**
 * Graph's `signInEventTypes` values (beta). The emulator records only user sign-ins; the other two
 * are accepted in a `$filter` and match nothing.
 *
 * @see https://learn.microsoft.com/graph/api/resources/signin?view=graph-rest-beta
 */
export const SIGN_IN_EVENT_TYPES = ["interactiveUser", "nonInteractiveUser", "servicePrincipal", "managedIdentity"] as const;
/** One of `SIGN_IN_EVENT_TYPES`. */
export type SignInEventType = (typeof SIGN_IN_EVENT_TYPES)[number];

/**
 * Graph's `deviceDetail`. The emulator has no device registration, so every device is what Entra
 * logs for an unregistered one: no id, name or trust type, neither compliant nor managed; browser
 * and operating system come from the user agent.
 *
 * @see https://learn.microsoft.com/graph/api/resources/devicedetail
 */
export interface DeviceDetail {
  deviceId: string;
  displayName: string;
  operatingSystem: string;
  browser: string;
  isCompliant: boolean;
  isManaged: boolean;
  trustType: string;
}

/** A sign-in log entry: Graph's `signIn` (the v1.0 and beta properties the emulator can fill). */
export interface SignInLogEntry {
  id: string;
  createdDateTime: string;
  userId: string;
  userPrincipalName: string;
  userDisplayName: string;
  appId: string;
  appDisplayName: string;
  resourceId: string | null;
  resourceDisplayName: string | null;
  ipAddress: string;
  clientAppUsed: "Browser" | "Mobile Apps and Desktop clients";
  userAgent: string;
  correlationId: string;
  isInteractive: boolean;
  /** Beta only: the v1.0 endpoint leaves it out (endpoints/graph.ts). */
  signInEventTypes: ["interactiveUser"] | ["nonInteractiveUser"];
  deviceDetail: DeviceDetail;
  status: { errorCode: number; failureReason: string | null; additionalDetails: string | null };
  conditionalAccessStatus: "success" | "failure" | "notApplied";
  appliedConditionalAccessPolicies: {
    id: string;
    displayName: string;
    enforcedGrantControls: string[];
    enforcedSessionControls: string[];
    result: AppliedPolicyResult;
  }[];
  authenticationContextClassReferences: { id: string; detail: "required" | "previouslySatisfied" }[];
  authenticationRequirement: "singleFactorAuthentication" | "multiFactorAuthentication";
  authenticationDetails: AuthenticationDetail[];
  riskLevelDuringSignIn: RiskLevel;
  riskLevelAggregated: RiskLevel;
  riskState: RiskState;
  riskDetail: RiskDetail;
  riskEventTypes_v2: SignInRiskEventType[];
  /** The `uti` of the access token issued by this sign-in (empty when none was issued). */
  uniqueTokenIdentifier: string;
  location: { city: string | null; state: string | null; countryOrRegion: string | null; geoCoordinates: { latitude: number; longitude: number } | null };
}

const METHOD_NAMES: Record<AuthStep["method"], string> = {
  password: "Password",
  totp: "Software OATH token",
  sms: "SMS",
  passkey: "FIDO2 security key",
  previous: "Previously satisfied",
};

/** Everything needed to write one entry. */
export interface SignInEvent {
  /** Emulator clock, ms. */
  at: number;
  user: DirectoryUser;
  client: ClientApp;
  resource?: { id: string; displayName: string };
  interactive: boolean;
  correlationId: string;
  ip: string;
  userAgent?: string;
  location?: SignInLocation;
  /** Absent on success. */
  error?: AadError;
  additionalDetails?: string;
  /** Absent when Conditional Access was not evaluated (e.g. a wrong password). */
  evaluation?: Evaluation;
  /** Overrides the status derived from the policies (a persona's `blockedByConditionalAccess` flag). */
  conditionalAccessStatus?: "failure";
  /** Contexts the request asked for as essential, and whether this sign-in did the work for them. */
  contexts?: { id: string; detail: "required" | "previouslySatisfied" }[];
  steps: AuthStep[];
  risk: { level: RiskLevel; userLevel: RiskLevel; state: RiskState; detail: RiskDetail; eventTypes: SignInRiskEventType[] };
  uti?: string;
}

/** `deviceDetail` for an unregistered device with this user agent (see `DeviceDetail`). */
export function deviceDetailOf(userAgent: string | undefined): DeviceDetail {
  const agent = userAgent ? parseUserAgent(userAgent) : undefined;
  return {
    deviceId: "",
    displayName: "",
    operatingSystem: agent && agent.os !== "other OS" ? agent.os : "",
    browser: agent ? [agent.browser, agent.version].filter(Boolean).join(" ") : "",
    isCompliant: false,
    isManaged: false,
    trustType: "",
  };
}

/** Builds the Graph-shaped entry for an event. */
export function buildSignIn(event: SignInEvent): SignInLogEntry {
  const policies = event.evaluation?.policies ?? [];
  const enforcedApplied = policies.filter((p) => p.result === "success" || p.result === "failure");
  const conditionalAccessStatus = event.conditionalAccessStatus ?? (enforcedApplied.length === 0 ? "notApplied" : enforcedApplied.some((p) => p.result === "failure") ? "failure" : "success");
  // An enforced policy that asked for a factor or strength makes this a multi-factor sign-in.
  const mfaRequired = enforcedApplied.some((p) => p.enforcedGrantControls.some((c) => c === "Mfa" || c === "RequireAuthenticationStrength"));
  return {
    id: randomUUID(),
    createdDateTime: new Date(event.at).toISOString(),
    userId: event.user.oid,
    userPrincipalName: event.user.userPrincipalName,
    userDisplayName: event.user.displayName,
    appId: event.client.clientId,
    appDisplayName: event.client.displayName,
    resourceId: event.resource?.id ?? null,
    resourceDisplayName: event.resource?.displayName ?? null,
    ipAddress: event.ip,
    clientAppUsed: event.interactive ? "Browser" : "Mobile Apps and Desktop clients",
    userAgent: event.userAgent ?? "",
    correlationId: event.correlationId,
    isInteractive: event.interactive,
    signInEventTypes: [event.interactive ? "interactiveUser" : "nonInteractiveUser"],
    deviceDetail: deviceDetailOf(event.userAgent),
    status: {
      errorCode: event.error?.code ?? 0,
      failureReason: event.error ? event.error.description : null,
      additionalDetails: event.additionalDetails ?? null,
    },
    conditionalAccessStatus,
    appliedConditionalAccessPolicies: policies.map((p) => ({
      id: p.id,
      displayName: p.displayName,
      enforcedGrantControls: p.enforcedGrantControls,
      enforcedSessionControls: p.enforcedSessionControls,
      // Entra's "Report-only: User action required": an interactive sign-in the policy would
      // have interrupted for a factor or a password change.
      result: event.interactive && p.result === "reportOnlyFailure" && p.userActionable ? "reportOnlyInterrupted" : p.result,
    })),
    authenticationContextClassReferences: event.contexts ?? [],
    authenticationRequirement: mfaRequired ? "multiFactorAuthentication" : "singleFactorAuthentication",
    authenticationDetails: event.steps.map((s) => ({
      authenticationMethod: METHOD_NAMES[s.method],
      succeeded: s.succeeded,
      authenticationStepDateTime: new Date(s.at).toISOString(),
      authenticationStepRequirement: s.requirement === "primary" ? "Primary authentication" : "Multifactor authentication",
      ...(s.detail ? { authenticationStepResultDetail: s.detail } : {}),
    })),
    riskLevelDuringSignIn: event.risk.level,
    riskLevelAggregated: maxRisk(event.risk.level, event.risk.userLevel),
    riskState: event.risk.state,
    riskDetail: event.risk.detail,
    riskEventTypes_v2: event.risk.eventTypes,
    uniqueTokenIdentifier: event.uti ?? "",
    location: {
      city: event.location?.city ?? null,
      state: event.location?.state ?? null,
      countryOrRegion: event.location?.countryOrRegion ?? null,
      geoCoordinates: event.location ? { latitude: event.location.latitude, longitude: event.location.longitude } : null,
    },
  };
}

/** Builds, stores and logs (without secrets) one sign-in log entry. */
export function recordSignIn(emu: { signIns: SignInLogStore; log: Log }, event: SignInEvent): SignInLogEntry {
  const entry = buildSignIn(event);
  emu.signIns.append(entry);
  emu.log("sign_in", {
    id: entry.id,
    oid: entry.userId,
    interactive: entry.isInteractive,
    errorCode: entry.status.errorCode,
    conditionalAccessStatus: entry.conditionalAccessStatus,
    risk: entry.riskLevelDuringSignIn,
    correlationId: entry.correlationId,
  });
  return entry;
}

/** A parsed `$filter`: every clause must hold. */
export type SignInFilter = SignInFilterClause[];
/**
 * One clause. `gt`/`lt` are for the admin console's own queries; Graph's `$filter` parser
 * (`parseSignInFilter`) accepts only what Graph documents.
 */
export type SignInFilterClause =
  | { property: "userId" | "correlationId" | "appId" | "userPrincipalName"; op: "eq"; value: string }
  | { property: "userPrincipalName"; op: "startswith"; value: string }
  | { property: "createdDateTime"; op: "eq" | "ge" | "le" | "gt" | "lt"; value: number }
  /** `signInEventTypes/any(t: t eq 'a' or t ne 'b')`: some comparison holds for the entry's type. */
  | { property: "signInEventTypes"; op: "any"; anyOf: { op: "eq" | "ne"; value: SignInEventType }[] };

/** A `$filter` the emulator does not support; the message is safe to return to the caller. */
export class FilterError extends Error {}

const STRING_PROPS = ["userId", "correlationId", "appId", "userPrincipalName"] as const;
const QUOTED = /^'((?:[^']|'')*)'$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Splits `text` on a keyword (` and `, ` or `) outside quotes and parentheses. */
function splitTopLevel(text: string, keyword: "and" | "or"): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  const separator = new RegExp(`^\\s+${keyword}\\s+`, "i");
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === "(") depth += 1;
    else if (!quoted && ch === ")") depth -= 1;
    else if (!quoted && depth === 0 && /\s/.test(ch ?? "")) {
      const m = separator.exec(text.slice(i));
      if (m) {
        parts.push(text.slice(start, i));
        i += m[0].length - 1;
        start = i + 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

function unquote(raw: string): string | undefined {
  const m = QUOTED.exec(raw.trim());
  return m ? (m[1] ?? "").replace(/''/g, "'") : undefined;
}

/** Which API version's `signIn` the filter is for: only beta has `signInEventTypes`. */
export type GraphVersion = "v1.0" | "beta";

/**
 * Parses the subset of OData `$filter` Graph documents for sign-ins and the emulator supports,
 * clauses joined by `and`:
 * - `userId`, `correlationId`, `appId`, `userPrincipalName` `eq '…'`; `startswith(userPrincipalName,'…')`;
 * - `createdDateTime` `eq`, `ge` or `le` an unquoted ISO 8601 date-time;
 * - beta only: `signInEventTypes/any(t: t eq '…')`, comparisons `eq`/`ne` joined by `or`.
 *
 * Anything else (`or` between clauses, other functions, operators or properties) is a
 * `FilterError`, which Graph answers with 400 rather than ignoring.
 *
 * @see https://learn.microsoft.com/graph/api/resources/signin (which properties support which operators)
 * @see https://learn.microsoft.com/graph/api/signin-list?view=graph-rest-beta (the signInEventTypes filter)
 */
export function parseSignInFilter(text: string, version: GraphVersion = "v1.0"): SignInFilter {
  return splitTopLevel(text.trim(), "and").map((clause): SignInFilterClause => {
    const invalid = (why: string) => new FilterError(`Invalid filter clause: '${clause}'. ${why}`);
    const startsWith = /^startswith\(\s*([A-Za-z]+)\s*,\s*('(?:[^']|'')*')\s*\)$/i.exec(clause);
    if (startsWith) {
      const value = unquote(startsWith[2] ?? "");
      if (startsWith[1] !== "userPrincipalName" || value === undefined) throw invalid("startswith is supported on userPrincipalName only.");
      return { property: "userPrincipalName", op: "startswith", value };
    }
    const any = /^signInEventTypes\/any\(\s*([A-Za-z_]\w*)\s*:\s*(.+)\)$/.exec(clause);
    if (any) {
      if (version !== "beta") throw new FilterError("Could not find a property named 'signInEventTypes' on type 'microsoft.graph.signIn'.");
      const variable = any[1] ?? "";
      const anyOf = splitTopLevel(any[2] ?? "", "or").map((comparison) => {
        const m = new RegExp(`^${variable}\\s+(eq|ne)\\s+(.+)$`).exec(comparison);
        const value = m ? unquote(m[2] ?? "") : undefined;
        if (!m || value === undefined || !(SIGN_IN_EVENT_TYPES as readonly string[]).includes(value)) {
          throw invalid(`signInEventTypes/any takes '${variable} eq' or '${variable} ne' one of ${SIGN_IN_EVENT_TYPES.join(", ")}, joined by or.`);
        }
        return { op: m[1] as "eq" | "ne", value: value as SignInEventType };
      });
      return { property: "signInEventTypes", op: "any", anyOf };
    }
    const m = /^([A-Za-z]+)\s+([a-z]+)\s+(.+)$/.exec(clause);
    if (!m) throw invalid("Expected 'property operator value' or a supported function.");
    const [, property = "", op = "", raw = ""] = m;
    if ((STRING_PROPS as readonly string[]).includes(property)) {
      const value = unquote(raw);
      if (op !== "eq" || value === undefined) throw invalid(`${property} supports only eq with a quoted string.`);
      return { property: property as (typeof STRING_PROPS)[number], op: "eq", value };
    }
    if (property === "createdDateTime") {
      const value = raw.trim();
      const time = ISO_DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
      if (!["eq", "ge", "le"].includes(op) || Number.isNaN(time)) throw invalid("createdDateTime supports eq, ge and le with an unquoted ISO 8601 date-time.");
      return { property: "createdDateTime", op: op as "eq" | "ge" | "le", value: time };
    }
    throw invalid(`The emulator filters on userId, correlationId, appId, userPrincipalName, createdDateTime${version === "beta" ? " and signInEventTypes" : ""}.`);
  });
}

function matches(entry: SignInLogEntry, filter: SignInFilter): boolean {
  return filter.every((c) => {
    switch (c.property) {
      case "createdDateTime": {
        const t = Date.parse(entry.createdDateTime);
        return c.op === "eq" ? t === c.value : c.op === "ge" ? t >= c.value : c.op === "le" ? t <= c.value : c.op === "gt" ? t > c.value : t < c.value;
      }
      case "signInEventTypes":
        return entry.signInEventTypes.some((type) => c.anyOf.some((cmp) => (cmp.op === "eq" ? type === cmp.value : type !== cmp.value)));
      default:
        // Graph compares ids and UPNs case-insensitively.
        return c.op === "startswith" ? entry[c.property].toLowerCase().startsWith(c.value.toLowerCase()) : entry[c.property].toLowerCase() === c.value.toLowerCase();
    }
  });
}

/** Fills the properties an entry written by an older emulator lacks. */
function upgrade(entry: SignInLogEntry): SignInLogEntry {
  entry.signInEventTypes ??= [entry.isInteractive ? "interactiveUser" : "nonInteractiveUser"];
  entry.deviceDetail ??= deviceDetailOf(entry.userAgent || undefined);
  return entry;
}

interface Stored {
  seq: number;
  entry: SignInLogEntry;
}

/** A page of entries, newest first; `before` continues after the last one (a `$skiptoken`). */
export interface SignInPage {
  entries: SignInLogEntry[];
  before?: number;
}

/**
 * The sign-in log: in memory, appended to `signins.jsonl`. Reused by the Graph endpoint, the
 * control API and the admin console.
 */
export class SignInLogStore {
  readonly #file: string;
  #entries: Stored[] = [];
  #seq = 0;
  #lines = 0;

  constructor(dataDir: string, reset: boolean) {
    mkdirSync(dataDir, { recursive: true });
    this.#file = join(dataDir, "signins.jsonl");
    if (!reset && existsSync(this.#file)) {
      for (const line of readFileSync(this.#file, "utf8").split("\n")) {
        if (!line.trim()) continue;
        try {
          this.#entries.push({ seq: ++this.#seq, entry: upgrade(JSON.parse(line) as SignInLogEntry) });
        } catch {
          // A crash mid-append can leave half a line; the entries before it are intact.
        }
      }
      this.#entries.splice(0, Math.max(0, this.#entries.length - MAX_SIGN_INS));
    }
    this.#rewrite();
  }

  #rewrite(): void {
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, this.#entries.map((s) => `${JSON.stringify(s.entry)}\n`).join(""), { mode: 0o600 });
    renameSync(tmp, this.#file);
    this.#lines = this.#entries.length;
  }

  /** Adds an entry; compacts the file when it holds twice the cap. */
  append(entry: SignInLogEntry): void {
    this.#entries.push({ seq: ++this.#seq, entry });
    if (this.#entries.length > MAX_SIGN_INS) this.#entries.splice(0, this.#entries.length - MAX_SIGN_INS);
    if (this.#lines + 1 > 2 * MAX_SIGN_INS) this.#rewrite();
    else {
      appendFileSync(this.#file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
      this.#lines += 1;
    }
  }

  /** Drops every entry (control API reset). */
  clear(): void {
    this.#entries = [];
    this.#rewrite();
  }

  /** One entry by id. */
  get(id: string): SignInLogEntry | undefined {
    return this.#entries.find((s) => s.entry.id === id)?.entry;
  }

  /** Newest first, filtered, at most `top`, starting after `before` (a previous page's continuation). */
  query(filter: SignInFilter, top: number, before?: number): SignInPage {
    const out: Stored[] = [];
    for (let i = this.#entries.length - 1; i >= 0 && out.length <= top; i--) {
      const stored = this.#entries[i];
      if (!stored || (before !== undefined && stored.seq >= before)) continue;
      if (matches(stored.entry, filter)) out.push(stored);
    }
    const more = out.length > top;
    const page = out.slice(0, top);
    const last = page.at(-1);
    return { entries: page.map((s) => s.entry), ...(more && last ? { before: last.seq } : {}) };
  }
}
