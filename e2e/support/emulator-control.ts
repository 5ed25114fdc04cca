import https from "node:https";
import { readFileSync } from "node:fs";
import type { E2eSettings } from "./settings";

/** A user created in the emulator's directory for one test. */
export interface EmulatorUser {
  oid: string;
  userPrincipalName: string;
  displayName: string;
  password: string;
  totpSecret?: string;
  /** With the "sms" method: the phone the simulated codes go to. */
  phoneNumber?: string;
  passkey?: { credentialId: string; privateKeyPkcs8: string; userHandle: string; rpId: string };
}

export type SignInMethod = "totp" | "sms" | "passkey";
export type PolicySetName = "production" | "staging";

/** A simulated text message in the emulator's inbox. */
export interface SmsMessage {
  to: string;
  code: string;
  text: string;
  sentAt: string;
  expiresAt: string;
  used: boolean;
  expired: boolean;
}
/** Graph's `riskyUser` as the emulator returns it (simulated Identity Protection). */
export interface RiskyUser {
  id: string;
  userPrincipalName: string;
  riskLevel: "none" | "low" | "medium" | "high";
  riskState: "none" | "atRisk" | "remediated" | "dismissed";
  riskDetail: string;
  riskEventTypes: string[];
}

/** Where the emulator believes a user's sign-ins come from. */
export interface SimulatedNetwork {
  ip: string;
  location?: { city: string; state?: string; countryOrRegion: string; latitude: number; longitude: number };
}

/** Addresses from the emulator's simulated location table (emulator/ip-locations.json). */
export const SIMULATED_IPS = {
  /** An anonymising range (simulated Tor exit / VPN): sign-in risk high. */
  anonymizer: "203.0.113.200",
  sydney: "198.51.100.10",
  london: "192.0.2.130",
} as const;

/** A Conditional Access policy state. */
export type PolicyState = "enabled" | "enabledForReportingButNotEnforced" | "disabled";

/** A sign-in log entry (Graph `signIn`), the fields the tests read. */
export interface SignInLogEntry {
  id: string;
  createdDateTime: string;
  userId: string;
  appId: string;
  appDisplayName: string;
  correlationId: string;
  isInteractive: boolean;
  status: { errorCode: number; failureReason: string | null; additionalDetails: string | null };
  conditionalAccessStatus: "success" | "failure" | "notApplied";
  appliedConditionalAccessPolicies: { id: string; displayName: string; enforcedGrantControls: string[]; enforcedSessionControls: string[]; result: string }[];
  authenticationContextClassReferences: { id: string; detail: "required" | "previouslySatisfied" }[];
  authenticationDetails: { authenticationMethod: string; succeeded: boolean; authenticationStepRequirement: string }[];
  riskLevelDuringSignIn: string;
  riskState: string;
  riskDetail: string;
  riskEventTypes_v2: string[];
  uniqueTokenIdentifier: string;
}

export type ScriptedInteraction = "approve" | "deny" | "cancel" | "hang";
export type BrokenTokenKind =
  | "wrong-signature"
  | "alg-none"
  | "hs256-public-key"
  | "wrong-issuer"
  | "wrong-audience"
  | "wrong-tenant"
  | "wrong-azp"
  | "expired"
  | "not-yet-valid"
  | "missing-acrs"
  | "missing-auth-time"
  | "stale-auth-time"
  | "id-token";

/**
 * Typed client for the emulator's test control API (only present when the emulator runs with
 * --test-control). It trusts the dev CA explicitly, so it works whether or not the test
 * runner was started with NODE_EXTRA_CA_CERTS.
 */
export class EmulatorControl {
  private readonly ca: Buffer;

  constructor(private readonly settings: E2eSettings) {
    this.ca = readFileSync(settings.caFile);
  }

  /**
   * Returns the emulator to its starting state (directory.json's users, no sessions, no risk, the
   * starting policy set). Tenant-wide: only on an emulator of the test's own (`withOwnEmulator`),
   * never on the shared one other tests are using.
   */
  reset(): Promise<unknown> {
    return this.call("POST", "/reset", {});
  }

  /** Creates a user with the given second factors; every call gets a unique UPN. */
  createUser(input: {
    displayName?: string;
    methods: SignInMethod[];
    roles?: string[];
    /** false: a disabled account (AADSTS50057). */
    accountEnabled?: boolean;
    /** A user Conditional Access blocks (AADSTS53003), like the directory's "blocked" persona. */
    blockedByConditionalAccess?: boolean;
  }): Promise<EmulatorUser> {
    return this.call("POST", "/users", input);
  }

  /** A currently valid, not yet used TOTP code for the user. */
  async totpCode(oid: string): Promise<string> {
    const { code } = await this.call<{ code: string }>("GET", `/users/${encodeURIComponent(oid)}/totp`);
    return code;
  }

  /**
   * Makes this user's recorded verifications `seconds` older (their SSO sessions and refresh
   * tokens), without moving the shared clock other tests run on.
   */
  ageAuthentication(oid: string, seconds: number): Promise<unknown> {
    return this.call("POST", `/users/${encodeURIComponent(oid)}/age-authentication`, { seconds });
  }

  /** Moves the emulator's clock forward. */
  advanceClock(seconds: number): Promise<unknown> {
    return this.call("POST", "/clock", { advanceSeconds: seconds });
  }

  /** Scripts how the next interactive second-factor prompt ends. */
  scriptNextInteraction(action: ScriptedInteraction, oid?: string): Promise<unknown> {
    return this.call("POST", "/next-interaction", { action, ...(oid ? { oid } : {}) });
  }

  /**
   * A token for the portal API that is valid except in the named way; `issuedAt` (seconds since
   * the epoch) sets its `iat` and `nbf` instead of the emulator's now.
   */
  async brokenToken(kind: BrokenTokenKind, oid: string, acrs?: string[], options: { issuedAt?: number } = {}): Promise<string> {
    const { token } = await this.call<{ token: string }>("POST", "/tokens/broken", { kind, oid, ...(acrs ? { acrs } : {}), ...options });
    return token;
  }

  /** Text messages sent to the user, newest first. */
  async smsInbox(oid: string): Promise<SmsMessage[]> {
    const { messages } = await this.call<{ messages: SmsMessage[] }>("GET", `/sms?oid=${encodeURIComponent(oid)}`);
    return messages;
  }

  /** The code of the newest text message that is still usable. */
  async smsCode(oid: string): Promise<string> {
    const message = (await this.smsInbox(oid)).find((m) => !m.used && !m.expired);
    if (!message) throw new Error(`no usable SMS code for ${oid}`);
    return message.code;
  }

  /** Switches the active Conditional Access policy set (in memory; reset returns to the start set). */
  setPolicySet(set: PolicySetName): Promise<unknown> {
    return this.call("POST", "/policy-set", { set });
  }

  /** Token issuances that carried contexts no enforced policy targets. */
  async unenforcedIssuances(): Promise<{ at: string; oid: string; clientId: string; grant: string; policySet: string; contexts: string[] }[]> {
    const { issuances } = await this.call<{ issuances: { at: string; oid: string; clientId: string; grant: string; policySet: string; contexts: string[] }[] }>("GET", "/unenforced");
    return issuances;
  }

  /** Sets a user's risk by hand (simulated Identity Protection), e.g. high for leaked credentials. */
  setUserRisk(oid: string, userRisk: RiskyUser["riskLevel"], reason?: "leakedCredentials" | "generic"): Promise<RiskyUser> {
    return this.call("POST", `/users/${encodeURIComponent(oid)}/risk`, { userRisk, ...(reason ? { reason } : {}) });
  }

  /** A user's risk (Graph `riskyUser`). */
  userRisk(oid: string): Promise<RiskyUser> {
    return this.call("GET", `/users/${encodeURIComponent(oid)}/risk`);
  }

  /** From now on the user's sign-ins come from this IP (and its location in the emulator's table). */
  setNetwork(oid: string, network: SimulatedNetwork): Promise<unknown> {
    return this.call("POST", `/users/${encodeURIComponent(oid)}/network`, network);
  }

  /** Back to the real (loopback) address for this user's sign-ins. */
  clearNetwork(oid: string): Promise<unknown> {
    return this.call("DELETE", `/users/${encodeURIComponent(oid)}/network`);
  }

  /** Sign-in log entries, newest first (at most 100), for a user and/or a correlation id. */
  async signIns(filter: { userId?: string; correlationId?: string }): Promise<SignInLogEntry[]> {
    const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined)).toString();
    const { value } = await this.call<{ value: SignInLogEntry[] }>("GET", `/sign-ins${query ? `?${query}` : ""}`);
    return value;
  }

  /** The active policy set and each policy's state (and the state its file gives it). */
  policies(): Promise<{ set: PolicySetName; policies: { id: string; displayName: string; state: PolicyState; fileState: PolicyState }[] }> {
    return this.call("GET", "/policies");
  }

  /** Turns a policy of the active set on, report-only or off (persisted until a reset). */
  setPolicyState(policyId: string, state: PolicyState): Promise<unknown> {
    return this.call("POST", `/policies/${encodeURIComponent(policyId)}/state`, { state });
  }

  /** Lifts a user's authenticator-app lockout. */
  unlockAuthenticatorApp(oid: string): Promise<unknown> {
    return this.call("DELETE", `/users/${encodeURIComponent(oid)}/lockout`);
  }

  rotateKeys(): Promise<unknown> {
    return this.call("POST", "/keys/rotate", {});
  }

  private call<T>(method: "GET" | "POST" | "DELETE", route: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const request = https.request(
        `${this.settings.emulatorOrigin}/__control${route}`,
        {
          method,
          ca: this.ca,
          headers: {
            authorization: `Bearer ${this.settings.controlSecret}`,
            ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
          },
          timeout: 10_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if ((response.statusCode ?? 500) >= 400) {
              reject(new Error(`emulator control ${method} ${route} answered ${response.statusCode}: ${text}`));
              return;
            }
            resolve((text ? JSON.parse(text) : {}) as T);
          });
        },
      );
      request.on("timeout", () => request.destroy(new Error(`emulator control ${method} ${route} timed out`)));
      request.on("error", reject);
      if (payload) request.write(payload);
      request.end();
    });
  }
}
