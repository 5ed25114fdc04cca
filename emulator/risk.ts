/**
 * Simulated Identity Protection: sign-in risk from a few deterministic signals, and user risk set
 * by hand (control API, the admin console). Nothing here is Microsoft's detection logic; the
 * detection names and levels follow Graph's `riskEventType` and `riskLevel` values so policies,
 * tokens and sign-in logs look as they would with Entra ID P2. See emulator/README.md
 * ("Simulated Identity Protection") for the rules.
 *
 * @see https://learn.microsoft.com/entra/id-protection/concept-identity-protection-risks
 */
import { readFileSync } from "node:fs";
import { isIPv4, isIPv6 } from "node:net";
import { z } from "zod";
import type { DirectoryUser } from "./directory.js";
import type { RequestContext } from "./http.js";
import { isLoopback } from "./http.js";
import type { StateStore } from "./state.js";
import type { NetworkTable, RiskDetail, RiskLevel, RiskState, SignInHistory, SignInLocation, SignInRiskEventType } from "./types.js";

/**
 * What the user-risk functions need of the emulator: its persisted state (and, for `clientNetwork`,
 * the location table). Narrower than `Emulator`, so this module never imports `context.ts`, which
 * names these types; callers pass the whole handle.
 */
interface RiskHost {
  store: StateStore;
}

/** Graph's `riskLevel` values the emulator produces (`hidden` needs a licence it pretends to have). */
export const RISK_LEVELS = ["none", "low", "medium", "high"] as const satisfies readonly RiskLevel[];

const RANK: Record<RiskLevel, number> = { none: 0, low: 1, medium: 2, high: 3 };

/** The highest of some levels (`none` for none). */
export function maxRisk(...levels: RiskLevel[]): RiskLevel {
  return levels.reduce<RiskLevel>((a, b) => (RANK[b] > RANK[a] ? b : a), "none");
}

/** Travel faster than this between two located sign-ins is "impossible" (an airliner's cruise). */
export const PLAUSIBLE_SPEED_KMH = 900;
/** Shorter hops never count as travel: city-level locations are this coarse. */
export const MIN_TRAVEL_KM = 500;
/** Familiar IPs and browsers kept per user (oldest forgotten first). */
export const MAX_FAMILIAR = 20;

// ---------------------------------------------------------------------------------------------
// IP addresses and the location table

/** An IP address as a number, for prefix matching. */
interface ParsedIp {
  version: 4 | 6;
  value: bigint;
}

/** Strips an IPv4-mapped IPv6 prefix (`::ffff:127.0.0.1` → `127.0.0.1`) and an IPv6 zone. */
export function normalizeIp(address: string): string {
  const bare = address.trim().toLowerCase().replace(/%.*$/, "");
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(bare);
  return mapped?.[1] ?? bare;
}

function parseIp(address: string): ParsedIp | undefined {
  const ip = normalizeIp(address);
  if (isIPv4(ip)) return { version: 4, value: ip.split(".").reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n) };
  if (!isIPv6(ip)) return undefined;
  let text = ip;
  // An embedded IPv4 tail (`::ffff:1.2.3.4` not caught above, `64:ff9b::1.2.3.4`) becomes two groups.
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text)?.[1];
  if (tail) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split(".").map(Number);
    text = `${text.slice(0, -tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const headGroups = head ? head.split(":") : [];
  const restGroups = rest ? rest.split(":") : [];
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - restGroups.length).fill("0"), ...restGroups];
  return { version: 6, value: groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n) };
}

interface Cidr {
  version: 4 | 6;
  base: bigint;
  prefix: number;
}

function parseCidr(text: string): Cidr | undefined {
  const [address = "", bits] = text.split("/");
  const ip = parseIp(address);
  const prefix = Number(bits);
  if (!ip || bits === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (ip.version === 4 ? 32 : 128)) return undefined;
  return { version: ip.version, base: ip.value, prefix };
}

function inCidr(ip: ParsedIp, cidr: Cidr): boolean {
  if (ip.version !== cidr.version) return false;
  const shift = BigInt((ip.version === 4 ? 32 : 128) - cidr.prefix);
  return ip.value >> shift === cidr.base >> shift;
}

const cidrSchema = z.string().refine((s) => parseCidr(s) !== undefined, "not an IPv4 or IPv6 CIDR range");

/** Where a sign-in came from (Graph `signInLocation`, flattened coordinates). */
export const locationSchema = z.strictObject({
  city: z.string().min(1).max(64),
  state: z.string().min(1).max(64).optional(),
  countryOrRegion: z.string().regex(/^[A-Z]{2}$/, "a two-letter ISO 3166 code"),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
}) satisfies z.ZodType<SignInLocation>;

const tableSchema = z.strictObject({
  $comment: z.string().optional(),
  locations: z.array(locationSchema.extend({ cidr: cidrSchema })),
  anonymizers: z.array(z.strictObject({ cidr: cidrSchema, description: z.string().min(1) })),
});

/** Builds a table from a parsed document (validated with zod; throws with the issues). */
export function parseNetworkTable(input: unknown): NetworkTable {
  const doc = tableSchema.parse(input);
  const locations = doc.locations.map(({ cidr, ...location }) => ({ range: parseCidr(cidr) as Cidr, location }));
  const anonymizers = doc.anonymizers.map((a) => parseCidr(a.cidr) as Cidr);
  return {
    locate(ip) {
      const parsed = parseIp(ip);
      return parsed ? locations.find((l) => inCidr(parsed, l.range))?.location : undefined;
    },
    isAnonymizer(ip) {
      const parsed = parseIp(ip);
      return parsed !== undefined && anonymizers.some((range) => inCidr(parsed, range));
    },
  };
}

/** Loads `ip-locations.json`; a bad file stops the emulator with the file named. */
export function loadNetworkTable(file: string): NetworkTable {
  try {
    return parseNetworkTable(JSON.parse(readFileSync(file, "utf8")));
  } catch (err) {
    throw new Error(`Invalid network table ${file}: ${err instanceof z.ZodError ? z.prettifyError(err) : err instanceof Error ? err.message : String(err)}`);
  }
}

/** Great-circle distance in km (haversine, mean Earth radius). */
export function distanceKm(a: Pick<SignInLocation, "latitude" | "longitude">, b: Pick<SignInLocation, "latitude" | "longitude">): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The "IP" property compared for familiarity: every loopback address is one place (a browser
 * reaches `localhost` over 127.0.0.1 or ::1 as it pleases).
 */
export function familiarIpKey(ip: string): string {
  return isLoopback(ip) ? "loopback" : normalizeIp(ip);
}

/** A user agent's browser (with its version, when the agent states one) and operating system. */
export interface UserAgentParts {
  browser: "Edge" | "Firefox" | "Chrome" | "Safari" | "Other";
  version: string | null;
  os: "Windows" | "Android" | "iOS" | "macOS" | "Linux" | "other OS";
}

/** Splits a user agent into browser family, version and operating system (best effort, as Entra's logs are). */
export function parseUserAgent(userAgent: string): UserAgentParts {
  const [browser, token]: [UserAgentParts["browser"], RegExp | null] = /Edg(e|A|iOS)?\//.test(userAgent)
    ? ["Edge", /Edg(?:e|A|iOS)?\/([\d.]+)/]
    : /Firefox\/|FxiOS\//.test(userAgent)
      ? ["Firefox", /(?:Firefox|FxiOS)\/([\d.]+)/]
      : /Chrome\/|Chromium\/|CriOS\//.test(userAgent)
        ? ["Chrome", /(?:Chrome|Chromium|CriOS)\/([\d.]+)/]
        : /Safari\//.test(userAgent)
          ? ["Safari", /Version\/([\d.]+)/]
          : ["Other", null];
  const os = /Windows/.test(userAgent)
    ? "Windows"
    : /Android/.test(userAgent)
      ? "Android"
      : /iPhone|iPad|iOS/.test(userAgent)
        ? "iOS"
        : /Mac OS X|Macintosh/.test(userAgent)
          ? "macOS"
          : /Linux|X11/.test(userAgent)
            ? "Linux"
            : "other OS";
  return { browser, version: (token && token.exec(userAgent)?.[1]) ?? null, os };
}

/**
 * The "browser" property compared for familiarity: family and OS, not the full user agent, so a
 * browser update is not a new device (Entra compares device and browser, not version strings).
 */
export function browserFamily(userAgent: string | undefined): string {
  if (!userAgent) return "unknown";
  const { browser, os } = parseUserAgent(userAgent);
  return `${browser} on ${os}`;
}

// ---------------------------------------------------------------------------------------------
// Sign-in risk

/** One sign-in as the detections see it. */
export interface SignInObservation {
  ip: string;
  userAgent?: string;
  location?: SignInLocation;
  /** Emulator clock, ms. */
  at: number;
}

/** One simulated detection. */
export interface RiskDetection {
  riskEventType: SignInRiskEventType;
  level: RiskLevel;
  /** Human explanation for logs and the console. */
  detail: string;
}

/** The sign-in risk of one sign-in, before any remediation. */
export interface SignInRiskResult {
  level: RiskLevel;
  detections: RiskDetection[];
}

/**
 * Computes sign-in risk from the user's history (pure; the caller records history on success):
 *
 * - `anonymizedIPAddress` (high): the IP is in an anonymiser range of the table.
 * - `unfamiliarFeatures` (low for one new property, medium for both): the IP (all loopback counts
 *   as one) or the browser family was never seen in a successful sign-in of this user. A user with
 *   no history is in Entra's "learning" period and is never flagged, which also keeps a persona's
 *   first sign-in (and every e2e flow, always from loopback with one browser) risk-free.
 * - `unlikelyTravel` (medium): both this and the previous successful sign-in are located, more
 *   than `MIN_TRAVEL_KM` apart, and the implied speed exceeds `PLAUSIBLE_SPEED_KMH`.
 *
 * The sign-in's level is the highest detection's.
 */
export function detectSignInRisk(history: SignInHistory | undefined, observation: SignInObservation, table: NetworkTable): SignInRiskResult {
  const detections: RiskDetection[] = [];
  if (table.isAnonymizer(observation.ip)) {
    detections.push({ riskEventType: "anonymizedIPAddress", level: "high", detail: `Sign-in from an anonymising IP address (${normalizeIp(observation.ip)}).` });
  }
  if (history && (history.ips.length > 0 || history.browsers.length > 0)) {
    const newIp = !history.ips.includes(familiarIpKey(observation.ip));
    const family = browserFamily(observation.userAgent);
    const newBrowser = !history.browsers.includes(family);
    if (newIp || newBrowser) {
      const what = [newIp ? `IP address ${normalizeIp(observation.ip)}` : "", newBrowser ? `browser "${family}"` : ""].filter(Boolean).join(" and ");
      detections.push({ riskEventType: "unfamiliarFeatures", level: newIp && newBrowser ? "medium" : "low", detail: `Unfamiliar sign-in properties: ${what} not seen for this user before.` });
    }
  }
  const previous = history?.last;
  if (previous?.location && observation.location) {
    const km = distanceKm(previous.location, observation.location);
    const hours = Math.max(observation.at - previous.at, 1) / 3_600_000;
    if (km > MIN_TRAVEL_KM && km / hours > PLAUSIBLE_SPEED_KMH) {
      detections.push({
        riskEventType: "unlikelyTravel",
        level: "medium",
        detail: `Impossible travel: ${Math.round(km)} km from ${previous.location.city} to ${observation.location.city} in ${Math.round(hours * 60)} minutes.`,
      });
    }
  }
  return { level: maxRisk(...detections.map((d) => d.level)), detections };
}

/** Remembers a successful interactive sign-in: its IP and browser become familiar. */
export function rememberSignIn(emu: RiskHost, oid: string, observation: SignInObservation): void {
  const history = (emu.store.state.signInHistory[oid] ??= { ips: [], browsers: [] });
  const remember = (list: string[], value: string) => {
    const i = list.indexOf(value);
    if (i >= 0) list.splice(i, 1);
    list.push(value);
    list.splice(0, Math.max(0, list.length - MAX_FAMILIAR));
  };
  remember(history.ips, familiarIpKey(observation.ip));
  remember(history.browsers, browserFamily(observation.userAgent));
  history.last = { at: observation.at, ip: normalizeIp(observation.ip), ...(observation.location ? { location: observation.location } : {}) };
}

/** Where a request comes from: the user's override when one is set, else the socket's address. */
export function clientNetwork(emu: RiskHost & { network: NetworkTable }, ctx: RequestContext, oid: string | undefined): { ip: string; location?: SignInLocation } {
  const override = oid ? emu.store.state.networks[oid] : undefined;
  const ip = override?.ip ?? normalizeIp(ctx.req.socket.remoteAddress ?? "0.0.0.0");
  const location = override?.location ?? emu.network.locate(ip);
  return { ip, ...(location ? { location } : {}) };
}

// ---------------------------------------------------------------------------------------------
// User risk

/** Graph's `riskyUser`, as `GET /identityProtection/riskyUsers/{id}` returns it. */
export interface RiskyUser {
  id: string;
  userPrincipalName: string;
  userDisplayName: string;
  riskLevel: RiskLevel;
  riskState: RiskState;
  riskDetail: RiskDetail;
  riskLastUpdatedDateTime: string | null;
  isDeleted: false;
  isProcessing: false;
  /** Not in Graph's riskyUser (it lives on riskDetection); kept so the console can say why. */
  riskEventTypes: string[];
}

/** A user's risk in Graph's shape (a user never at risk is `none`/`none`). */
export function riskyUser(emu: RiskHost, user: DirectoryUser): RiskyUser {
  const record = emu.store.state.userRisk[user.oid];
  return {
    id: user.oid,
    userPrincipalName: user.userPrincipalName,
    userDisplayName: user.displayName,
    riskLevel: record?.riskLevel ?? "none",
    riskState: record?.riskState ?? "none",
    riskDetail: record?.riskDetail ?? "none",
    riskLastUpdatedDateTime: record ? new Date(record.updatedAt).toISOString() : null,
    isDeleted: false,
    isProcessing: false,
    riskEventTypes: record?.riskEventTypes ?? [],
  };
}

/** Every directory user with their risk (for the console's user list). */
export function listRiskyUsers(emu: RiskHost): RiskyUser[] {
  return emu.store.state.users.map((u) => riskyUser(emu, u));
}

/** The user risk Conditional Access sees: the level while at risk, otherwise `none`. */
export function effectiveUserRisk(emu: RiskHost, oid: string): RiskLevel {
  const record = emu.store.state.userRisk[oid];
  return record?.riskState === "atRisk" ? record.riskLevel : "none";
}

/**
 * Sets a user's risk by hand (what leaked-credential or admin "confirm compromised" would do).
 * `none` dismisses existing risk, as an admin's "Dismiss user risk" does.
 */
export function setUserRisk(emu: RiskHost, oid: string, level: RiskLevel, reason?: string): void {
  const previous = emu.store.state.userRisk[oid];
  emu.store.state.userRisk[oid] =
    level === "none"
      ? { riskLevel: "none", riskState: previous ? "dismissed" : "none", riskDetail: previous ? "adminDismissedAllRiskForUser" : "none", updatedAt: emu.store.now(), riskEventTypes: [] }
      : { riskLevel: level, riskState: "atRisk", riskDetail: "none", updatedAt: emu.store.now(), riskEventTypes: [reason ?? "generic"] };
}

/** A secure password change remediates user risk (Graph: `userPerformedSecuredPasswordChange`). */
export function remediateUserRisk(emu: RiskHost, oid: string): void {
  const record = emu.store.state.userRisk[oid];
  if (!record || record.riskState !== "atRisk") return;
  emu.store.state.userRisk[oid] = { ...record, riskLevel: "none", riskState: "remediated", riskDetail: "userPerformedSecuredPasswordChange", updatedAt: emu.store.now() };
}

// ---------------------------------------------------------------------------------------------
// Password changes (the passwordChange grant control)

/** Entra's cloud password rules: 8–256 characters and three of four character classes. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(next: string, confirm: string, current: string): string | undefined {
  if (!next) return "Enter a new password.";
  if (next !== confirm) return "The passwords don't match. Enter the same new password twice.";
  if (next.length < PASSWORD_MIN || next.length > PASSWORD_MAX) return `Your password must be between ${PASSWORD_MIN} and ${PASSWORD_MAX} characters.`;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(next)).length;
  if (classes < 3) return "Use at least three of these: lowercase letters, uppercase letters, numbers and symbols.";
  if (next === current) return "You can't reuse your current password. Choose a new one.";
  return undefined;
}
