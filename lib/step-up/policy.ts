import { minorDigits } from "@/lib/format";

/**
 * The step-up policy: which operation needs which authentication context, how fresh, and
 * bound to what. This file is the only place authentication context ids appear in the portal
 * (the identity provider decides what each id *requires*; the portal decides which operation
 * asks for which id).
 *
 * The ids must match the identity provider's authentication contexts (Conditional Access >
 * Authentication contexts in Entra ID; emulator/policies/*.json locally). It holds no secrets and
 * reads no env, so client components may import its labels; the server picks the active set
 * with `env.STEP_UP_POLICY_SET` (lib/step-up/server/protected-action.ts). docs/step-up.md has the table.
 */
export const authContexts = {
  c1: { label: "Multi-factor, just now", description: "Verified with a second factor for this action" },
  c2: { label: "Passkey, just now", description: "Verified with a phishing-resistant passkey for this action" },
  c3: { label: "Multi-factor, within the hour", description: "Verified with a second factor in the last hour" },
} as const satisfies Record<string, ContextWording>;

/** How a context is put to people: a short label (the header's badge) and what the dialog asks for. */
export interface ContextWording {
  label: string;
  description: string;
}

/** An authentication context id the portal knows about. */
export type AuthContextId = keyof typeof authContexts;

/**
 * What each context requires is the identity provider's decision, and the policy sets differ
 * there: staging's c2 asks for any second factor, production's for a passkey. The
 * wording follows the set the portal runs with, so the dialog never promises a passkey that
 * staging will not ask for. `authContexts` holds production's wording.
 */
const stagingWording: Partial<Record<AuthContextId, ContextWording>> = {
  c2: { label: "Multi-factor, just now", description: "Verified with a second factor for this action (staging; production asks for a passkey)" },
};

/** The wording of `id` under policy set `set`. */
export function describeContext(set: PolicySetName, id: AuthContextId): ContextWording {
  return (set === "staging" ? stagingWording[id] : undefined) ?? authContexts[id];
}

/** A human description of a session's strength under policy set `set`, strongest first. */
export function describeStrength(acrs: readonly string[], set: PolicySetName = "production"): { label: string; multiFactor: boolean } {
  const order: AuthContextId[] = ["c2", "c1", "c3"];
  const strongest = order.find((id) => acrs.includes(id));
  return strongest ? { label: describeContext(set, strongest).label, multiFactor: true } : { label: "Password only", multiFactor: false };
}

/**
 * Freshness windows, in seconds, matched to the identity provider's sign-in frequency for each
 * context so that the two can never disagree. If the portal demanded a fresher `auth_time` than
 * the identity provider re-verifies, the provider would keep issuing a token the portal keeps
 * rejecting: a step-up loop with no way out.
 * - c1, c2: "every time", which Entra applies with a 5-minute tolerance (https://learn.microsoft.com/entra/identity/conditional-access/concept-session-lifetime).
 * - c3: "within the hour".
 */
const EVERY_TIME_SECONDS = 300;
const WITHIN_THE_HOUR_SECONDS = 3_600;

/** How long a session-bound step-up lasts (the elevation), independent of freshness. */
const STATEMENTS_ELEVATION_SECONDS = 900;

/**
 * Session binding: one verification elevates the session for a while (reading statements
 * repeatedly needs no popup each time).
 */
export interface SessionBoundRequirement {
  readonly binding: "session";
  readonly authContext: AuthContextId;
  /** Oldest accepted `auth_time` of the proof (or of the sign-in), in seconds. */
  readonly maxAgeSeconds: number;
  /** How long a verified proof elevates the session (capped by the session's own end). */
  readonly elevationSeconds: number;
}

/**
 * Transaction binding: each execution needs its own proof, minted after the exact payload the
 * user approves was stored, and consumed with it.
 */
export interface TransactionBoundRequirement {
  readonly binding: "transaction";
  readonly authContext: AuthContextId;
  /** Oldest accepted `auth_time` of the proof, in seconds. */
  readonly maxAgeSeconds: number;
}

/** What an operation needs before it runs. */
export type StepUpRequirement = SessionBoundRequirement | TransactionBoundRequirement;

/** What the step-up policy asked of a call that is now executing, and met. */
export interface StepUpDecision {
  /** The policy set the call was judged under. */
  policySet: PolicySetName;
  /** The requirement the caller met; null when the policy required nothing for this input. */
  requirement: StepUpRequirement | null;
}

/** The answer for an operation that needs no step-up for this input. */
export const NO_STEP_UP = "none";

/** A rule's answer: a requirement, or `NO_STEP_UP`. */
export type RuleOutcome = StepUpRequirement | typeof NO_STEP_UP;

/** The facts `transfer.create`'s rule decides on; the action derives them from the database. */
export interface TransferPolicyInput {
  /** Positive amount in minor units of `currency`. */
  readonly amountMinor: bigint;
  /** ISO 4217 code of the source account. */
  readonly currency: string;
  /** True when the recipient is a payee with no completed transfer yet (false between own accounts). */
  readonly newPayee: boolean;
  /** What left the source account today (UTC) without step-up, in minor units of `currency`. */
  readonly unverifiedTodayMinor: bigint;
}

/** The fact `limits.update`'s rule decides on; the action derives it from the limits the change starts from. */
export interface LimitChangePolicyInput {
  /** True when the new per-transfer or daily limit is above the current one. */
  readonly raises: boolean;
}

/** Transfer thresholds in whole currency units; scaled to minor units per currency. */
export interface TransferThresholds {
  /** From this amount on, a transfer needs step-up at all (c1). */
  readonly stepUpFrom: bigint;
  /** From this amount on, or to a new payee, it needs the strongest context (c2). */
  readonly highValueFrom: bigint;
  /**
   * What may leave one account per day (UTC) in transfers that needed no step-up: the transfer
   * that would take the day's unverified total past it needs c1, like one from `stepUpFrom`.
   * Without it, a stolen session could move the whole daily limit in steps just below
   * `stepUpFrom`. The cumulative cap of low-value exemptions in payment regulation (PSD2 RTS
   * Art. 16) works the same way. Enforced again when the money moves (lib/data/transfers.ts).
   */
  readonly unverifiedDailyAllowance: bigint;
}

/**
 * Production thresholds: 1,000.00 and 10,000.00 in the source account's currency, and 1,000.00
 * a day without verification. Exported so the UI can say "transfers from … need verification"
 * without restating the numbers.
 */
export const PRODUCTION_TRANSFER_LIMITS: TransferThresholds = { stepUpFrom: 1_000n, highValueFrom: 10_000n, unverifiedDailyAllowance: 1_000n };

/**
 * Staging thresholds are ten times lower, so testers exercise every tier with the small balances
 * of staging accounts.
 */
export const STAGING_TRANSFER_LIMITS: TransferThresholds = { stepUpFrom: 100n, highValueFrom: 1_000n, unverifiedDailyAllowance: 100n };

/** The transfer thresholds of policy set `set`. */
export function transferLimitsOf(set: PolicySetName): TransferThresholds {
  return set === "staging" ? STAGING_TRANSFER_LIMITS : PRODUCTION_TRANSFER_LIMITS;
}

/**
 * The daily allowance of transfers without step-up under `set`, in minor units of `currency`
 * (the source account's). Throws on an unknown currency, like the rule itself.
 */
export function unverifiedAllowanceMinor(set: PolicySetName, currency: string): bigint {
  return transferLimitsOf(set).unverifiedDailyAllowance * 10n ** BigInt(minorDigits(currency));
}

const viewStatements: SessionBoundRequirement = {
  binding: "session",
  authContext: "c3",
  maxAgeSeconds: WITHIN_THE_HOUR_SECONDS,
  elevationSeconds: STATEMENTS_ELEVATION_SECONDS,
};

const securityUpdate: TransactionBoundRequirement = { binding: "transaction", authContext: "c2", maxAgeSeconds: EVERY_TIME_SECONDS };

function transferRule(limits: TransferThresholds) {
  return (transfer: TransferPolicyInput): RuleOutcome => {
    // Fails closed: a non-positive amount is not a transfer this policy knows how to grade, and
    // an invalid currency makes minorDigits throw, which resolveRequirement turns into a denial.
    if (transfer.amountMinor <= 0n) throw new RangeError("transfer amount must be positive");
    const scale = 10n ** BigInt(minorDigits(transfer.currency));
    if (transfer.newPayee || transfer.amountMinor >= limits.highValueFrom * scale) {
      return { binding: "transaction", authContext: "c2", maxAgeSeconds: EVERY_TIME_SECONDS };
    }
    if (transfer.amountMinor >= limits.stepUpFrom * scale || transfer.unverifiedTodayMinor + transfer.amountMinor > limits.unverifiedDailyAllowance * scale) {
      return { binding: "transaction", authContext: "c1", maxAgeSeconds: EVERY_TIME_SECONDS };
    }
    return NO_STEP_UP;
  };
}

/**
 * Lowering a limit only takes risk away, so it needs nothing; raising one is a security change
 * (an attacker with a stolen session would raise limits before draining the account).
 */
function limitChangeRule(change: LimitChangePolicyInput): RuleOutcome {
  return change.raises ? securityUpdate : NO_STEP_UP;
}

type PolicyTable = Record<string, (input: never) => RuleOutcome>;

/**
 * Production:
 * - `finance.viewStatements` (full account numbers, statements): c3, session-bound, 15 minutes.
 * - `transfer.create`: nothing below 1,000.00 while the day's transfers without step-up stay
 *   within 1,000.00; c1 from 1,000.00 or past that allowance; c2 from 10,000.00 or to a new payee.
 * - `security.update` (adding, editing, removing payees; signing out other sessions): c2.
 * - `limits.update`: nothing to lower a transfer limit; raising one is a security change (c2).
 */
const production = {
  "finance.viewStatements": () => viewStatements,
  "transfer.create": transferRule(PRODUCTION_TRANSFER_LIMITS),
  "security.update": () => securityUpdate,
  "limits.update": limitChangeRule,
} as const satisfies PolicyTable;

/** Every operation the policy knows. An operation missing here does not compile anywhere. */
export type StepUpOperation = keyof typeof production;

/**
 * Staging asks for the same contexts as production. The difference between the sets at the
 * identity provider (in staging c2 means "MFA" rather than "phishing-resistant") is
 * what a context *requires*, which the provider decides; the portal keeps asking for c2, so
 * switching the provider's set needs no change here. What does differ is the transfer thresholds.
 */
const staging = {
  ...production,
  "transfer.create": transferRule(STAGING_TRANSFER_LIMITS),
} as const satisfies Record<StepUpOperation, (input: never) => RuleOutcome>;

/** The policy sets, by `STEP_UP_POLICY_SET`. */
export const policySets = { production, staging } as const;

/** A policy set name (`STEP_UP_POLICY_SET`). */
export type PolicySetName = keyof typeof policySets;

/** The input an operation's rule needs: `undefined` for operations whose rule takes none. */
export type PolicyInput<Op extends StepUpOperation> = Parameters<(typeof production)[Op]> extends [infer I] ? I : undefined;

/** The outcome of looking an operation up: fail-closed, so anything unexpected is `denied`. */
export type RequirementResolution =
  | { kind: "none" }
  | { kind: "required"; requirement: StepUpRequirement }
  | { kind: "denied"; reason: "unknown_operation" | "policy_error" };

/** True for a string that names an operation in the policy. */
export function isStepUpOperation(value: string): value is StepUpOperation {
  return Object.hasOwn(production, value);
}

/**
 * What `operation` needs for this input under `set`. Takes a plain string because callers (a
 * route handler, a replayed pending operation) may hold one: anything the table does not know,
 * and any rule that throws on its input, is denied, never let through.
 */
export function resolveRequirement(set: PolicySetName, operation: string, input?: unknown): RequirementResolution {
  if (!isStepUpOperation(operation)) return { kind: "denied", reason: "unknown_operation" };
  try {
    const table: Record<StepUpOperation, (input: never) => RuleOutcome> = policySets[set];
    const rule = table[operation] as (input: unknown) => RuleOutcome;
    const outcome = rule(input);
    return outcome === NO_STEP_UP ? { kind: "none" } : { kind: "required", requirement: outcome };
  } catch {
    return { kind: "denied", reason: "policy_error" };
  }
}

/** One case of an operation's rule, for people: when it applies and what it asks for. */
export interface PolicyCase {
  when: string;
  outcome: RequirementResolution;
}

/** What a transfer will ask of the person before it runs, and why: the transfer form's hint as they type. */
export interface TransferStepUpHint {
  /** The context the transfer will need; null when it runs without verification. */
  authContext: AuthContextId | null;
  /** What the identity provider will ask for, in words ("a passkey"); empty when nothing. */
  asks: string;
  /** Why, in words ("it is 1,000.00 or more"); empty when nothing. */
  because: string;
}

/**
 * The Conditional Access authentication strengths the portal's contexts are enforced with (Entra's
 * built-in ones, https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strengths):
 * `mfa` accepts any second factor, `phishingResistantMfa` only a passkey (FIDO2) or a
 * device-bound equivalent (Windows Hello for Business, a platform credential).
 * lib/step-up/methods.ts says which registered methods satisfy which.
 */
export type AuthenticationStrength = "mfa" | "phishingResistantMfa";

/**
 * What each context requires under each set: the portal's own knowledge of the tenant's
 * Conditional Access. The identity provider decides (emulator/policies/<set>.json locally;
 * docs/real-tenant.md lists the policies a tenant needs); this follows the policy sets the portal is
 * tested with, for saying before an action what it will ask for (`asks`, as people say it) and
 * whether the person has a method for it (`strength`). Never used to decide anything.
 */
const contextRequirements: Record<PolicySetName, Record<AuthContextId, { strength: AuthenticationStrength; asks: string }>> = {
  production: {
    c1: { strength: "mfa", asks: "a second factor (an authenticator code, a text message or a passkey)" },
    c2: { strength: "phishingResistantMfa", asks: "a passkey" },
    c3: { strength: "mfa", asks: "a second factor" },
  },
  staging: {
    c1: { strength: "mfa", asks: "a second factor" },
    c2: { strength: "mfa", asks: "a second factor" },
    c3: { strength: "mfa", asks: "a second factor" },
  },
};

/** The authentication strength context `id` is enforced with under `set` (see `contextRequirements`). */
export function contextStrength(set: PolicySetName, id: AuthContextId): AuthenticationStrength {
  return contextRequirements[set][id].strength;
}

/**
 * Whether `id` accepts only a passkey under `set`. A person without one on this device cannot
 * satisfy it with anything else, so messages about it say how to get one.
 */
export function contextNeedsPasskey(set: PolicySetName, id: AuthContextId): boolean {
  return contextStrength(set, id) === "phishingResistantMfa";
}

/**
 * `transfer.create`'s answer for these facts in words, computed by asking the rule itself (so the
 * hint cannot drift from what the server will enforce; the server still decides, on facts it
 * reads itself). Amounts are worded in the source account's currency units.
 */
export function describeTransferStepUp(set: PolicySetName, facts: TransferPolicyInput): TransferStepUpHint {
  const resolution = resolveRequirement(set, "transfer.create", facts);
  if (resolution.kind !== "required") return { authContext: null, asks: "", because: "" };
  const { authContext } = resolution.requirement;
  const limits = transferLimitsOf(set);
  const scale = 10n ** BigInt(minorDigits(facts.currency));
  const units = (value: bigint) => `${value.toLocaleString("en-US")}${scale > 1n ? ".00" : ""} ${facts.currency}`;
  const because =
    authContext === "c2"
      ? facts.newPayee
        ? "it is your first payment to this payee"
        : `it is ${units(limits.highValueFrom)} or more`
      : facts.amountMinor >= limits.stepUpFrom * scale
        ? `it is ${units(limits.stepUpFrom)} or more`
        : `it would take what left this account today without verification past ${units(limits.unverifiedDailyAllowance)}`;
  return { authContext, asks: contextRequirements[set][authContext].asks, because };
}

/**
 * The active set's table in words, for the admin "Policy health" page and the docs: each
 * operation with the cases its rule distinguishes, computed by asking the rule itself (so the
 * description cannot drift from what is enforced). Amounts are shown in USD.
 */
export function describePolicy(set: PolicySetName): { operation: StepUpOperation; cases: PolicyCase[] }[] {
  const limits = transferLimitsOf(set);
  const usd = (units: bigint) => `${units.toLocaleString("en-US")}.00 USD`;
  const cases: Record<StepUpOperation, Array<{ when: string; input?: unknown }>> = {
    "finance.viewStatements": [{ when: "Full account numbers, statements" }],
    "transfer.create": [
      {
        when: `Below ${usd(limits.stepUpFrom)}, while the day's transfers without verification stay within ${usd(limits.unverifiedDailyAllowance)}`,
        input: { amountMinor: limits.stepUpFrom * 100n - 1n, currency: "USD", newPayee: false, unverifiedTodayMinor: 0n },
      },
      {
        when: `Below ${usd(limits.stepUpFrom)}, once it would take the day's transfers without verification past ${usd(limits.unverifiedDailyAllowance)}`,
        input: { amountMinor: 1n, currency: "USD", newPayee: false, unverifiedTodayMinor: limits.unverifiedDailyAllowance * 100n },
      },
      { when: `From ${usd(limits.stepUpFrom)}`, input: { amountMinor: limits.stepUpFrom * 100n, currency: "USD", newPayee: false, unverifiedTodayMinor: 0n } },
      { when: `From ${usd(limits.highValueFrom)}`, input: { amountMinor: limits.highValueFrom * 100n, currency: "USD", newPayee: false, unverifiedTodayMinor: 0n } },
      { when: "To a payee with no completed transfer", input: { amountMinor: 1n, currency: "USD", newPayee: true, unverifiedTodayMinor: 0n } },
    ],
    "security.update": [{ when: "Adding, editing or removing a payee; signing out other sessions" }],
    "limits.update": [
      { when: "Lowering a transfer limit", input: { raises: false } },
      { when: "Raising a transfer limit", input: { raises: true } },
    ],
  };
  return (Object.keys(cases) as StepUpOperation[]).map((operation) => ({
    operation,
    cases: cases[operation].map(({ when, input }) => ({ when, outcome: resolveRequirement(set, operation, input) })),
  }));
}
