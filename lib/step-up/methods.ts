import { contextStrength, type AuthContextId, type AuthenticationStrength, type PolicySetName } from "@/lib/step-up/policy";

/**
 * Which registered sign-in methods satisfy which authentication strength, and how to tell a
 * person that they have none an action will accept: the portal's own knowledge of the tenant's
 * Conditional Access authentication strengths (Entra's built-in ones,
 * https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strengths), keyed
 * by Microsoft Graph's method types (https://learn.microsoft.com/graph/api/resources/authenticationmethods-overview).
 * Which strength each context is enforced with is in lib/step-up/policy.ts (`contextStrength`).
 *
 * Only ever a hint: the identity provider decides at verification, and offers registration there.
 * Client-safe: the server summarises a person's methods with it
 * (lib/identity/authentication-methods.ts) and the transfer form words the summary.
 */

/** The kinds of second factor the portal tells apart, to say which one a person would use. */
type FactorKind = "authenticatorApp" | "hardwareToken" | "phone" | "temporaryAccessPass" | "passkey" | "windowsHello" | "platformCredential";

/**
 * Graph's method types and the strengths each satisfies; `null` for methods that are no second
 * factor. A type missing here (certificate-based authentication, whose strength depends on the
 * tenant's configuration, or one Graph adds later) makes the portal claim nothing: the person may
 * have exactly what an action needs.
 */
const GRAPH_METHOD_TYPES: Readonly<Record<string, { kind: FactorKind; satisfies: readonly AuthenticationStrength[] } | null>> = {
  "#microsoft.graph.passwordAuthenticationMethod": null,
  // Self-service password reset only, never a sign-in factor.
  "#microsoft.graph.emailAuthenticationMethod": null,
  "#microsoft.graph.softwareOathAuthenticationMethod": { kind: "authenticatorApp", satisfies: ["mfa"] },
  "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod": { kind: "authenticatorApp", satisfies: ["mfa"] },
  "#microsoft.graph.hardwareOathAuthenticationMethod": { kind: "hardwareToken", satisfies: ["mfa"] },
  "#microsoft.graph.phoneAuthenticationMethod": { kind: "phone", satisfies: ["mfa"] },
  "#microsoft.graph.temporaryAccessPassAuthenticationMethod": { kind: "temporaryAccessPass", satisfies: ["mfa"] },
  "#microsoft.graph.fido2AuthenticationMethod": { kind: "passkey", satisfies: ["mfa", "phishingResistantMfa"] },
  "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod": { kind: "windowsHello", satisfies: ["mfa", "phishingResistantMfa"] },
  "#microsoft.graph.platformCredentialAuthenticationMethod": { kind: "platformCredential", satisfies: ["mfa", "phishingResistantMfa"] },
};

const STRENGTHS: readonly AuthenticationStrength[] = ["mfa", "phishingResistantMfa"];

/** How a person would prove a factor they have, in words. */
const FACTOR_WORDS: Record<FactorKind, string> = {
  authenticatorApp: "your authenticator app",
  hardwareToken: "your hardware token",
  phone: "a code sent to your phone",
  temporaryAccessPass: "your Temporary Access Pass",
  passkey: "your passkey",
  windowsHello: "Windows Hello",
  platformCredential: "your device's sign-in",
};

/**
 * What the portal knows of a person's sign-in methods, small enough to hand to a client
 * component: no ids, no phone numbers. `null` wherever it is used means "not known".
 */
export interface MethodsSummary {
  /** Strengths none of the person's methods satisfies. Empty whenever a method's strength is unknown. */
  readonly lacks: readonly AuthenticationStrength[];
  /**
   * What the person would verify with before adding a method, in words ("your authenticator
   * app"): the identity provider asks for an existing factor first. Null when they have none.
   */
  readonly confirmWith: string | null;
}

/** Summarises Graph's list of a person's methods (only `@odata.type` is read). */
export function summarizeMethods(methods: readonly { "@odata.type": string }[]): MethodsSummary {
  const known = methods.map((method) => (Object.hasOwn(GRAPH_METHOD_TYPES, method["@odata.type"]) ? GRAPH_METHOD_TYPES[method["@odata.type"]] : undefined));
  const factors = known.filter((factor) => factor !== undefined && factor !== null);
  const unknown = known.includes(undefined);
  const kinds = [...new Set(factors.map((factor) => factor.kind))];
  let confirmWith: string | null = null;
  if (unknown || kinds.length > 1) confirmWith = "a method you already have";
  else if (kinds[0]) confirmWith = FACTOR_WORDS[kinds[0]];
  return { lacks: unknown ? [] : STRENGTHS.filter((strength) => !factors.some((factor) => factor.satisfies.includes(strength))), confirmWith };
}

/**
 * What the identity provider offers a person without a method a request accepts, as both the
 * transfer form and the step-up dialog say it (lib/step-up/client/use-step-up-action.ts), so the two agree.
 */
export const REGISTER_IN_SIGN_IN_WINDOW = "the sign-in window lets you register one";

/**
 * The id of the part of Settings › Security that says how to add a passkey or another method
 * (app/(portal)/settings/security/page.tsx); the transfer form links to it.
 */
export const ADD_A_METHOD_ANCHOR = "add-a-method";

/** What the transfer form adds to its hint when the person has no method the context accepts. */
export interface MissingMethod {
  /** "You have no passkey yet: …". */
  sentence: string;
  /** The text of the link to `ADD_A_METHOD_ANCHOR`: "How to add a passkey". */
  linkText: string;
}

/**
 * Whether `methods` lack what `authContext` needs under `set`, in words; null when they do not,
 * and when the portal does not know (`methods` null: Graph unreadable, the permission not granted).
 */
export function describeMissingMethod(set: PolicySetName, authContext: AuthContextId, methods: MethodsSummary | null): MissingMethod | null {
  if (!methods) return null;
  const strength = contextStrength(set, authContext);
  if (!methods.lacks.includes(strength)) return null;
  const method = strength === "phishingResistantMfa" ? "passkey" : "second factor";
  const confirm = methods.confirmWith ? `, after you confirm with ${methods.confirmWith}` : "";
  return { sentence: `You have no ${method} yet: when you verify, ${REGISTER_IN_SIGN_IN_WINDOW}${confirm}.`, linkText: `How to add a ${method}` };
}
