import { z } from "@/lib/validation/zod";
import { checkForm, type FormRules, type Rule } from "@/lib/validation/rules";

/**
 * A form's rules (lib/validation/rules.ts) as the zod schema the server parses with: a strict
 * object with exactly the members the rules name (any other is refused, never dropped), then
 * `checkForm`, whose problems become zod issues at the same paths. The browser runs `checkForm`
 * itself; this is the same function, on the server, where it decides.
 */
export function formSchema<F extends Record<string, Rule<unknown>>, O>(rules: FormRules<F, O>) {
  // Optional to zod: whether a member may be absent is the member's rule's decision.
  const members = Object.fromEntries(Object.keys(rules.fields).map((name) => [name, z.unknown().optional()])) as Record<keyof F & string, z.ZodOptional<z.ZodUnknown>>;
  return z.strictObject(members).transform((input, ctx): O => {
    const result = checkForm(rules, input);
    if (result.ok) return result.value;
    for (const [field, messages] of Object.entries(result.fieldErrors)) {
      for (const message of messages) ctx.addIssue({ code: "custom", path: [field], message });
    }
    return z.NEVER;
  });
}
