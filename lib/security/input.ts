/**
 * The first gate every action and API input passes, before its schema (lib/step-up/server/enforce.ts
 * runs it for `protectedAction`, `authedAction` and the JSON API alike, so every new action gets
 * it without asking). Inputs arrive as `unknown` from the network; this refuses, with messages a
 * form can show, what no schema of this portal should ever have to consider:
 *
 * - values that are not plain data: a server action's arguments are decoded by React, which can
 *   produce Dates, Maps, Sets, BigInts, Blobs and Files, none of which any action accepts;
 * - prototype-pollution keys (`__proto__`, `constructor`, `prototype`) at any depth: harmless to a
 *   zod parse, dangerous to any code that later merges the object (OWASP ASVS 5.0 V15.3.6);
 * - inputs larger than `MAX_INPUT_BYTES` serialised, or nested deeper than `MAX_INPUT_DEPTH`.
 *
 * Members the schema does not declare are the schema's to refuse: the portal's input schemas are
 * `z.strictObject`s, and lib/actions/field-errors.ts words the refusal.
 *
 * Pure: no env, no server-only, so unit tests and the API share it.
 */

/** The largest input accepted, in UTF-8 bytes of its JSON form. A transfer is a few hundred. */
export const MAX_INPUT_BYTES = 16 * 1024;

/** The deepest nesting accepted. The portal's inputs are flat objects. */
const MAX_INPUT_DEPTH = 8;

/** Keys that reach an object's prototype chain when merged naively. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Refusals, keyed like `fieldErrorsOf` (lib/actions/field-errors.ts: dotted path, `form` for the whole input). */
export type InputRefusal = { ok: false; fieldErrors: Record<string, string[]> };

const refuse = (path: string, message: string): InputRefusal => ({ ok: false, fieldErrors: { [path || "form"]: [message] } });

/** Checks `input` against the rules above. */
export function checkUntrustedInput(input: unknown): { ok: true } | InputRefusal {
  const shapeRefusal = checkShape(input, "", 0);
  if (shapeRefusal) return shapeRefusal;
  const bytes = Buffer.byteLength(JSON.stringify(input ?? null), "utf8");
  if (bytes > MAX_INPUT_BYTES) return refuse("form", `This request is too large (more than ${MAX_INPUT_BYTES} bytes).`);
  return { ok: true };
}

function checkShape(value: unknown, path: string, depth: number): InputRefusal | null {
  if (value === null || value === undefined || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : refuse(path, "Enter a finite number.");
  if (depth >= MAX_INPUT_DEPTH) return refuse(path, "This request is nested too deeply.");
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const refusal = checkShape(value[i], join(path, String(i)), depth + 1);
      if (refusal) return refusal;
    }
    return null;
  }
  if (typeof value === "object") {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return refuse(path, "This value is not accepted here.");
    for (const key of Reflect.ownKeys(value)) {
      if (typeof key !== "string") return refuse(path, "This value is not accepted here.");
      if (FORBIDDEN_KEYS.has(key)) return refuse(join(path, key), "This field is not accepted.");
      const refusal = checkShape((value as Record<string, unknown>)[key], join(path, key), depth + 1);
      if (refusal) return refusal;
    }
    return null;
  }
  // bigint, symbol, function.
  return refuse(path, "This value is not accepted here.");
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
