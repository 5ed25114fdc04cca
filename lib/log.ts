/**
 * The portal's structured logger: one JSON object per line on stdout (info, warn) or stderr
 * (error), with redaction applied to every message and field before anything is written.
 *
 * A small logger of our own instead of pino: it keeps the portal free of a dependency for a few
 * dozen lines, and the redaction rules, the part that matters, are ours either way.
 *
 * What never reaches a log (STYLE.md §6; OWASP ASVS 5.0 V16.2.5): tokens (anything shaped like a
 * JWT, Bearer credentials), cookies and session tokens, authorization codes and one-time codes,
 * full account numbers. Fields whose *name* says they hold a secret are replaced whole; free text
 * is scrubbed by pattern; control characters in any string are escaped, so text a user typed
 * cannot forge a log line (ASVS V16.4.1).
 *
 * Pure (no env, no server-only): proxy.ts, route handlers and tests use it alike.
 */

/** Log levels, in order. */
export type LogLevel = "info" | "warn" | "error";

/** A field value the logger accepts. */
export type LogValue = string | number | boolean | null | undefined | Date | LogValue[] | { [key: string]: LogValue };

/** Fields of one log line. `event` names what happened ("step_up.error", "csp.violation"). */
export type LogFields = { [key: string]: LogValue };

/** What replaces a redacted value. */
export const REDACTED = "[redacted]";

/** Field names whose values are secrets whatever they look like (compared case-insensitively, ignoring `_`/`-`). */
const SECRET_FIELD_NAMES = new Set(
  [
    "authorization",
    "cookie",
    "setcookie",
    "token",
    "accesstoken",
    "idtoken",
    "refreshtoken",
    "sessiontoken",
    "proof",
    "code",
    "otp",
    "totp",
    "password",
    "secret",
    "clientsecret",
    "fullnumber",
    "accountnumber",
    "codeverifier",
    "state",
    "nonce",
  ].map((name) => name.toLowerCase()),
);

const normalizeName = (name: string) => name.toLowerCase().replace(/[-_]/g, "");

/** Patterns scrubbed out of free text, in order. */
const TEXT_RULES: Array<[RegExp, string]> = [
  // A JWT or JWS (three base64url segments, the first a JSON header: "eyJ").
  [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, "[redacted:jwt]"],
  // Credentials after an auth scheme.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, "$1 [redacted]"],
  // Auth.js cookies and any name=value for secret-looking names (query strings, cookie headers).
  [/((?:__Secure-|__Host-)?authjs\.[a-z-]+(?:\.\d+)?)=[^;\s&]+/gi, "$1=[redacted]"],
  [/\b(code|id_token|access_token|refresh_token|client_secret|code_verifier|session_state|state|nonce|token)=[^&\s;"]+/gi, "$1=[redacted]"],
  // Account numbers: runs of 8 or more digits (optionally grouped by spaces or dashes) keep only
  // their last four, as the portal's masked numbers do.
  [/\b\d(?:[ -]?\d){7,}\b/g, "[redacted:number]"],
  // One-time codes: exactly six digits standing alone.
  [/(?<![\d.:-])\d{6}(?![\d:-]|\.\d)/g, "[redacted:code]"],
];

/** UUIDs (correlation ids, idempotency keys) are identifiers, not numbers: the digit rules skip them. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Removes secrets from free text and escapes control characters (CR, LF, ESC, bidi overrides...). */
export function redactText(text: string): string {
  // Control characters first: the text then holds none, so the placeholders below are unambiguous.
  let out = escapeControlCharacters(text);
  for (const [pattern, replacement] of TEXT_RULES) {
    const uuids: string[] = [];
    // Park UUIDs behind placeholders no rule matches, apply the rule, put them back.
    const parked = out.replace(UUID, (uuid) => `\u0000${uuids.push(uuid) - 1}\u0000`);
    out = parked.replace(pattern, replacement).replace(/\u0000(\d+)\u0000/g, (_, index: string) => uuids[Number(index)] ?? "");
  }
  return out;
}

/** Control characters and text-direction overrides, which could forge or disguise a log line. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Writes control characters as `\uXXXX`, visibly and unambiguously. */
function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const MAX_DEPTH = 5;
const MAX_STRING = 2_000;

/** A copy of `value` that is safe to write: secret fields replaced, text scrubbed, depth and length bounded. */
export function redactValue(value: unknown, fieldName?: string, depth = 0): unknown {
  if (fieldName !== undefined && SECRET_FIELD_NAMES.has(normalizeName(fieldName)) && value !== undefined && value !== null) return REDACTED;
  if (value === null || value === undefined || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return redactText(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (value instanceof Error) return { name: redactText(value.name), message: redactText(value.message) };
  if (depth >= MAX_DEPTH) return "[truncated]";
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => redactValue(item, undefined, depth + 1));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) out[escapeControlCharacters(key)] = redactValue(item, key, depth + 1);
    return out;
  }
  return `[${typeof value}]`;
}

/** Where lines go; tests replace it. */
export interface LogSink {
  write(level: LogLevel, line: string): void;
}

// Through console (not process.stdout directly), so Next.js's and test runners' handling of the
// console applies; the line is already one JSON string.
const consoleSink: LogSink = {
  write(level, line) {
    if (level === "error") console.error(line);
    else console.log(line);
  },
};

/** A logger bound to a component name ("step-up", "auth", "api"...). */
export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  /** `error` is logged by name and message only: causes and stacks may carry tokens or rows. */
  error(event: string, fields?: LogFields, error?: unknown): void;
}

/** A logger for `component`, writing to `sink` (stdout/stderr by default). */
export function createLogger(component: string, sink: LogSink = consoleSink, clock: () => Date = () => new Date()): Logger {
  const emit = (level: LogLevel, event: string, fields: LogFields = {}, error?: unknown) => {
    const line = {
      time: clock().toISOString(),
      level,
      component,
      event,
      ...(redactValue(fields) as Record<string, unknown>),
      ...(error === undefined ? {} : { error: redactValue(error instanceof Error ? error : { name: "NonError", message: typeof error }) }),
    };
    try {
      sink.write(level, JSON.stringify(line));
    } catch {
      // A logger must never take the request down with it.
    }
  };
  return {
    info: (event, fields) => emit("info", event, fields),
    warn: (event, fields) => emit("warn", event, fields),
    error: (event, fields, error) => emit("error", event, fields, error),
  };
}
