import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { AuthSnapshot } from "./state.js";

/** A second factor the emulator can verify. */
export type MfaMethod = "totp" | "sms" | "passkey";
/** Every second factor, in the order the method choice lists them. */
export const MFA_METHODS: readonly MfaMethod[] = ["totp", "sms", "passkey"];

/** Entra's built-in authentication strengths. */
export type StrengthName = "mfa" | "passwordlessMfa" | "phishingResistantMfa";

/**
 * Built-in authentication strength policy ids (ENTRA.md §7). Custom strengths are not emulated.
 *
 * @see https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strengths
 */
export const BUILT_IN_STRENGTHS = {
  "00000000-0000-0000-0000-000000000002": "mfa",
  "00000000-0000-0000-0000-000000000003": "passwordlessMfa",
  "00000000-0000-0000-0000-000000000004": "phishingResistantMfa",
} as const satisfies Record<string, StrengthName>;

/**
 * Which emulated methods satisfy each strength. SMS and app codes count as MFA only (after the
 * password); a passkey (FIDO2) satisfies all three; the password alone satisfies none.
 */
const STRENGTH_METHODS: Record<StrengthName, readonly MfaMethod[]> = {
  mfa: ["totp", "sms", "passkey"],
  passwordlessMfa: ["passkey"],
  phishingResistantMfa: ["passkey"],
};

/**
 * "Every time" still accepts a verification this recent: Entra does not prompt more often than
 * once every five minutes.
 *
 * @see https://learn.microsoft.com/entra/identity/conditional-access/concept-session-lifetime#require-reauthentication-every-time
 */
export const EVERY_TIME_TOLERANCE_MS = 5 * 60 * 1000;

/** The policy sets shipped in `emulator/policies/`. */
export const POLICY_SET_NAMES = ["production", "staging"] as const;
/** Name of a policy set (`EMULATOR_POLICY_SET`, `POST /__control/policy-set`). */
export type PolicySetName = (typeof POLICY_SET_NAMES)[number];

const contextId = z.string().regex(/^c([1-9]|[1-9][0-9])$/, "authentication context ids are c1..c99");
const riskLevel = z.enum(["low", "medium", "high"]);

const usersSchema = z
  .strictObject({
    /** `"All"` or user object ids. */
    includeUsers: z.array(z.union([z.literal("All"), z.uuid()])).default([]),
    excludeUsers: z.array(z.uuid()).default([]),
    /** App roles from the directory (`roles`), standing in for Entra's directory roles. */
    includeRoles: z.array(z.string().min(1)).default([]),
    excludeRoles: z.array(z.string().min(1)).default([]),
  })
  .refine((u) => u.includeUsers.length > 0 || u.includeRoles.length > 0, "users must include \"All\", user ids or roles");

const applicationsSchema = z
  .strictObject({
    /** `["All"]`: a sign-in policy, evaluated whatever contexts are requested. */
    includeApplications: z.array(z.literal("All")).default([]),
    includeAuthenticationContextClassReferences: z.array(contextId).default([]),
  })
  .refine(
    (a) => (a.includeApplications.length > 0) !== (a.includeAuthenticationContextClassReferences.length > 0),
    "applications target either all apps or authentication contexts, not both",
  );

const grantControlsSchema = z
  .strictObject({
    operator: z.enum(["AND", "OR"]).default("OR"),
    builtInControls: z.array(z.enum(["block", "mfa", "passwordChange"])).default([]),
    authenticationStrength: z
      .strictObject({
        id: z.enum(Object.keys(BUILT_IN_STRENGTHS) as [keyof typeof BUILT_IN_STRENGTHS]),
        displayName: z.string().optional(),
      })
      .optional(),
  })
  .refine((g) => g.builtInControls.length > 0 || g.authenticationStrength, "grantControls needs at least one control")
  .refine((g) => !g.builtInControls.includes("block") || (g.builtInControls.length === 1 && !g.authenticationStrength), "block cannot be combined with other controls")
  // ENTRA.md §7: "Require MFA" and "Require authentication strength" can't be combined.
  .refine((g) => !(g.builtInControls.includes("mfa") && g.authenticationStrength), "mfa and authenticationStrength cannot be combined")
  .refine(
    (g) => !g.builtInControls.includes("passwordChange") || (g.operator === "AND" && (g.builtInControls.includes("mfa") || g.authenticationStrength)),
    "passwordChange must be combined with mfa or an authentication strength using operator AND",
  );

const frequencySchema = z.union([
  z.strictObject({ type: z.literal("everyTime") }),
  z.strictObject({ value: z.number().int().positive().max(24 * 365), unit: z.literal("hours") }),
]);

const conditionalAccessPolicySchema = z.strictObject({
  id: z.uuid(),
  displayName: z.string().min(1),
  state: z.enum(["enabled", "disabled", "enabledForReportingButNotEnforced"]),
  conditions: z.strictObject({
    users: usersSchema,
    applications: applicationsSchema,
    /** Risk is not simulated yet: a policy with risk levels never matches. */
    signInRiskLevels: z.array(riskLevel).default([]),
    userRiskLevels: z.array(riskLevel).default([]),
  }),
  grantControls: grantControlsSchema,
  sessionControls: z.strictObject({ signInFrequency: frequencySchema.optional() }).optional(),
});

const policySetSchema = z
  .strictObject({
    $comment: z.string().optional(),
    name: z.enum(POLICY_SET_NAMES),
    authenticationContextClassReferences: z.array(
      z.strictObject({ id: contextId, displayName: z.string().min(1), description: z.string().optional(), isAvailable: z.boolean().default(true) }),
    ),
    policies: z.array(conditionalAccessPolicySchema),
  })
  .superRefine((set, ctx) => {
    const ids = new Set<string>();
    const contexts = new Set(set.authenticationContextClassReferences.map((c) => c.id));
    set.policies.forEach((p, i) => {
      if (ids.has(p.id)) ctx.addIssue({ code: "custom", path: ["policies", i, "id"], message: `duplicate policy id ${p.id}` });
      ids.add(p.id);
      // Entra allows "Require password change" only on a user-risk policy for all apps.
      if (p.grantControls.builtInControls.includes("passwordChange") && (p.conditions.userRiskLevels.length === 0 || p.conditions.applications.includeApplications.length === 0)) {
        ctx.addIssue({ code: "custom", path: ["policies", i, "grantControls"], message: "passwordChange needs userRiskLevels and includeApplications [\"All\"]" });
      }
      for (const c of p.conditions.applications.includeAuthenticationContextClassReferences) {
        if (!contexts.has(c)) ctx.addIssue({ code: "custom", path: ["policies", i, "conditions"], message: `context ${c} is not defined in authenticationContextClassReferences` });
      }
    });
  });

/** A Conditional Access policy, modelled on Graph's `conditionalAccessPolicy`. */
export type ConditionalAccessPolicy = z.infer<typeof conditionalAccessPolicySchema>;
/** A validated policy set file. */
export type PolicySet = z.infer<typeof policySetSchema>;
/** Sign-in frequency: "every time" (with the 5-minute tolerance) or an interval. */
export type SignInFrequency = z.infer<typeof frequencySchema>;

/** Validates a policy set document; throws with the zod issues. */
export function parsePolicySet(input: unknown): PolicySet {
  return policySetSchema.parse(input);
}

/** Loads and validates every set in `dir` (`production.json`, `staging.json`). */
export function loadPolicySets(dir: string): Record<PolicySetName, PolicySet> {
  const load = (name: PolicySetName) => {
    const file = join(dir, `${name}.json`);
    let set: PolicySet;
    try {
      set = parsePolicySet(JSON.parse(readFileSync(file, "utf8")));
    } catch (err) {
      throw new Error(`Invalid policy set ${file}: ${err instanceof z.ZodError ? z.prettifyError(err) : err instanceof Error ? err.message : String(err)}`);
    }
    if (set.name !== name) throw new Error(`Policy set ${file} is named "${set.name}"; expected "${name}".`);
    return set;
  };
  return { production: load("production"), staging: load("staging") };
}

/** Authentication context ids Entra accepts: c1 to c99. */
export function isContextId(id: string): boolean {
  return /^c([1-9]|[1-9][0-9])$/.test(id);
}

/** What an unmet policy asks of the session: a strength, verified recently enough. */
export interface Requirement {
  strength: StrengthName;
  /** null: once in the session is enough. */
  frequency: SignInFrequency | null;
}

/** Methods that satisfy a requirement's strength. */
export function methodsFor(requirement: Requirement): readonly MfaMethod[] {
  return STRENGTH_METHODS[requirement.strength];
}

/** Graph's `appliedConditionalAccessPolicy.result` values the emulator produces. */
export type PolicyResult = "success" | "failure" | "notApplied" | "notEnabled" | "reportOnlySuccess" | "reportOnlyFailure" | "reportOnlyNotApplied";

/** One policy's outcome for one evaluation (the sign-in logs will carry these). */
export interface AppliedPolicy {
  id: string;
  displayName: string;
  result: PolicyResult;
  /** Requested contexts this policy targets. */
  contexts: string[];
}

/** The result of evaluating a request against the active policy set. */
export interface Evaluation {
  /** Requested contexts to issue: every enforced policy targeting them succeeded, or none targets them. */
  satisfied: string[];
  /** Requested contexts an enforced policy failed for. */
  missing: string[];
  /** Satisfied contexts no enforced policy applied to (issued anyway, as Entra does). */
  unenforced: string[];
  /** Unmet requirements of enforced policies (contexts and sign-in policies). */
  required: Requirement[];
  /** Set when an enforced policy blocks, or asks for a password change the emulator cannot run yet. */
  blocked?: { policyId: string; control: "block" | "passwordChange" };
  policies: AppliedPolicy[];
}

/** What the engine knows about the sign-in. */
export interface SignInFacts {
  user: { oid: string; roles?: readonly string[] | undefined };
  auth: AuthSnapshot;
  /** Emulator time, ms. */
  now: number;
}

function maxAgeMs(frequency: SignInFrequency | null): number {
  if (!frequency) return Number.POSITIVE_INFINITY;
  return "type" in frequency ? EVERY_TIME_TOLERANCE_MS : frequency.value * 3600 * 1000;
}

/** True when the session proved a method of this strength within the frequency window. */
export function meets(requirement: Requirement, { auth, now }: Pick<SignInFacts, "auth" | "now">): boolean {
  const limit = maxAgeMs(requirement.frequency);
  return methodsFor(requirement).some((method) => {
    const at = method === "totp" ? auth.totpAt : method === "sms" ? auth.smsAt : auth.passkeyAt;
    // A passkey is multi-factor on its own; a code (app or SMS) only counts after the password.
    return at !== undefined && (method === "passkey" || auth.passwordAt !== undefined) && now - at <= limit;
  });
}

function userMatches(policy: ConditionalAccessPolicy, user: SignInFacts["user"]): boolean {
  const { includeUsers, excludeUsers, includeRoles, excludeRoles } = policy.conditions.users;
  const roles = user.roles ?? [];
  if (excludeUsers.includes(user.oid) || excludeRoles.some((r) => roles.includes(r))) return false;
  return includeUsers.includes("All") || includeUsers.includes(user.oid) || includeRoles.some((r) => roles.includes(r));
}

function requirementOf(policy: ConditionalAccessPolicy): Requirement | undefined {
  const { builtInControls, authenticationStrength } = policy.grantControls;
  const strength = authenticationStrength ? BUILT_IN_STRENGTHS[authenticationStrength.id] : builtInControls.includes("mfa") ? "mfa" : undefined;
  return strength ? { strength, frequency: policy.sessionControls?.signInFrequency ?? null } : undefined;
}

/**
 * Evaluates a request against a policy set, on every authorize and every refresh: which requested
 * contexts may be issued, what is still required, and each policy's result. Invalid context ids
 * (not c1..c99) are neither satisfied nor missing: they never reach a token.
 *
 * A policy applies when it is not disabled, its users condition includes the user, it targets all
 * apps or one of the requested contexts, and its risk conditions match (risk is not simulated yet,
 * so a policy with risk levels never applies). Report-only policies get a result but change nothing.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/developer-guide-conditional-access-authentication-context
 * @see https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy
 */
export function evaluate(set: PolicySet, contexts: readonly string[], facts: SignInFacts): Evaluation {
  const requested = [...new Set(contexts)].filter(isContextId);
  const result: Evaluation = { satisfied: [], missing: [], unenforced: [], required: [], policies: [] };
  const enforcedFor = new Set<string>();
  const failedFor = new Set<string>();
  for (const policy of set.policies) {
    const targeted = policy.conditions.applications.includeAuthenticationContextClassReferences.filter((c) => requested.includes(c));
    const reportOnly = policy.state === "enabledForReportingButNotEnforced";
    const entry = (result: PolicyResult): AppliedPolicy => ({ id: policy.id, displayName: policy.displayName, result, contexts: targeted });
    if (policy.state === "disabled") {
      result.policies.push(entry("notEnabled"));
      continue;
    }
    const applies =
      userMatches(policy, facts.user) &&
      (policy.conditions.applications.includeApplications.length > 0 || targeted.length > 0) &&
      policy.conditions.signInRiskLevels.length === 0 &&
      policy.conditions.userRiskLevels.length === 0;
    if (!applies) {
      result.policies.push(entry(reportOnly ? "reportOnlyNotApplied" : "notApplied"));
      continue;
    }
    const requirement = requirementOf(policy);
    const controls = policy.grantControls.builtInControls;
    // block and passwordChange cannot be met by the session; with AND, neither can the policy.
    const unmeetable = controls.includes("block") ? "block" : controls.includes("passwordChange") ? "passwordChange" : undefined;
    const met = !unmeetable && requirement !== undefined && meets(requirement, facts);
    result.policies.push(entry(reportOnly ? (met ? "reportOnlySuccess" : "reportOnlyFailure") : met ? "success" : "failure"));
    if (reportOnly) continue;
    for (const c of targeted) enforcedFor.add(c);
    if (met) continue;
    for (const c of targeted) failedFor.add(c);
    if (unmeetable) result.blocked ??= { policyId: policy.id, control: unmeetable };
    else if (requirement) result.required.push(requirement);
  }
  for (const c of requested) {
    if (failedFor.has(c)) result.missing.push(c);
    else {
      result.satisfied.push(c);
      if (!enforcedFor.has(c)) result.unenforced.push(c);
    }
  }
  return result;
}

/** Display name of a context in the set (falls back to the id). */
export function contextName(set: PolicySet, id: string): string {
  return set.authenticationContextClassReferences.find((c) => c.id === id)?.displayName ?? id;
}

/**
 * Contexts a resource may receive opportunistically (ENTRA.md §6): those targeted by enabled
 * policies whose sign-in frequency is an interval, never "every time".
 */
export function intervalContexts(set: PolicySet): string[] {
  const enabled = set.policies.filter((p) => p.state === "enabled");
  const ids = new Set(enabled.flatMap((p) => p.conditions.applications.includeAuthenticationContextClassReferences));
  return [...ids].filter((id) =>
    enabled.every((p) => {
      const freq = p.sessionControls?.signInFrequency;
      return !p.conditions.applications.includeAuthenticationContextClassReferences.includes(id) || (freq !== undefined && !("type" in freq));
    }),
  );
}
