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

/**
 * The token endpoint's form of a refusal that needs the user: `invalid_grant`, keeping the AADSTS
 * code, `suberror` and `claims`. A silent token request that only interaction can satisfy fails
 * with `invalid_grant` (MSAL Java's exceptions page: redeem interactively), while the authorize
 * endpoint answers `interaction_required`; Microsoft's Conditional Access developer guide shows
 * `interaction_required` for token requests too, so clients must accept both. The `suberror`
 * (`basic_action`: resolvable by signing in interactively) is what makes MSAL.js raise
 * `InteractionRequiredAuthError` for the `invalid_grant` form (msal-common
 * `isInteractionRequiredError`) instead of retrying silently in a hidden iframe.
 *
 * @see https://learn.microsoft.com/entra/msal/java/advanced/exceptions
 * @see https://learn.microsoft.com/entra/identity-platform/v2-conditional-access-dev-guide
 * @see https://learn.microsoft.com/entra/msal/javascript/browser/handle-errors-and-exceptions
 */
export function atTokenEndpoint(err: AadError): AadError {
  return err.error === "interaction_required" ? new AadError("invalid_grant", err.code, err.description, err.options) : err;
}

/**
 * What each AADSTS code the emulator can answer means, for the page `error_uri` points at
 * (`GET /error?code=n`, as Entra's `https://login.microsoftonline.com/error?code=n`).
 *
 * @see https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */
export const ERROR_CODE_MEANINGS: Readonly<Record<number, string>> = {
  50011: "The redirect URI in the request is not registered for the application.",
  50034: "The user account doesn't exist in the directory.",
  50053: "The account is locked: too many wrong sign-in attempts or verification codes.",
  50057: "The user account is disabled.",
  50058: "A silent sign-in request was sent but no user is signed in, or the session is not enough for single sign-on.",
  50074: "Strong authentication was required and the user did not complete it (for example, they cancelled).",
  50076: "Multi-factor authentication (or another Conditional Access requirement) is needed: send an interactive request with the claims challenge.",
  50079: "The user must register a multi-factor authentication method.",
  50126: "The user name or password is wrong.",
  50133: "The session is invalid or the request's max_age is not a valid number.",
  50142: "A Conditional Access policy requires the user to change their password.",
  50173: "The grant is no longer valid: the user was disabled or deleted, or the grant was revoked.",
  53003: "Access was blocked by Conditional Access policies.",
  53004: "The user must register for multi-factor authentication, but registration is blocked because the sign-in is risky.",
  54005: "The authorization code was already redeemed.",
  70000: "The grant is not valid for this request: another client, another redirect URI, or an unknown or expired refresh token.",
  70003: "The grant type is not supported.",
  70008: "The authorization code or refresh token has expired.",
  70011: "A requested scope is not valid.",
  90000: "The sign-in session expired or could not be found.",
  90002: "The tenant was not found.",
  90010: "The request is not supported.",
  90014: "A required field is missing or malformed (for example, the claims parameter is not valid JSON).",
  90033: "A transient error occurred. Try again.",
  500011: "The resource was not found in the tenant.",
  500121: "Authentication failed during the strong authentication request (the user denied it).",
  501481: "The code verifier does not match the code challenge of the authorization request.",
  501491: "The code challenge or its method is not valid.",
  700016: "The application was not found in the directory.",
  700054: "The response type is not enabled for the application.",
  900144: "A required parameter is missing or the request is malformed.",
  901002: "The request parameter is not supported.",
  1002012: "The scope of a client credentials request must end with /.default.",
  7000215: "The client secret is not valid.",
  7000218: "The request must carry a client secret or client assertion.",
  9002313: "The request is malformed or invalid (for example, the authorization code is not one the service issued).",
  9002325: "Proof Key for Code Exchange (PKCE) is required for this client.",
  9002326: "Cross-origin token redemption is allowed only for single-page application redirect URIs.",
  9002327: "Tokens for single-page applications may be redeemed only with cross-origin requests.",
};
