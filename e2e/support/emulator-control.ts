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

  /** A token for the portal API that is valid except in the named way. */
  async brokenToken(kind: BrokenTokenKind, oid: string, acrs?: string[]): Promise<string> {
    const { token } = await this.call<{ token: string }>("POST", "/tokens/broken", { kind, oid, ...(acrs ? { acrs } : {}) });
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

  rotateKeys(): Promise<unknown> {
    return this.call("POST", "/keys/rotate", {});
  }

  private call<T>(method: "GET" | "POST", route: string, body?: unknown): Promise<T> {
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
