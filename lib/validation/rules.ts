/**
 * The rules of the portal's forms as plain functions: what a form checks in the browser before it
 * sends anything, and what the server checks again with the very same functions (its zod schema
 * is `formSchema(rules)`, lib/validation/form-schema.ts). The rules are written once; the server
 * stays the authority (it never trusts that the browser checked), and the browser gets no
 * validation library: zod's smallest build is ~28 kB (gzip) of first-load JavaScript per form page
 * under Turbopack, the full one ~90 kB; these functions, messages included, are a few kB.
 *
 * Client-safe: no imports beyond other plain modules. A form's rules are a `FormRules`: one `Rule`
 * per member, `check` for what needs several members, `output` for the parsed input.
 */

/** One rule's answer: the parsed value, or what the person must do (usually one message). */
export type Checked<T> = { ok: true; value: T } | { ok: false; messages: string[] };

/** A member's rule: its value as received (anything: the server checks input from anyone) to its parsed value. */
export type Rule<T> = (value: unknown) => Checked<T>;

/** Messages by member name, or by a name the form shows (`destination`); `form` for the request as a whole. */
export type FieldErrors = Record<string, string[]>;

type RuleValue<R> = R extends Rule<infer T> ? T : never;

/** The members a form's rules name, parsed; a member whose rule may give `undefined` is optional and left out when absent. */
export type FormValues<F extends Record<string, Rule<unknown>>> = {
  [K in keyof F as undefined extends RuleValue<F[K]> ? never : K]: RuleValue<F[K]>;
} & {
  [K in keyof F as undefined extends RuleValue<F[K]> ? K : never]?: Exclude<RuleValue<F[K]>, undefined>;
};

/** A form's rules. */
export interface FormRules<F extends Record<string, Rule<unknown>>, O> {
  /** One rule per member. Members not named here are not part of the input (the server refuses them: lib/validation/form-schema.ts). */
  fields: F;
  /**
   * What needs several members (a destination, an amount in a currency). It runs even when some
   * member failed, so the person sees every problem at once; `passed` says whether the members it
   * needs have a value to judge (a failed member is missing from `values`, as an absent one is).
   */
  check?: (values: Partial<FormValues<F>>, report: (field: string, message: string) => void, passed: (...fields: (keyof F & string)[]) => boolean) => void;
  /**
   * The parsed input, once every member and `check` passed. It may still refuse (`report`, then
   * return undefined), though what it refuses `check` should have reported already.
   */
  output: (values: FormValues<F>, report: (field: string, message: string) => void) => O | undefined;
}

/** The outcome of checking a form: the parsed input, or every problem at once. */
export type FormResult<O> = { ok: true; value: O } | { ok: false; fieldErrors: FieldErrors };

/** Declares a form's rules (the identity: it only lets TypeScript infer the types). */
export function formRules<F extends Record<string, Rule<unknown>>, O>(rules: FormRules<F, O>): FormRules<F, O> {
  return rules;
}

/** Runs a form's rules on a request (its members as sent): what the browser shows and what the server decides on. */
export function checkForm<F extends Record<string, Rule<unknown>>, O>(rules: FormRules<F, O>, input: object): FormResult<O> {
  const fieldErrors: FieldErrors = {};
  const report = (field: string, message: string) => {
    (fieldErrors[field] ??= []).push(message);
  };
  const values: Record<string, unknown> = {};
  const failed = new Set<string>();
  for (const [name, rule] of Object.entries(rules.fields)) {
    const result = rule((input as Record<string, unknown>)[name]);
    if (!result.ok) {
      failed.add(name);
      for (const message of result.messages) report(name, message);
    } else if (result.value !== undefined) {
      values[name] = result.value;
    }
  }
  rules.check?.(values as Partial<FormValues<F>>, report, (...fields) => fields.every((field) => !failed.has(field)));
  if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };
  const value = rules.output(values as FormValues<F>, report);
  if (value !== undefined && Object.keys(fieldErrors).length === 0) return { ok: true, value };
  if (Object.keys(fieldErrors).length === 0) report("form", "Check the form and try again.");
  return { ok: false, fieldErrors };
}

/** A passed rule. */
export const valid = <T>(value: T): Checked<T> => ({ ok: true, value });

/** A failed rule, with one message. */
export const invalid = (message: string): Checked<never> => ({ ok: false, messages: [message] });

/** Text, as sent. */
export function text(message: string): Rule<string> {
  return (value) => (typeof value === "string" ? valid(value) : invalid(message));
}

/** Text matching `pattern`, as sent. */
export function matching(pattern: RegExp, message: string): Rule<string> {
  return (value) => (typeof value === "string" && pattern.test(value) ? valid(value) : invalid(message));
}

/** An id: text, trimmed, 1 to 64 characters. Ownership is the data layer's job. */
export function id(message: string): Rule<string> {
  return (value) => {
    if (typeof value !== "string") return invalid(message);
    const trimmed = value.trim();
    return trimmed.length >= 1 && trimmed.length <= 64 ? valid(trimmed) : invalid(message);
  };
}

/** An RFC 9562 UUID (what `crypto.randomUUID()` makes), any version, or the nil and max UUIDs. */
const UUID = /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;

/** A UUID, as sent. */
export function uuid(message: string): Rule<string> {
  return matching(UUID, message);
}

/** `rule`, or absent (`undefined`). */
export function optional<T>(rule: Rule<T>): Rule<T | undefined> {
  return (value) => (value === undefined ? valid(undefined) : rule(value));
}

/** A form field that may be left empty: absent or blank text (empty, or only spaces) is `undefined`, anything else must pass `rule`. */
export function blankAsAbsent<T>(rule: Rule<T>): Rule<T | undefined> {
  return (value) => (value === undefined || (typeof value === "string" && value.trim() === "") ? valid(undefined) : rule(value));
}
