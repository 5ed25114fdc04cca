import { randomUUID } from "node:crypto";

/**
 * An error the emulator reports in Microsoft Entra ID's shape. Thrown by handlers and turned into
 * a JSON body (token endpoint), a redirect (authorize endpoint) or an error page by the caller.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */
export class AadError extends Error {
  constructor(
    /** OAuth 2.0 `error` value, e.g. `invalid_grant`. */
    readonly error: string,
    /** The AADSTS number, e.g. 50076. */
    readonly code: number,
    /** Human text after the `AADSTSnnnnn:` prefix. */
    readonly description: string,
    readonly options: { status?: number; suberror?: string; claims?: string; subcode?: string } = {},
  ) {
    super(`AADSTS${code}: ${description}`);
    this.name = "AadError";
  }

  /** HTTP status for JSON responses: Entra answers 401 only for client authentication failures. */
  get status(): number {
    return this.options.status ?? (this.error === "invalid_client" ? 401 : 400);
  }
}

/** The JSON error body the token endpoint returns, as Entra formats it. */
export interface AadErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
  suberror?: string;
  claims?: string;
}

/** Entra's timestamp format in error descriptions: `2026-01-02 03:04:05Z`. */
export function aadTimestamp(date: Date): string {
  return date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/**
 * Builds the error body; the correlation id echoes the caller's `client-request-id` when it sent
 * one, which is how MSAL ties its logs to Entra's.
 */
export function aadErrorBody(err: AadError, origin: string, correlationId: string | undefined, now: Date): AadErrorBody {
  const traceId = randomUUID();
  const corr = correlationId ?? randomUUID();
  const ts = aadTimestamp(now);
  return {
    error: err.error,
    error_description: `AADSTS${err.code}: ${err.description} Trace ID: ${traceId} Correlation ID: ${corr} Timestamp: ${ts}`,
    error_codes: [err.code],
    timestamp: ts,
    trace_id: traceId,
    correlation_id: corr,
    error_uri: `${origin}/error?code=${err.code}`,
    ...(err.options.suberror ? { suberror: err.options.suberror } : {}),
    ...(err.options.claims ? { claims: err.options.claims } : {}),
  };
}

/** Errors used in several places, with Entra's wording where it is public. */
export const errors = {
  invalidRequest: (code: number, text: string) => new AadError("invalid_request", code, text),
  unknownClient: (clientId: string) =>
    new AadError(
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory 'Woodgrove'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    ),
  redirectMismatch: (redirectUri: string, clientId: string) =>
    new AadError(
      "invalid_request",
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
    ),
  badClaims: () =>
    new AadError("invalid_request", 90014, "The request body must contain the following parameter: 'claims' as a valid JSON object."),
  mfaRequired: (claims?: string) =>
    new AadError(
      "interaction_required",
      50076,
      "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access this resource.",
      { suberror: "basic_action", ...(claims ? { claims } : {}) },
    ),
  mfaRegistrationRequired: () =>
    new AadError(
      "interaction_required",
      50079,
      "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access this resource.",
      { suberror: "basic_action" },
    ),
  loginRequired: () =>
    new AadError("login_required", 50058, "A silent sign-in request was sent but no user is signed in."),
  invalidGrant: (code: number, text: string) => new AadError("invalid_grant", code, text),
  userDisabled: () => new AadError("access_denied", 50057, "The user account is disabled."),
  blockedByCa: () => new AadError("access_denied", 53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."),
  proofUpBlockedDueToRisk: () =>
    new AadError(
      "access_denied",
      53004,
      "User needs to complete the multi-factor authentication registration process before accessing this content, but registration is blocked because the sign-in is risky. Contact your administrator.",
    ),
  passwordChangeRequired: () =>
    new AadError("interaction_required", 50142, "Password change is required due to a conditional access policy.", { suberror: "basic_action" }),
  invalidCredentials: () => new AadError("invalid_grant", 50126, "Error validating credentials due to invalid username or password."),
  methodLocked: () =>
    new AadError("access_denied", 50053, "Your account is locked because you've tried to sign in too many times with an incorrect verification code."),
  userCancelled: () => new AadError("access_denied", 50074, "The user cancelled the authentication.", { subcode: "cancel" }),
  mfaDenied: () => new AadError("access_denied", 500121, "Authentication failed during strong authentication request."),
  txExpired: () =>
    new AadError("invalid_request", 90000, "Your sign-in session has expired or could not be found. Go back to the application and sign in again."),
  serverError: () => new AadError("server_error", 90033, "A transient error has occurred. Please try again.", { status: 500 }),
} as const;
