/**
 * The parts of Microsoft Graph's resources the portal reads (sign-in logs, Conditional Access,
 * users' authentication methods), as the emulator and Entra ID serve them (Graph's signIn
 * resource, https://learn.microsoft.com/graph/api/resources/signin; emulator/README.md "Sign-in logs").
 * Types only: shared by the portal's Graph client, the policy-health analysis and `npm run doctor`.
 */

/** Graph's `conditionalAccessPolicy`, trimmed to what the analysis needs. */
export interface GraphPolicy {
  id: string;
  displayName: string;
  state: "enabled" | "disabled" | "enabledForReportingButNotEnforced";
  conditions?: { applications?: { includeAuthenticationContextClassReferences?: string[] } };
  grantControls?: { builtInControls?: string[]; authenticationStrength?: unknown } | null;
}

/** Graph's `authenticationContextClassReference`. */
export interface GraphAuthenticationContext {
  id: string;
  displayName?: string;
  isAvailable?: boolean;
}

/** One policy's part in a sign-in (`appliedConditionalAccessPolicies[]`). */
export interface GraphAppliedPolicy {
  id: string;
  displayName?: string;
  /** success | failure | notApplied | notEnabled | reportOnlySuccess | reportOnlyFailure | reportOnlyNotApplied | reportOnlyInterrupted | … */
  result: string;
  enforcedGrantControls?: string[];
}

/** Graph's `signIn`, trimmed. */
export interface GraphSignIn {
  id: string;
  createdDateTime: string;
  userId?: string;
  appId?: string;
  correlationId: string;
  /** v1.0 and beta. */
  isInteractive?: boolean;
  /** Beta only, e.g. `["nonInteractiveUser"]`. */
  signInEventTypes?: string[];
  /** The `uti` of the token this sign-in issued ("" when none). */
  uniqueTokenIdentifier?: string;
  status?: { errorCode: number; failureReason?: string | null };
  conditionalAccessStatus?: string;
  appliedConditionalAccessPolicies?: GraphAppliedPolicy[];
  authenticationContextClassReferences?: { id: string; detail?: string }[];
  authenticationRequirement?: string;
  /** The browser and operating system, from the user agent (Graph's `deviceDetail`). */
  deviceDetail?: { browser?: string; operatingSystem?: string; displayName?: string };
  /** Each authentication step of the sign-in, in order (Graph's `authenticationDetail`). */
  authenticationDetails?: GraphAuthenticationDetail[];
  ipAddress?: string;
  location?: { city?: string | null; countryOrRegion?: string | null };
}

/** One step of a sign-in (https://learn.microsoft.com/graph/api/resources/authenticationdetail). */
export interface GraphAuthenticationDetail {
  /** e.g. "Password", "Software OATH token", "FIDO2 security key", "SMS", "Previously satisfied". */
  authenticationMethod?: string;
  succeeded?: boolean;
  authenticationStepDateTime?: string;
  /** "Primary authentication" | "Multifactor authentication". */
  authenticationStepRequirement?: string;
  /** e.g. "Invalid verification code", "Authentication method locked". */
  authenticationStepResultDetail?: string;
}

/**
 * Graph's `directoryAudit` (https://learn.microsoft.com/graph/api/resources/directoryaudit),
 * trimmed: the portal reads the entries in which a person registered a sign-in method
 * (category "UserManagement", activityDisplayName "User registered security info").
 */
export interface GraphDirectoryAudit {
  id: string;
  activityDateTime: string;
  activityDisplayName: string;
  category: string;
  correlationId?: string;
  result?: string;
  resultReason?: string | null;
  loggedByService?: string;
  operationType?: string;
  additionalDetails?: { key: string; value: string | null }[];
  initiatedBy?: { user?: { id?: string | null; userPrincipalName?: string | null } | null };
}

/**
 * Graph's `authenticationMethod` (https://learn.microsoft.com/graph/api/resources/authenticationmethod),
 * trimmed to what the portal keeps: which kind of method it is (`@odata.type`, e.g.
 * `#microsoft.graph.fido2AuthenticationMethod`) and its id. Phone numbers and the other details
 * Graph returns are dropped as they are read: the portal never needs them.
 */
export interface GraphAuthenticationMethod {
  "@odata.type": string;
  id: string;
}
