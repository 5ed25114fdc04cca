import { generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import * as OTPAuth from "otpauth";
import type { Emulator } from "./context.js";
import { totpMethod, type DirectoryUser, type Fido2Method } from "./directory.js";

/** Wrong codes in a row before the authenticator-app method locks. */
export const MAX_TOTP_FAILURES = 5;
/** How long a locked method stays locked (emulator clock). */
export const LOCKOUT_MS = 10 * 60 * 1000;
/** A warning ("n attempts left") appears from this many failures on. */
export const WARN_AFTER_FAILURES = 3;

const TOTP_PERIOD = 30;

function totpFor(secret: string, label = "Woodgrove"): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: "Woodgrove (emulated)", label, secret: OTPAuth.Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: TOTP_PERIOD });
}

/** A fresh base32 secret (160 bits, what Microsoft Authenticator uses). */
export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

/** The `otpauth://` URI an authenticator app would scan. */
export function totpUri(secret: string, upn: string): string {
  return totpFor(secret, upn).toString();
}

/** The outcome of checking a code. */
export type TotpResult =
  | { ok: true }
  | { ok: false; reason: "invalid" | "replayed"; attemptsLeft: number; locked: boolean }
  | { ok: false; reason: "locked"; attemptsLeft: 0; locked: true };

/** True while the user's authenticator-app method is locked out. */
export function isTotpLocked(emu: Emulator, oid: string): boolean {
  const lock = emu.store.state.lockouts[oid];
  return lock?.lockedUntil !== undefined && lock.lockedUntil > emu.store.now();
}

/**
 * Checks a code for a secret at emulator time: ±1 step, each step accepted once per user, and
 * `MAX_TOTP_FAILURES` consecutive failures lock the method for `LOCKOUT_MS`.
 */
export function verifyTotp(emu: Emulator, oid: string, secret: string, code: string): TotpResult {
  const { state } = emu.store;
  const now = emu.store.now();
  const lock = (state.lockouts[oid] ??= { failures: 0 });
  if (lock.lockedUntil !== undefined) {
    if (lock.lockedUntil > now) return { ok: false, reason: "locked", attemptsLeft: 0, locked: true };
    delete lock.lockedUntil;
    lock.failures = 0;
  }
  const totp = totpFor(secret);
  const clean = code.replace(/\s+/g, "");
  const delta = /^\d{6}$/.test(clean) ? totp.validate({ token: clean, timestamp: now, window: 1 }) : null;
  const step = Math.floor(now / 1000 / TOTP_PERIOD) + (delta ?? 0);
  const used = (state.usedTotpSteps[oid] ??= []);
  if (delta !== null && !used.includes(step)) {
    used.push(step);
    state.usedTotpSteps[oid] = used.filter((s) => s >= step - 4);
    lock.failures = 0;
    emu.store.save();
    return { ok: true };
  }
  lock.failures += 1;
  const locked = lock.failures >= MAX_TOTP_FAILURES;
  if (locked) lock.lockedUntil = now + LOCKOUT_MS;
  emu.store.save();
  return { ok: false, reason: delta === null ? "invalid" : "replayed", attemptsLeft: Math.max(0, MAX_TOTP_FAILURES - lock.failures), locked };
}

/**
 * A currently valid code the user has not used yet (control API). Advances the emulator clock to
 * the next 30-second step when every code in the window was used.
 */
export function unusedTotpCode(emu: Emulator, user: DirectoryUser): string | undefined {
  const method = totpMethod(user);
  if (!method) return undefined;
  const totp = totpFor(method.secret);
  // Tests sign in many times a minute; when every code in the window was used, move the
  // emulator clock to the next time step rather than make the caller wait for it.
  for (let attempt = 0; attempt < 4; attempt++) {
    const now = emu.store.now();
    const used = emu.store.state.usedTotpSteps[user.oid] ?? [];
    const step = Math.floor(now / 1000 / TOTP_PERIOD);
    for (const candidate of [step, step + 1]) {
      if (!used.includes(candidate)) return totp.generate({ timestamp: candidate * TOTP_PERIOD * 1000 });
    }
    emu.store.state.clockOffsetMs += (step + 1) * TOTP_PERIOD * 1000 - now;
    emu.store.save();
  }
  return undefined;
}

/** A passkey credential plus its demo/test-only private key. */
export interface DemoPasskey {
  method: Fido2Method;
  privateKey: KeyObject;
}

function coseEc2PublicKey(x: Buffer, y: Buffer): Buffer {
  // CBOR map {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}, per RFC 9053 §7.1.1.
  return Buffer.concat([
    Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]),
    x,
    Buffer.from([0x22, 0x58, 0x20]),
    y,
  ]);
}

/**
 * Creates a P-256 passkey credential for a user: the stored method (COSE public key) and the
 * private key tests load into a virtual authenticator. Demo/test only: a real passkey's private
 * key never leaves the authenticator.
 */
export function createDemoPasskey(oid: string): DemoPasskey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const x = Buffer.from(jwk.x ?? "", "base64url");
  const y = Buffer.from(jwk.y ?? "", "base64url");
  return {
    privateKey,
    method: {
      type: "fido2",
      credentialId: randomBytes(16).toString("base64url"),
      publicKey: coseEc2PublicKey(x, y).toString("base64url"),
      signCount: 0,
      userHandle: Buffer.from(oid, "utf8").toString("base64url"),
      transports: ["internal"],
      testPrivateKeyPkcs8: (privateKey.export({ format: "der", type: "pkcs8" }) as Buffer).toString("base64"),
    },
  };
}
