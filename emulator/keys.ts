import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from "jose";
import type { StateStore, SigningKeyRecord } from "./state.js";

/** How long a replaced key stays in the JWKS (emulator clock), so tokens it signed still verify. */
export const KEY_GRACE_MS = 24 * 60 * 60 * 1000;

/** A public JWK as Entra publishes it in `discovery/v2.0/keys`. */
export interface PublicJwk {
  kty: string;
  use: "sig";
  kid: string;
  n: string;
  e: string;
  issuer: string;
}

async function newKey(now: number): Promise<SigningKeyRecord> {
  const { privateKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  const privateJwk = await exportJWK(privateKey);
  // Entra's kids are opaque base64url strings; a thumbprint has the same shape and is stable.
  const kid = await calculateJwkThumbprint({ kty: "RSA", n: privateJwk.n ?? "", e: privateJwk.e ?? "" });
  return { kid, privateJwk: { ...privateJwk, kid, alg: "RS256" }, createdAt: now };
}

/**
 * Signing keys, persisted in the state store so tokens survive restarts. The newest key signs;
 * retired keys are published until their grace period ends.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/signing-key-rollover
 */
export class KeyStore {
  readonly #store: StateStore;
  readonly #imported = new Map<string, CryptoKey>();

  constructor(store: StateStore) {
    this.#store = store;
  }

  /** Creates the first key when the state has none. */
  async init(): Promise<void> {
    if (this.#store.state.keys.length === 0) {
      this.#store.state.keys.push(await newKey(this.#store.now()));
      this.#store.save();
    }
  }

  /** Publishes a new signing key and retires the current one. Returns the new kid. */
  async rotate(): Promise<string> {
    const now = this.#store.now();
    for (const k of this.#store.state.keys) k.retiredAt ??= now;
    const key = await newKey(now);
    this.#store.state.keys.push(key);
    this.#store.save();
    return key.kid;
  }

  #active(): SigningKeyRecord[] {
    const now = this.#store.now();
    return this.#store.state.keys.filter((k) => k.retiredAt === undefined || now - k.retiredAt < KEY_GRACE_MS);
  }

  /** The key that signs new tokens. */
  async current(): Promise<{ kid: string; key: CryptoKey; jwk: JWK }> {
    const record = this.#store.state.keys.at(-1);
    if (!record) throw new Error("KeyStore used before init()");
    let key = this.#imported.get(record.kid);
    if (!key) {
      key = (await importJWK(record.privateJwk, "RS256")) as CryptoKey;
      this.#imported.set(record.kid, key);
    }
    return { kid: record.kid, key, jwk: record.privateJwk };
  }

  /** The public JWKS; `issuer` mirrors the per-key issuer Entra adds to its v2.0 key set. */
  jwks(issuer: string): { keys: PublicJwk[] } {
    return {
      keys: this.#active()
        .slice()
        .reverse()
        .map((k) => ({ kty: "RSA", use: "sig", kid: k.kid, n: k.privateJwk.n ?? "", e: k.privateJwk.e ?? "", issuer })),
    };
  }

  /** Public key material for a kid still published, for verifying our own `id_token_hint`. */
  async publicKey(kid: string): Promise<CryptoKey | undefined> {
    const record = this.#active().find((k) => k.kid === kid);
    if (!record) return undefined;
    return (await importJWK({ kty: "RSA", n: record.privateJwk.n, e: record.privateJwk.e }, "RS256")) as CryptoKey;
  }
}
