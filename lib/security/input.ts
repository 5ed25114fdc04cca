import type { z } from "zod";

/**
 * The first gate every action and API input passes, before its schema (lib/step-up/enforce.ts
 * runs it for `protectedAction`, `authedAction` and the JSON API alike, so every new action gets
 * it without asking). Inputs arrive as `unknown` from the network; this refuses, with messages a
 * form can show, what no schema of this portal should ever have to consider:
 *
 * - values that are not plain data: a server action's arguments are decoded by React, which can
 *   produce Dates, Maps, Sets, BigInts, Blobs and Files, none of which any action accepts;
 * - prototype-pollution keys (`__proto__`, `constructor`, `prototype`) at any depth: harmless to a
 *   zod parse, dangerous to any code that later merges the object (OWASP ASVS 5.0 V15.3.6);
 * - inputs larger than `MAX_INPUT_BYTES` serialised, or nested deeper than `MAX_INPUT_DEPTH`;
 * - members the schema does not declare (ASVS V2.2.1, V15.3.3): zod would silently drop them,
 *   which hides a client that believes it is setting an owner, a balance or a status. A schema
 *   that means to accept extra members says so with `z.looseObject` (a catch-all).
 *
 * Pure: no env, no server-only, so unit tests and the API share it.
 */

/** The largest input accepted, in UTF-8 bytes of its JSON form. A transfer is a few hundred. */
export const MAX_INPUT_BYTES = 16 * 1024;

/** The deepest nesting accepted. The portal's inputs are flat objects. */
export const MAX_INPUT_DEPTH = 8;

/** Keys that reach an object's prototype chain when merged naively. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Refusals, keyed like `fieldErrorsOf` (dotted path, `form` for the whole input). */
export type InputRefusal = { ok: false; fieldErrors: Record<string, string[]> };

const refuse = (path: string, message: string): InputRefusal => ({ ok: false, fieldErrors: { [path || "form"]: [message] } });

/**
 * Checks `input` against the rules above and, when the schema's top level (or a nested member) is
 * a plain zod object, refuses members it does not declare.
 */
export function checkUntrustedInput(input: unknown, schema?: z.ZodType): { ok: true } | InputRefusal {
  const shapeRefusal = checkShape(input, "", 0);
  if (shapeRefusal) return shapeRefusal;
  const bytes = Buffer.byteLength(JSON.stringify(input ?? null), "utf8");
  if (bytes > MAX_INPUT_BYTES) return refuse("form", `This request is too large (more than ${MAX_INPUT_BYTES} bytes).`);
  if (schema) {
    const unknown = unknownMembers(input, schema, "");
    if (unknown.length > 0) {
      return { ok: false, fieldErrors: Object.fromEntries(unknown.map((path) => [path, ["This field is not accepted."]])) };
    }
  }
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

/** Internal zod 4 definition fields read here (stable across 4.x: `_zod.def`). */
interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  innerType?: z.ZodType;
}

const defOf = (schema: z.ZodType): ZodDef => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

/**
 * The object schema that validates a value, looking through what does not change which members
 * are accepted: `.transform()` and `z.preprocess()` (pipes), `.optional()`, `.nullable()`,
 * `.default()`. Refinements stay on the object in zod 4. Null when the schema is not an object.
 */
function objectSchemaOf(schema: z.ZodType): ZodDef | null {
  const def = defOf(schema);
  switch (def.type) {
    case "object":
      return def;
    case "pipe":
      // preprocess: pipe(transform, object); transform: pipe(object, transform).
      return def.in && defOf(def.in).type !== "transform" ? objectSchemaOf(def.in) : def.out ? objectSchemaOf(def.out) : null;
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
      return def.innerType ? objectSchemaOf(def.innerType) : null;
    default:
      return null;
  }
}

function unknownMembers(value: unknown, schema: z.ZodType, path: string): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
  const object = objectSchemaOf(schema);
  if (!object?.shape) return [];
  // An explicit catch-all (z.looseObject, .catchall(...)) accepts extra members; z.strictObject's
  // catch-all is `never`, which zod itself enforces with its own message.
  if (object.catchall && defOf(object.catchall).type !== "never") return [];
  const found: string[] = [];
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    const memberSchema = object.shape[key];
    if (!memberSchema) found.push(join(path, key));
    else found.push(...unknownMembers(member, memberSchema, join(path, key)));
  }
  return found;
}
