import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { JWK } from "jose";
import type { DirectoryAuditEntry } from "./directory-audit.js";
import type { DirectoryUser } from "./directory.js";
import { parseDirectory } from "./directory.js";
import type { PolicyState } from "./policy.js";
import type { AuthSnapshot, NetworkOverride, RiskDetail, RiskLevel, RiskState, SignInHistory, UserRiskRecord } from "./types.js";

/** The emulator's SSO session, referenced by the `estsemu` cookie. */
export interface SsoSession {
  /** Storage key: a hash of the cookie value, so the state file holds no usable cookie. */
  id: string;
  /** Public session id (`sid` claim, `session_state`); never the cookie. */
  sid: string;
  oid: string;
  createdAt: number;
  auth: AuthSnapshot;
}

/**
 * The sign-in risk a code or refresh token carries from the interactive sign-in that produced it;
 * non-interactive sign-ins inherit it (remediated risk no longer matches risk policies).
 */
export interface CarriedSignInRisk {
  level: RiskLevel;
  state: RiskState;
  detail?: RiskDetail;
}

/** A one-time authorization code, stored by hash. */
export interface CodeRecord {
  clientId: string;
  redirectUri: string;
  /** The authorize request omitted redirect_uri, so the token request may too (RFC 6749 §4.1.3). */
  redirectUriDefaulted?: boolean;
  codeChallenge?: string;
  nonce?: string;
  scope: string;
  /** The raw `claims` JSON of the authorize request. */
  claims?: string;
  /** The authorize request carried `max_age`, so the ID token must carry `auth_time`. */
  maxAgeRequested?: boolean;
  sessionId: string;
  sid: string;
  oid: string;
  auth: AuthSnapshot;
  expiresAt: number;
  redeemed: boolean;
  /** Refresh-token family minted from this code, revoked if the code is replayed (RFC 6749 §4.1.2). */
  familyId: string;
  /** `uti` of the access token this code redeems for, already named in the sign-in log entry. */
  uti?: string;
  signInRisk?: CarriedSignInRisk;
  correlationId?: string;
}

/** A refresh token, stored by hash. */
export interface RefreshRecord {
  familyId: string;
  clientId: string;
  oid: string;
  sessionId: string;
  sid: string;
  scope: string;
  auth: AuthSnapshot;
  issuedAt: number;
  /** For an SPA, the expiry of the first refresh token of its family: rotation never extends it. */
  expiresAt: number;
  signInRisk?: CarriedSignInRisk;
}

/** A persisted RS256 signing key. */
export interface SigningKeyRecord {
  kid: string;
  privateJwk: JWK;
  /** Base64 DER of a self-signed certificate for the key (the JWKS's `x5c`); added on load when missing. */
  certificate?: string;
  createdAt: number;
  /** When a newer key replaced it; it stays published for the grace period. */
  retiredAt?: number;
}

/** A scripted answer for the next interactive MFA prompt (control API). */
export interface ScriptedInteraction {
  oid?: string;
  action: "approve" | "deny" | "cancel" | "hang";
}

/** A simulated text message carrying a one-time code (the inbox is public to tests and the console). */
export interface SmsMessage {
  id: string;
  oid: string;
  phoneNumber: string;
  code: string;
  sentAt: number;
  expiresAt: number;
  /** Set when the code was accepted; a code works once. */
  usedAt?: number;
}

/** Fields every Conditional Access record carries (token issuance, emulator clock). */
interface IssuanceRecord {
  at: number;
  oid: string;
  clientId: string;
  grant: "authorization_code" | "refresh_token";
  policySet: string;
  correlationId?: string;
}

/** Contexts issued although no enforced policy targets them (Entra issues them too). */
export interface UnenforcedIssuance extends IssuanceRecord {
  contexts: string[];
}

/** A report-only policy's would-be result at an issuance; never enforced. */
export interface ReportOnlyRecord extends IssuanceRecord {
  policyId: string;
  displayName: string;
  result: "reportOnlySuccess" | "reportOnlyFailure";
  contexts: string[];
}

/** How many Conditional Access records are kept (oldest dropped first) until sign-in logs exist. */
export const MAX_CA_RECORDS = 500;

/** Everything that survives a restart. */
export interface PersistedState {
  version: 1;
  clockOffsetMs: number;
  keys: SigningKeyRecord[];
  users: DirectoryUser[];
  sessions: Record<string, SsoSession>;
  codes: Record<string, CodeRecord>;
  refreshTokens: Record<string, RefreshRecord>;
  revokedFamilies: string[];
  lockouts: Record<string, { failures: number; lockedUntil?: number }>;
  /** TOTP time-steps already accepted, per user, so a code works once. */
  usedTotpSteps: Record<string, number[]>;
  scripted: ScriptedInteraction[];
  unenforced: UnenforcedIssuance[];
  reportOnly: ReportOnlyRecord[];
  smsInbox: SmsMessage[];
  /** Wrong SMS codes in a row, per user. */
  smsFailures: Record<string, number>;
  /** Simulated Identity Protection: user risk, per user. */
  userRisk: Record<string, UserRiskRecord>;
  /** Simulated client network (IP, location) per user, set through the control API. */
  networks: Record<string, NetworkOverride>;
  /** Familiar sign-in properties and the last located sign-in, per user. */
  signInHistory: Record<string, SignInHistory>;
  /**
   * Policy states changed in the console or by `POST /__control/policies/{id}/state`, by policy id
   * (ids are unique across the sets); the files' states apply to every other policy.
   */
  policyStates: Record<string, PolicyState>;
  /** When each policy's state was last changed (ISO 8601, emulator clock): its Graph `modifiedDateTime`. */
  policyModified: Record<string, string>;
  /** Graph's directory audit log, oldest first (directory-audit.ts). */
  directoryAudits: DirectoryAuditEntry[];
}

/** Hashes a bearer secret (code, refresh token) before it is used as a storage key. */
export function secretKey(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}

function freshState(users: DirectoryUser[], keys: SigningKeyRecord[]): PersistedState {
  return {
    version: 1,
    clockOffsetMs: 0,
    keys,
    users: structuredClone(users),
    sessions: {},
    codes: {},
    refreshTokens: {},
    revokedFamilies: [],
    lockouts: {},
    usedTotpSteps: {},
    scripted: [],
    unenforced: [],
    reportOnly: [],
    smsInbox: [],
    smsFailures: {},
    userRisk: {},
    networks: {},
    signInHistory: {},
    policyStates: {},
    policyModified: {},
    directoryAudits: [],
  };
}

/**
 * The emulator's state, kept in memory and written to `<dataDir>/state.json` after every mutation
 * (write a temp file, then rename, so a crash never leaves half a file).
 */
export class StateStore {
  state: PersistedState;
  readonly #file: string;
  readonly #directory: DirectoryUser[];

  constructor(dataDir: string, directory: DirectoryUser[], reset: boolean) {
    mkdirSync(dataDir, { recursive: true });
    this.#file = join(dataDir, "state.json");
    this.#directory = directory;
    this.state = !reset && existsSync(this.#file) ? this.#load() : freshState(directory, []);
    this.save();
  }

  #load(): PersistedState {
    const loaded = JSON.parse(readFileSync(this.#file, "utf8")) as PersistedState;
    if (loaded.version !== 1) throw new Error(`Unsupported emulator state version in ${this.#file}; start with --reset.`);
    loaded.users = parseDirectory({ users: loaded.users });
    // State written before these lists existed.
    loaded.unenforced ??= [];
    loaded.reportOnly ??= [];
    loaded.smsInbox ??= [];
    loaded.smsFailures ??= {};
    loaded.userRisk ??= {};
    loaded.networks ??= {};
    loaded.signInHistory ??= {};
    loaded.policyStates ??= {};
    loaded.policyModified ??= {};
    loaded.directoryAudits ??= [];
    // Users added to directory.json since the state was written appear without a reset.
    for (const user of this.#directory) {
      if (!loaded.users.some((u) => u.oid === user.oid)) loaded.users.push(structuredClone(user));
    }
    return loaded;
  }

  /** Emulator time in ms: wall clock plus the offset tests add through the control API. */
  now(): number {
    return Date.now() + this.state.clockOffsetMs;
  }

  /**
   * Converts an emulator time to the wall-clock Unix seconds written into tokens. Tokens carry
   * wall-clock `iat`/`nbf`/`exp` so relying parties accept them after the clock is advanced, while
   * `auth_time` moves back by the offset and so shows the age the emulator believes in.
   */
  toTokenSeconds(emulatorMs: number): number {
    return Math.floor((emulatorMs - this.state.clockOffsetMs) / 1000);
  }

  /** Back to directory.json: keeps the signing keys so verifiers holding the JWKS keep working. */
  reset(): void {
    this.state = freshState(this.#directory, this.state.keys);
    this.save();
  }

  /** Finds a user by object id. */
  user(oid: string): DirectoryUser | undefined {
    return this.state.users.find((u) => u.oid === oid);
  }

  /** Finds a user by UPN, case-insensitively as Entra does. */
  userByUpn(upn: string): DirectoryUser | undefined {
    const wanted = upn.trim().toLowerCase();
    return this.state.users.find((u) => u.userPrincipalName.toLowerCase() === wanted);
  }

  /** Drops expired codes and refresh tokens, then writes the file atomically. */
  save(): void {
    const now = this.now();
    for (const [k, v] of Object.entries(this.state.codes)) if (v.expiresAt < now) delete this.state.codes[k];
    for (const [k, v] of Object.entries(this.state.refreshTokens)) if (v.expiresAt < now) delete this.state.refreshTokens[k];
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state), { mode: 0o600 });
    renameSync(tmp, this.#file);
  }
}
