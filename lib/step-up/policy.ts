/**
 * The only place authentication context ids appear in the portal. The step-up engine's
 * operation table (issue #5) grows here; for now it describes what each context means so the
 * header can tell people how strongly they are signed in.
 *
 * The ids must match the identity provider's authentication contexts (Conditional Access >
 * Authentication contexts in Entra ID; emulator/policy.json locally).
 */
export const authContexts = {
  c1: { label: "Multi-factor, just now", description: "Verified with a second factor for this action" },
  c2: { label: "Passkey, just now", description: "Verified with a phishing-resistant passkey for this action" },
  c3: { label: "Multi-factor, within the hour", description: "Verified with a second factor in the last hour" },
} as const satisfies Record<string, { label: string; description: string }>;

/** An authentication context id the portal knows about. */
export type AuthContextId = keyof typeof authContexts;

/** Narrows an `acrs` value from a token or session to a known context. */
export function isAuthContextId(value: string): value is AuthContextId {
  return Object.hasOwn(authContexts, value);
}

/** A human description of a session's strength, strongest first. */
export function describeStrength(acrs: readonly string[]): { label: string; multiFactor: boolean } {
  const order: AuthContextId[] = ["c2", "c1", "c3"];
  const strongest = order.find((id) => acrs.includes(id));
  return strongest ? { label: authContexts[strongest].label, multiFactor: true } : { label: "Password only", multiFactor: false };
}
