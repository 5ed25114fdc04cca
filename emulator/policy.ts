import { readFileSync } from "node:fs";
import { z } from "zod";
import type { AuthSnapshot } from "./state.js";

/** A second factor the emulator can verify. */
export type MfaMethod = "totp" | "passkey";

const requirementSchema = z.object({
  authenticationStrength: z.enum(["mfa", "phishingResistantMfa"]),
  signInFrequency: z.union([z.literal("everyTime"), z.object({ seconds: z.number().int().positive() })]),
});

const policySchema = z.object({
  everyTimeToleranceSeconds: z.number().int().nonnegative(),
  authenticationContexts: z.record(
    z.string().regex(/^c([1-9]|[1-9][0-9])$/),
    z.object({ displayName: z.string(), description: z.string().optional(), requirement: requirementSchema.optional() }),
  ),
});

/** What an authentication context demands, from `policy.json`. */
export type Requirement = z.infer<typeof requirementSchema>;
/** The parsed policy file. */
export type Policy = z.infer<typeof policySchema>;

/** Loads and validates `policy.json`. */
export function loadPolicy(file: string): Policy {
  return policySchema.parse(JSON.parse(readFileSync(file, "utf8")));
}

/** Authentication context ids Entra accepts: c1 to c99. */
export function isContextId(id: string): boolean {
  return /^c([1-9]|[1-9][0-9])$/.test(id);
}

/** Methods that satisfy a strength, per Entra's built-in authentication strengths. */
export function methodsFor(requirement: Requirement): MfaMethod[] {
  return requirement.authenticationStrength === "phishingResistantMfa" ? ["passkey"] : ["totp", "passkey"];
}

/** The result of evaluating contexts against what the session has proven. */
export interface Evaluation {
  /** Contexts whose requirement is met (or that no policy targets). */
  satisfied: string[];
  /** Contexts whose requirement is not met. */
  missing: string[];
  /** The requirement of each missing context. */
  required: Record<string, Requirement>;
}

/** The inputs `evaluate` needs about the sign-in. */
export interface SessionState {
  auth: AuthSnapshot;
  /** Emulator time, ms. */
  now: number;
}

/**
 * Decides which authentication contexts the session satisfies. This is the one seam part 2
 * replaces with a Conditional Access engine; callers only see `satisfied`/`missing`/`required`.
 * Invalid ids (not c1..c99) are neither satisfied nor missing: they never reach a token.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/developer-guide-conditional-access-authentication-context
 */
export function evaluate(policy: Policy, contexts: readonly string[], state: SessionState): Evaluation {
  const result: Evaluation = { satisfied: [], missing: [], required: {} };
  for (const id of new Set(contexts)) {
    if (!isContextId(id)) continue;
    const requirement = policy.authenticationContexts[id]?.requirement;
    if (!requirement || meets(policy, requirement, state)) {
      result.satisfied.push(id);
    } else {
      result.missing.push(id);
      result.required[id] = requirement;
    }
  }
  return result;
}

function meets(policy: Policy, requirement: Requirement, { auth, now }: SessionState): boolean {
  // "Every time" still tolerates a verification within the last five minutes.
  // https://learn.microsoft.com/entra/identity/conditional-access/concept-session-lifetime#require-reauthentication-every-time
  const maxAgeMs =
    requirement.signInFrequency === "everyTime"
      ? policy.everyTimeToleranceSeconds * 1000
      : requirement.signInFrequency.seconds * 1000;
  return methodsFor(requirement).some((method) => {
    const at = method === "totp" ? auth.totpAt : auth.passkeyAt;
    // A passkey is multi-factor on its own; an app code only counts after the password.
    return at !== undefined && (method === "passkey" || auth.passwordAt !== undefined) && now - at <= maxAgeMs;
  });
}

/** Contexts a resource may receive opportunistically: those with an interval frequency. */
export function intervalContexts(policy: Policy): string[] {
  return Object.entries(policy.authenticationContexts)
    .filter(([, c]) => c.requirement && c.requirement.signInFrequency !== "everyTime")
    .map(([id]) => id);
}
