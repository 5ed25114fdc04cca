import { createHash, createPrivateKey, createPublicKey, X509Certificate, type JsonWebKey } from "node:crypto";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from "jose";
import { generate } from "selfsigned";
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
  /** Base64url SHA-1 thumbprint of the certificate. */
  x5t: string;
  /** The key's certificate chain: one self-signed certificate, base64 DER. */
  x5c: string[];
  issuer: string;
}

/** How long a signing key's certificate is valid; keys are not rotated automatically. */
const SIGNING_CERT_VALIDITY_MS = 5 * 365 * 24 * 60 * 60 * 1000;

/**
 * A self-signed certificate for a signing key, base64 DER. Entra publishes each key with its
 * certificate (`x5c`) and thumbprint (`x5t`); some validators (older .NET and Java stacks) use
 * those rather than `n`/`e`.
 */
async function selfSignedCertificate(privateJwk: JWK): Promise<string> {
  const privateKey = createPrivateKey({ key: privateJwk as JsonWebKey, format: "jwk" });
  const now = Date.now();
  const pems = await generate([{ name: "commonName", value: "Woodgrove Entra emulator token signing" }], {
    keyPair: { privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), publicKey: createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString() },
    algorithm: "sha256",
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + SIGNING_CERT_VALIDITY_MS),
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, critical: true },
    ],
  });
  return new X509Certificate(pems.cert).raw.toString("base64");
}

async function newKey(now: number): Promise<SigningKeyRecord> {
  const { privateKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  const privateJwk = await exportJWK(privateKey);
  // Entra's kids are opaque base64url strings; a thumbprint has the same shape and is stable.
  const kid = await calculateJwkThumbprint({ kty: "RSA", n: privateJwk.n ?? "", e: privateJwk.e ?? "" });
  return { kid, privateJwk: { ...privateJwk, kid, alg: "RS256" }, certificate: await selfSignedCertificate(privateJwk), createdAt: now };
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

  /** Creates the first key when the state has none, and certificates for keys stored without one. */
  async init(): Promise<void> {
    let changed = false;
    if (this.#store.state.keys.length === 0) {
      this.#store.state.keys.push(await newKey(this.#store.now()));
      changed = true;
    }
    for (const k of this.#store.state.keys) {
      if (k.certificate === undefined) {
        k.certificate = await selfSignedCertificate(k.privateJwk);
        changed = true;
      }
    }
    if (changed) this.#store.save();
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

  /**
   * The public JWKS; `issuer` mirrors the per-key issuer Entra adds to its v2.0 key set (the
   * `{tenantid}` template for `common` and `organizations`).
   */
  jwks(issuer: string): { keys: PublicJwk[] } {
    return {
      keys: this.#active()
        .slice()
        .reverse()
        .map((k) => {
          const der = k.certificate ?? "";
          const x5t = createHash("sha1").update(Buffer.from(der, "base64")).digest("base64url");
          return { kty: "RSA", use: "sig", kid: k.kid, x5t, n: k.privateJwk.n ?? "", e: k.privateJwk.e ?? "", x5c: [der], issuer };
        }),
    };
  }

  /** Public key material for a kid still published, for verifying our own `id_token_hint`. */
  async publicKey(kid: string): Promise<CryptoKey | undefined> {
    const record = this.#active().find((k) => k.kid === kid);
    if (!record) return undefined;
    return (await importJWK({ kty: "RSA", n: record.privateJwk.n, e: record.privateJwk.e }, "RS256")) as CryptoKey;
  }
}
