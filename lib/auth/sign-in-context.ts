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

/** What the session row records about the sign-in besides its strength. */
export interface SignInFacts {
  /** App roles the ID token carried (`roles`), e.g. ["Portal.Admin"]. */
  roles: string[];
  /** A short description of the browser ("Chrome on Linux"), never the full header. */
  userAgent: string | null;
}

const store = new AsyncLocalStorage<{ strength?: SignInStrength; roles?: string[]; userAgent: string | null }>();

/**
 * Runs an Auth.js request handler with a slot for the sign-in's strength and roles. `request`
 * gives the browser summary recorded on the session (the sessions list in settings).
 */
export function withSignInContext<T>(fn: () => Promise<T>, request?: Request): Promise<T> {
  return store.run({ userAgent: summarizeUserAgent(request?.headers.get("user-agent") ?? null) }, fn);
}

/** Called from the `signIn` callback with the verified ID token's app roles. */
export function recordSignInRoles(roles: string[]): void {
  const slot = store.getStore();
  if (!slot) throw new Error("recordSignInRoles called outside withSignInContext");
  slot.roles = roles;
}

/** Read by the adapter's `createSession` with the strength. */
export function takeSignInFacts(): SignInFacts {
  const slot = store.getStore();
  return { roles: slot?.roles ?? [], userAgent: slot?.userAgent ?? null };
}

/** The ID token's `roles` claim, defensively: absent or malformed means none. */
export function rolesFromClaims(claims: Record<string, unknown>): string[] {
  return Array.isArray(claims.roles) ? claims.roles.filter((v): v is string => typeof v === "string" && v.length <= 120) : [];
}

const BROWSERS: Array<[RegExp, string]> = [
  [/Edg\//, "Edge"],
  [/OPR\//, "Opera"],
  [/Firefox\//, "Firefox"],
  [/Chrom(e|ium)\//, "Chrome"],
  [/Safari\//, "Safari"],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/Android/, "Android"],
  [/iPhone|iPad|iPod/, "iOS"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

/**
 * "Chrome on Linux": enough for a person to recognise a session, no more. The full header is a
 * fingerprint and may carry arbitrary text, so it is never stored or shown.
 */
function summarizeUserAgent(header: string | null): string | null {
  if (!header) return null;
  const browser = BROWSERS.find(([pattern]) => pattern.test(header))?.[1] ?? "A browser";
  const system = SYSTEMS.find(([pattern]) => pattern.test(header))?.[1];
  return system ? `${browser} on ${system}` : browser;
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
