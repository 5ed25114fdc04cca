import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What the identity provider asserted about this sign-in, carried from the `signIn` callback
 * (which sees the ID token's claims) to `createSession` (which writes the session row) inside
 * one Auth.js callback request. Auth.js gives the adapter no access to the profile, and the
 * session's authentication strength must be recorded atomically with the session itself.
 */
export interface SignInStrength {
  /** Authentication contexts the ID token asserted (`acrs`), e.g. satisfied by MFA at sign-in. */
  acrs: string[];
  /** Last interactive verification of any factor (`auth_time`), when the tenant emits it. */
  authTime: Date | null;
}

const store = new AsyncLocalStorage<{ strength?: SignInStrength }>();

/** Runs an Auth.js request handler with a slot for the sign-in's strength. */
export function withSignInContext<T>(fn: () => Promise<T>): Promise<T> {
  return store.run({}, fn);
}

/** Called from the `signIn` callback with the verified ID token's claims. */
export function recordSignInStrength(strength: SignInStrength): void {
  const slot = store.getStore();
  if (!slot) throw new Error("recordSignInStrength called outside withSignInContext");
  slot.strength = strength;
}

/** Read by the adapter's `createSession`; a session is never created without it. */
export function takeSignInStrength(): SignInStrength {
  const strength = store.getStore()?.strength;
  if (!strength) throw new Error("No sign-in strength recorded for this session");
  return strength;
}

/** Parses the `acrs` and `auth_time` claims defensively: absent or malformed means "none". */
export function strengthFromClaims(claims: Record<string, unknown>): SignInStrength {
  const acrs = Array.isArray(claims.acrs) ? claims.acrs.filter((v): v is string => typeof v === "string") : [];
  const authTime = typeof claims.auth_time === "number" && Number.isFinite(claims.auth_time) ? new Date(claims.auth_time * 1000) : null;
  return { acrs, authTime };
}
