/**
 * What every sign-in step receives. `loginStep` (index.ts) builds it once the post has named a
 * live transaction and echoed its CSRF token.
 */
import { timingSafeEqual } from "node:crypto";
import type { AuthorizeTx, Emulator } from "../../context.js";
import type { DirectoryUser } from "../../directory.js";
import type { RequestContext } from "../../http.js";
import type { SsoSession } from "../../state.js";
import type { FlowRef } from "../../ui/pages.js";

/** A post to one of the emulator's sign-in pages. */
export interface Step {
  emu: Emulator;
  ctx: RequestContext;
  tx: AuthorizeTx;
  /** The posted form (or, for the passkey steps, JSON). */
  body: Record<string, unknown>;
  /** Emulator clock, ms, read once per request. */
  now: number;
  flow: FlowRef;
  /** Answers with a sign-in page whose forms may post only where this transaction allows. */
  page(html: string, headers?: Record<string, string>): void;
  /** The browser's SSO session, if any, and its user. */
  session: SsoSession | undefined;
  user: DirectoryUser | undefined;
}

/** A step after primary authentication: the session's user is the one this transaction signs in. */
export interface SignedInStep extends Step {
  session: SsoSession;
  user: DirectoryUser;
}

/** Constant-time string comparison (passwords, CSRF tokens). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
