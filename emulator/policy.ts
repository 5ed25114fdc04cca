import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { AuthSnapshot, RiskLevel } from "./types.js";

/** A second factor the emulator can verify. */
export type MfaMethod = "totp" | "sms" | "passkey";
/** Every second factor, in the order the method choice lists them. */
export const MFA_METHODS: readonly MfaMethod[] = ["totp", "sms", "passkey"];

/** Entra's built-in authentication strengths. */
export type StrengthName = "mfa" | "passwordlessMfa" | "phishingResistantMfa";

/**
 * Built-in authentication strength policy ids (see below). Custom strengths are not emulated.
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
  // https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strengths: "Require MFA" and "Require authentication strength" can't be combined.
  .refine((g) => !(g.builtInControls.includes("mfa") && g.authenticationStrength), "mfa and authenticationStrength cannot be combined")
  .refine(
    (g) => !g.builtInControls.includes("passwordChange") || (g.operator === "AND" && (g.builtInControls.includes("mfa") || g.authenticationStrength)),
    "passwordChange must be combined with mfa or an authentication strength using operator AND",
  );

/**
 * Graph's `signInFrequencySessionControl`: `everyTime` (no `type` or `value`) or `timeBased`
 * (`value` hours or days). `authenticationType` says what must be redone when the frequency
 * lapses: the second factor only (`secondaryAuthentication`) or the whole sign-in
 * (`primaryAndSecondaryAuthentication`); Graph notes that it does not matter for `timeBased`, where
 * the emulator measures the interval from the verification the grant asks for.
 *
 * @see https://learn.microsoft.com/graph/api/resources/signinfrequencysessioncontrol
 */
const frequencySchema = z
  .strictObject({
    isEnabled: z.boolean(),
    frequencyInterval: z.enum(["timeBased", "everyTime"]),
    type: z.enum(["days", "hours"]).nullable(),
    value: z.number().int().positive().nullable(),
    authenticationType: z.enum(["primaryAndSecondaryAuthentication", "secondaryAuthentication"]),
  })
  .refine((f) => (f.frequencyInterval === "everyTime" ? f.type === null && f.value === null : f.type !== null && f.value !== null), "everyTime has no type or value; timeBased needs both")
  .refine((f) => f.value === null || f.value <= (f.type === "days" ? 365 : 24 * 365), "a sign-in frequency is at most 365 days");

/** Client app types the emulator evaluates: all of them (the condition is not narrowed). */
const clientAppTypesSchema = z.array(z.literal("all"), { message: "the emulator evaluates clientAppTypes [\"all\"] only" }).min(1).default(["all"]);

const conditionalAccessPolicySchema = z.strictObject({
  id: z.uuid(),
  displayName: z.string().min(1),
  state: z.enum(["enabled", "disabled", "enabledForReportingButNotEnforced"]),
  /** Graph's read-only timestamps; the emulator sets `modifiedDateTime` when a state is changed (admin.ts). */
  createdDateTime: z.iso.datetime().nullable().default(null),
  modifiedDateTime: z.iso.datetime().nullable().default(null),
  /** The Conditional Access template the policy was made from; none here. */
  templateId: z.string().nullable().default(null),
  conditions: z.strictObject({
    users: usersSchema,
    applications: applicationsSchema,
    clientAppTypes: clientAppTypesSchema,
    /** Simulated Identity Protection levels (risk.ts); empty = any risk, including none. */
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
/** A policy's state: on, report-only or off. */
export type PolicyState = ConditionalAccessPolicy["state"];
/** Every policy state, in the order the console offers them. */
export const POLICY_STATES = ["enabled", "enabledForReportingButNotEnforced", "disabled"] as const satisfies readonly PolicyState[];
/** A validated policy set file. */
export type PolicySet = z.infer<typeof policySetSchema>;
/** Sign-in frequency: "every time" (with the 5-minute tolerance) or an interval, as Graph shapes it. */
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
  /**
   * Set when the policy has a risk condition. Entra refuses to let a risky sign-in register a new
   * method (AADSTS53004), so such a requirement cannot lead to the registration interrupt.
   */
  riskBased?: boolean;
}

/** Methods that satisfy a requirement's strength. */
export function methodsFor(requirement: Requirement): readonly MfaMethod[] {
  return STRENGTH_METHODS[requirement.strength];
}

/**
 * Graph's `appliedConditionalAccessPolicy.result` values the engine produces. The sign-in log
 * turns an interactive `reportOnlyFailure` the user could have satisfied into
 * `reportOnlyInterrupted` (signin-log.ts).
 */
export type PolicyResult = "success" | "failure" | "notApplied" | "notEnabled" | "reportOnlySuccess" | "reportOnlyFailure" | "reportOnlyNotApplied";

/** One policy's outcome for one evaluation (the sign-in logs carry these). */
export interface AppliedPolicy {
  id: string;
  displayName: string;
  result: PolicyResult;
  /** Requested contexts this policy targets. */
  contexts: string[];
  /** Graph's `enforcedGrantControls` names, e.g. `["Mfa"]`. */
  enforcedGrantControls: string[];
  /** Graph's `enforcedSessionControls` names, e.g. `["SignInFrequency"]`. */
  enforcedSessionControls: string[];
  /** Which risk condition the policy has, if any. */
  riskCondition?: "signInRisk" | "userRisk";
  /** The policy failed only for want of something the user can do (a factor, a password change), not a block. */
  userActionable: boolean;
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
  /** Set when an enforced policy blocks. */
  blocked?: { policyId: string; control: "block" };
  /** Set when an enforced policy needs a secure password change (after its MFA). */
  passwordChange?: { policyId: string };
  policies: AppliedPolicy[];
}

/** Risk levels Conditional Access sees for a sign-in (risk.ts); absent = none. */
export interface RiskFacts {
  signIn: RiskLevel;
  user: RiskLevel;
}

/** What the engine knows about the sign-in. */
export interface SignInFacts {
  user: { oid: string; roles?: readonly string[] | undefined };
  auth: AuthSnapshot;
  /** Emulator time, ms. */
  now: number;
  risk?: RiskFacts;
  /** The user completed the secure password change in this sign-in (the `passwordChange` control). */
  passwordChanged?: boolean;
}

function maxAgeMs(frequency: SignInFrequency | null): number {
  if (!frequency || !frequency.isEnabled) return Number.POSITIVE_INFINITY;
  if (frequency.frequencyInterval === "everyTime") return EVERY_TIME_TOLERANCE_MS;
  return (frequency.value ?? 0) * (frequency.type === "days" ? 24 : 1) * 3600 * 1000;
}

/**
 * True when the session proved a method of this strength within the frequency window. With
 * "every time" for the primary and secondary authentication, the password must be that recent too
 * (a passkey is both at once).
 */
export function meets(requirement: Requirement, { auth, now }: Pick<SignInFacts, "auth" | "now">): boolean {
  const limit = maxAgeMs(requirement.frequency);
  const frequency = requirement.frequency;
  const wholeSignIn = frequency?.isEnabled === true && frequency.frequencyInterval === "everyTime" && frequency.authenticationType === "primaryAndSecondaryAuthentication";
  return methodsFor(requirement).some((method) => {
    const at = method === "totp" ? auth.totpAt : method === "sms" ? auth.smsAt : auth.passkeyAt;
    // A passkey is multi-factor on its own; a code (app or SMS) only counts after the password.
    const primaryAt = method === "passkey" ? at : auth.passwordAt;
    return at !== undefined && primaryAt !== undefined && now - at <= limit && (!wholeSignIn || now - primaryAt <= limit);
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
  const riskBased = policy.conditions.signInRiskLevels.length > 0 || policy.conditions.userRiskLevels.length > 0;
  return strength ? { strength, frequency: policy.sessionControls?.signInFrequency ?? null, ...(riskBased ? { riskBased } : {}) } : undefined;
}

/** A risk condition matches when it lists the level (an empty list means "any risk"). */
function riskMatches(levels: readonly string[], level: RiskLevel): boolean {
  return levels.length === 0 || levels.includes(level);
}

/**
 * Grant control names as the sign-in log shows them (`Mfa`, `Block` as seen in Graph responses;
 * the other two follow the same pattern and are the emulator's choice).
 */
function grantControlNames(policy: ConditionalAccessPolicy): string[] {
  const names: Record<string, string> = { mfa: "Mfa", block: "Block", passwordChange: "PasswordChange" };
  return [
    ...policy.grantControls.builtInControls.map((c) => names[c] ?? c),
    ...(policy.grantControls.authenticationStrength ? ["RequireAuthenticationStrength"] : []),
  ];
}

/**
 * Evaluates a request against a policy set, on every authorize and every refresh: which requested
 * contexts may be issued, what is still required, and each policy's result. Invalid context ids
 * (not c1..c99) are neither satisfied nor missing: they never reach a token.
 *
 * A policy applies when it is not disabled, its users condition includes the user, it targets all
 * apps or one of the requested contexts, and its risk conditions list the sign-in's and the user's
 * risk levels (simulated, risk.ts). Report-only policies get a result but change nothing.
 *
 * `passwordChange` (always with MFA, AND) is met when the MFA part is met and the user changed the
 * password in this sign-in; until then the evaluation asks for the MFA first, then the change.
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
    const { signInRiskLevels, userRiskLevels } = policy.conditions;
    const riskCondition = signInRiskLevels.length > 0 ? "signInRisk" : userRiskLevels.length > 0 ? "userRisk" : undefined;
    const controls = policy.grantControls.builtInControls;
    const entry = (result: PolicyResult): AppliedPolicy => ({
      id: policy.id,
      displayName: policy.displayName,
      result,
      contexts: targeted,
      enforcedGrantControls: grantControlNames(policy),
      enforcedSessionControls: policy.sessionControls?.signInFrequency?.isEnabled ? ["SignInFrequency"] : [],
      ...(riskCondition ? { riskCondition } : {}),
      userActionable: !controls.includes("block"),
    });
    if (policy.state === "disabled") {
      result.policies.push(entry("notEnabled"));
      continue;
    }
    const applies =
      userMatches(policy, facts.user) &&
      (policy.conditions.applications.includeApplications.length > 0 || targeted.length > 0) &&
      riskMatches(signInRiskLevels, facts.risk?.signIn ?? "none") &&
      riskMatches(userRiskLevels, facts.risk?.user ?? "none");
    if (!applies) {
      result.policies.push(entry(reportOnly ? "reportOnlyNotApplied" : "notApplied"));
      continue;
    }
    const requirement = requirementOf(policy);
    const block = controls.includes("block");
    const needsPasswordChange = controls.includes("passwordChange") && facts.passwordChanged !== true;
    const strengthMet = requirement !== undefined && meets(requirement, facts);
    const met = !block && strengthMet && !needsPasswordChange;
    result.policies.push(entry(reportOnly ? (met ? "reportOnlySuccess" : "reportOnlyFailure") : met ? "success" : "failure"));
    if (reportOnly) continue;
    for (const c of targeted) enforcedFor.add(c);
    if (met) continue;
    for (const c of targeted) failedFor.add(c);
    if (block) {
      result.blocked ??= { policyId: policy.id, control: "block" };
      continue;
    }
    if (requirement && !strengthMet) result.required.push(requirement);
    if (needsPasswordChange) result.passwordChange ??= { policyId: policy.id };
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
 * Contexts a resource may receive opportunistically (https://learn.microsoft.com/entra/identity-platform/developer-guide-conditional-access-authentication-context): those targeted by enabled
 * policies whose sign-in frequency is an interval, never "every time".
 */
export function intervalContexts(set: PolicySet): string[] {
  const enabled = set.policies.filter((p) => p.state === "enabled");
  const ids = new Set(enabled.flatMap((p) => p.conditions.applications.includeAuthenticationContextClassReferences));
  return [...ids].filter((id) =>
    enabled.every((p) => {
      const freq = p.sessionControls?.signInFrequency;
      return !p.conditions.applications.includeAuthenticationContextClassReferences.includes(id) || (freq?.isEnabled === true && freq.frequencyInterval === "timeBased");
    }),
  );
}
