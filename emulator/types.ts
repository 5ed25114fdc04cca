/**
 * The emulator's shared vocabulary: plain data types that several modules pass between them.
 *
 * Invariant: this file imports nothing from the emulator (type imports from packages are fine), so
 * any module can import it without creating a cycle; `test/import-graph.test.ts` checks it. Types
 * that belong to one module's behaviour stay in that module; the handle every handler receives,
 * `Emulator`, is in `context.ts`.
 */

/** Structured server-side log; never pass tokens, codes, secrets or cookies. */
export type Log = (event: string, fields?: Record<string, unknown>) => void;

// ---------------------------------------------------------------------------------------------
// Authentication

/** Times (emulator clock, ms) at which each factor was last verified interactively. */
export interface AuthSnapshot {
  passwordAt?: number;
  totpAt?: number;
  passkeyAt?: number;
  smsAt?: number;
}

/** An authentication step recorded during a sign-in. */
export interface AuthStep {
  method: "password" | "totp" | "sms" | "passkey" | "previous";
  requirement: "primary" | "mfa";
  succeeded: boolean;
  /** Emulator clock, ms. */
  at: number;
  detail?: string;
}

// ---------------------------------------------------------------------------------------------
// Simulated Identity Protection (risk.ts)

/** A sign-in or user risk level (`RISK_LEVELS` in risk.ts lists them, lowest first). */
export type RiskLevel = "none" | "low" | "medium" | "high";

/** Graph's `riskState` values the emulator produces. */
export type RiskState = "none" | "atRisk" | "remediated" | "dismissed";

/** Graph's `riskDetail` values the emulator produces. */
export type RiskDetail = "none" | "userPassedMFADrivenByRiskBasedPolicy" | "userPerformedSecuredPasswordChange" | "adminDismissedAllRiskForUser";

/** Sign-in risk detections the emulator simulates (Graph `riskEventType`). */
export type SignInRiskEventType = "unfamiliarFeatures" | "anonymizedIPAddress" | "unlikelyTravel";

/** Where a sign-in came from (Graph `signInLocation`, flattened coordinates); `locationSchema` in risk.ts validates it. */
export interface SignInLocation {
  city: string;
  state?: string;
  /** Two-letter ISO 3166 code. */
  countryOrRegion: string;
  latitude: number;
  longitude: number;
}

/** The IP → location table and the anonymising ranges (`emulator/ip-locations.json`). */
export interface NetworkTable {
  /** The first range containing the address wins. */
  locate(ip: string): SignInLocation | undefined;
  isAnonymizer(ip: string): boolean;
}

/** What the emulator remembers of a user's successful interactive sign-ins. */
export interface SignInHistory {
  /** `familiarIpKey` values, newest last. */
  ips: string[];
  /** `browserFamily` values, newest last. */
  browsers: string[];
  /** The last successful interactive sign-in (emulator clock), for impossible travel. */
  last?: { at: number; ip: string; location?: SignInLocation };
}

/** A test's or the console's stand-in for the user's network (control API). */
export interface NetworkOverride {
  ip: string;
  /** Overrides the table's location for this IP. */
  location?: SignInLocation;
}

/** Persisted user risk (emulator clock). */
export interface UserRiskRecord {
  riskLevel: RiskLevel;
  riskState: RiskState;
  riskDetail: RiskDetail;
  updatedAt: number;
  /** Why risk was raised (`leakedCredentials`, or `generic` when no reason was given). */
  riskEventTypes: string[];
}

// ---------------------------------------------------------------------------------------------
// The admin console (console.ts), an optional extra: only the console reads this state

/** A signed-in admin's console session. */
export interface ConsoleSession {
  oid: string;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
}

/** A console sign-in in progress, by its `state`. */
export interface PendingLogin {
  nonce: string;
  verifier: string;
  returnTo: string;
  createdAt: number;
}

/** The console's in-memory state (a restart signs everyone out of the console, nothing else). */
export interface ConsoleState {
  /** By SHA-256 of the cookie value, so a memory dump holds no usable cookie. */
  sessions: Map<string, ConsoleSession>;
  /** By `state`. */
  logins: Map<string, PendingLogin>;
  /** The dev CA, so the console can reach the emulator's token endpoint over HTTPS. */
  ca: Buffer;
}
