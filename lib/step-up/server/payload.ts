import "server-only";
import { createHash } from "node:crypto";
import type { JsonValue } from "@/lib/step-up/protocol";

/**
 * The canonical form of a transaction-bound operation's validated input: what the user approves,
 * what the pending operation stores, and what its hash binds. Two inputs that mean the same
 * thing give the same bytes (object keys sorted, `undefined` members dropped), and every value
 * survives JSON exactly: a bigint becomes its decimal string (money is never a float), a Date
 * its ISO string.
 */
export interface CanonicalPayload {
  /** The payload as a JSON object, keys in canonical order (for the challenge). */
  value: { [key: string]: JsonValue };
  /** The exact JSON text stored and hashed. */
  json: string;
  /** Hex SHA-256 of `json`. */
  hash: string;
}

/** Thrown for input that has no canonical JSON form (a programming error in an action's schema). */
export class NonCanonicalPayloadError extends Error {
  constructor(path: string, what: string) {
    super(`Payload member ${path || "(root)"} is ${what}, which has no canonical JSON form`);
    this.name = "NonCanonicalPayloadError";
  }
}

/** Canonicalises a validated input object. */
export function canonicalPayload(input: unknown): CanonicalPayload {
  const value = toCanonical(input, "");
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new NonCanonicalPayloadError("", "not an object");
  const json = JSON.stringify(value);
  return { value, json, hash: sha256Hex(json) };
}

/** Hex SHA-256 of UTF-8 text. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function toCanonical(value: unknown, path: string): JsonValue {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new NonCanonicalPayloadError(path, "a non-finite number");
      return value;
    case "bigint":
      return value.toString();
    case "object": {
      if (value === null) return null;
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new NonCanonicalPayloadError(path, "an invalid date");
        return value.toISOString();
      }
      if (Array.isArray(value)) return value.map((item, index) => toCanonical(item, `${path}[${index}]`));
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) throw new NonCanonicalPayloadError(path, "a class instance");
      const out: { [key: string]: JsonValue } = {};
      for (const key of Object.keys(value).sort()) {
        const member = (value as Record<string, unknown>)[key];
        if (member !== undefined) out[key] = toCanonical(member, path ? `${path}.${key}` : key);
      }
      return out;
    }
    default:
      throw new NonCanonicalPayloadError(path, typeof value);
  }
}
