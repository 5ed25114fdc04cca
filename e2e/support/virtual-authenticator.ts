import type { CDPSession, Page } from "@playwright/test";
import type { EmulatorUser } from "./emulator-control";

/** The demo/test passkey the emulator's control API hands out with a user (`methods: ["passkey"]`). */
export type TestPasskey = NonNullable<EmulatorUser["passkey"]>;

/** A Chromium virtual authenticator attached to one page (CDP `WebAuthn` domain). */
export interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
  /** The credentials the authenticator holds now, with their sign counts. */
  credentials(): Promise<{ credentialId: string; signCount: number; rpId?: string }[]>;
}

/**
 * A platform authenticator (CTAP2, internal transport) that holds resident keys, verifies the
 * user and approves every request without a prompt, like Touch ID that always says yes.
 */
const AUTHENTICATOR_OPTIONS = {
  protocol: "ctap2",
  transport: "internal",
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
} as const;

/**
 * Adds a virtual authenticator to the page. Virtual authenticators belong to one page target:
 * a popup needs its own.
 */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", { options: AUTHENTICATOR_OPTIONS });
  return {
    cdp,
    authenticatorId,
    async credentials() {
      const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
      return credentials.map((c) => ({ credentialId: c.credentialId, signCount: c.signCount, ...(c.rpId ? { rpId: c.rpId } : {}) }));
    },
  };
}

/**
 * Adds a virtual authenticator to the page holding the user's passkey (the emulator's
 * credential id and user handle are base64url; CDP wants standard base64, the private key is
 * already base64 PKCS#8).
 */
export async function addPasskey(page: Page, passkey: TestPasskey | undefined): Promise<VirtualAuthenticator> {
  if (!passkey) throw new Error("this user has no passkey: create it with methods: [\"passkey\"]");
  const authenticator = await addVirtualAuthenticator(page);
  await authenticator.cdp.send("WebAuthn.addCredential", {
    authenticatorId: authenticator.authenticatorId,
    credential: {
      credentialId: Buffer.from(passkey.credentialId, "base64url").toString("base64"),
      isResidentCredential: true,
      rpId: passkey.rpId,
      privateKey: passkey.privateKeyPkcs8,
      userHandle: Buffer.from(passkey.userHandle, "base64url").toString("base64"),
      signCount: 0,
    },
  });
  return authenticator;
}
