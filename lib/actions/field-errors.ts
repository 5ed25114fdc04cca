import type { z } from "zod";

/** What a member the schema does not declare is told (the schemas are `z.strictObject`s). */
const NOT_ACCEPTED = "This field is not accepted.";

const pathOf = (path: readonly PropertyKey[]) => path.map(String).join(".");

/**
 * The dotted paths of the members a failed parse found undeclared: `z.strictObject` refuses them
 * (zod would otherwise drop them silently, hiding a client that believes it sets an owner, a
 * balance or a status; ASVS 5.0 V2.2.1, V15.3.3).
 */
export function unknownMembersOf(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => (issue.code === "unrecognized_keys" ? issue.keys.map((key) => pathOf([...issue.path, key])) : []));
}

/**
 * A failed parse as the `fieldErrors` of an `invalid` result (and of the JSON API's 422): every
 * issue's message under its dotted path, `form` for the input as a whole. Undeclared members,
 * when there are any, are the whole answer, each under its own path: such an input was not made
 * by the portal's forms, and the rest of its errors would say nothing useful.
 */
export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const unknown = unknownMembersOf(error);
  if (unknown.length > 0) return Object.fromEntries(unknown.map((path) => [path, [NOT_ACCEPTED]]));
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) (fieldErrors[pathOf(issue.path) || "form"] ??= []).push(issue.message);
  return fieldErrors;
}
