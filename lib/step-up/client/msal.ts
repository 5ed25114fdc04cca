import type { AccountInfo, AuthenticationResult, PublicClientApplication } from "@azure/msal-browser";
import type { StepUpChallenge, StepUpClientConfig } from "@/lib/step-up/protocol";

/**
 * MSAL in the browser, for step-up only (client-only: import it from client components). The
 * portal's sign-in is Auth.js on the server; MSAL exists to obtain one thing, a step-up proof:
 * an access token for the portal's API scope carrying the challenged authentication context.
 *
 * Loading: nothing here imports `@azure/msal-browser` at module level. `prefetchMsal()` starts
 * the dynamic import and `initialize()` when a form's hint says the action will need verification
 * (`usePrefetchStepUp`), or at the latest when a challenge arrives, so pages that never step up
 * ship no MSAL, and by the time the person clicks Verify the instance is ready and
 * `acquireTokenPopup` runs synchronously in the click (a popup opened after an `await` is
 * blocked by the browser).
 *
 * Decisions (docs/step-up.md, "The client"):
 * - One instance per page, created once (module-level promise); a second one, with its cache in
 *   sessionStorage, only for the redirect continuation (see `redirectMsal`).
 * - Cache in memory (`memoryStorage`): the proof's refresh token never touches Web Storage,
 *   where any script on the origin could read it after the tab is gone from view; it lives as
 *   long as the page (client-side navigations keep it, so "silent first" still helps within a
 *   visit). MSAL's own temporary request state (PKCE verifier, interaction status) stays in
 *   sessionStorage, as MSAL requires for the redirect continuation.
 * - Legacy polling (`system.enableLegacyPolling: true`): MSAL v5's default redirect-bridge mode
 *   cannot see a popup that the person closed and reports `timed_out` only after
 *   `popupBridgeTimeout` (60 s); a shorter timeout would cut off people still typing a code.
 *   Polling reports `user_cancelled` within a poll interval (30 ms) of the close. It makes MSAL
 *   send `pocd=1`, on which Entra (and the emulator) omit COOP from their sign-in pages so the
 *   opener can observe the popup; the portal's own pages send COOP
 *   `same-origin-allow-popups`, so no cross-origin opener can reach the portal window in turn.
 *   The redirect-bridge page stays passive in a popup (the opener reads its URL) and calls
 *   `broadcastResponseToMainFrame()` only for the full-window redirect continuation.
 * - `clientCapabilities: ["CP1"]`: the portal handles claims challenges (Entra then may issue
 *   CAE-enabled tokens and send challenges instead of failing).
 *
 * See https://learn.microsoft.com/entra/identity-platform/msal-js-prompt-behavior and
 * https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/dev/lib/msal-browser/docs/configuration.md
 */

/** The signed-in person as the session knows them: whom a proof must name. */
export interface StepUpUser {
  objectId: string;
  tenantId: string;
  userPrincipalName: string | null;
  name: string | null;
}

type MsalModule = typeof import("@azure/msal-browser");

/** A ready MSAL: the module (for its error classes) and the initialized instance. */
export interface LoadedMsal {
  msal: MsalModule;
  instance: PublicClientApplication;
}

let loading: Promise<LoadedMsal> | null = null;
let loaded: LoadedMsal | null = null;
let redirectLoading: Promise<LoadedMsal> | null = null;

type MsalCacheLocation = "memoryStorage" | "sessionStorage";

/** One configured, initialized instance. */
async function createInstance(config: StepUpClientConfig, cacheLocation: MsalCacheLocation): Promise<LoadedMsal> {
  const msal = await import("@azure/msal-browser");
  const instance = new msal.PublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      knownAuthorities: config.knownAuthorities,
      redirectUri: config.redirectUri,
      clientCapabilities: ["CP1"],
    },
    cache: { cacheLocation },
    system: {
      enableLegacyPolling: true,
      loggerOptions: { piiLoggingEnabled: false, logLevel: msal.LogLevel.Warning },
    },
  });
  await instance.initialize();
  return { msal, instance };
}

/**
 * Starts loading and initializing MSAL (once per page) and resolves with it. Call it as soon as
 * verification is known to be coming (a form's hint, or a challenge); a failed load is forgotten,
 * so the next challenge tries again.
 */
export function prefetchMsal(config: StepUpClientConfig): Promise<LoadedMsal> {
  loading ??= createInstance(config, "memoryStorage").then(
    (ready) => (loaded = ready),
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/**
 * The instance for the full-window redirect continuation only (after a blocked popup). MSAL
 * refuses redirects with an in-memory cache (`in_mem_redirect_unavailable`): the token response
 * arrives in a new page load, so its cache must outlive the page. This instance keeps it in
 * sessionStorage (MSAL does not encrypt that one), and `takeRedirectResult` empties it as soon as
 * the returning page has read the proof, so no refresh token stays in Web Storage; the popup and
 * silent paths keep using the in-memory instance. A page uses one or the other for an
 * interaction, never both at once.
 */
export function redirectMsal(config: StepUpClientConfig): Promise<LoadedMsal> {
  redirectLoading ??= createInstance(config, "sessionStorage").catch((error: unknown) => {
    redirectLoading = null;
    throw error;
  });
  return redirectLoading;
}

/**
 * Back from the redirect continuation: MSAL's result (null when this load is not a return from
 * one), with the redirect instance's token cache cleared before the caller sees it.
 */
export async function takeRedirectResult(config: StepUpClientConfig): Promise<AuthenticationResult | null> {
  const { instance } = await redirectMsal(config);
  try {
    return await instance.handleRedirectPromise();
  } finally {
    await instance.clearCache().catch(() => undefined);
  }
}

/** Popup interactions this document has started and not yet seen end. */
let ownInteractions = 0;

/**
 * `acquireTokenPopup`, synchronous up to `window.open` (call it in the click).
 *
 * MSAL marks "interaction in progress" in the tab's sessionStorage when an interaction starts and
 * removes the mark when it ends in the same document. A document that goes away mid-interaction
 * (Back or a reload while the popup is open) leaves the mark behind, and so does a tab duplicated
 * from one that was verifying (it gets a copy of sessionStorage); MSAL would then refuse every
 * later popup in that tab with `interaction_in_progress`. The mark is per tab and this document
 * knows its own interactions, while one-window-at-a-time across tabs is kept by a Web Lock
 * (verification-window.ts), so a mark this document did not make is always a leftover: the
 * request takes over from it (`overrideInteractionInProgress`) instead of asking the person a
 * question with only one sensible answer.
 */
export function acquireTokenInPopup(
  { instance }: LoadedMsal,
  request: Parameters<PublicClientApplication["acquireTokenPopup"]>[0],
): Promise<AuthenticationResult> {
  const leftover = ownInteractions === 0;
  ownInteractions += 1;
  let result: Promise<AuthenticationResult>;
  try {
    result = instance.acquireTokenPopup({ ...request, overrideInteractionInProgress: leftover });
  } catch (error) {
    result = Promise.reject(error);
  }
  result
    .finally(() => {
      ownInteractions -= 1;
    })
    .catch(() => undefined);
  return result;
}

/** MSAL if `prefetchMsal` has finished, else null: what a click handler may use synchronously. */
export function loadedMsal(): LoadedMsal | null {
  return loaded;
}

/** MSAL's cached account for this person, if an earlier step-up in this page signed them in. */
export function accountFor({ instance }: LoadedMsal, user: StepUpUser): AccountInfo | null {
  return instance.getAccount({ localAccountId: user.objectId, tenantId: user.tenantId });
}

/** The token request for a challenge: the API scope, the challenge's claims, its correlation id. */
export function tokenRequest(config: StepUpClientConfig, user: StepUpUser, challenge: StepUpChallenge) {
  return {
    scopes: [config.apiScope],
    // Never cached or replayed: each challenge names its own context.
    claims: challenge.claims,
    // Joins the portal's audit log and the identity provider's sign-in log.
    correlationId: challenge.correlationId,
    ...(user.userPrincipalName ? { loginHint: user.userPrincipalName } : {}),
    redirectUri: config.redirectUri,
  };
}

/**
 * The window MSAL opens its popup from (`popupWindowParent`, MSAL's documented option for the
 * opener), wrapped so the portal keeps a handle on the popup: MSAL exposes none, and a person who
 * cancels the dialog while the identity provider's window is open expects that window to go too.
 * Everything but `open` is the real window. Closing the handle ends MSAL's interaction the way
 * the person closing it would (legacy polling reports `user_cancelled` within a poll interval).
 */
export function popupOpener(onOpen: (popup: Window | null) => void): Window {
  return new Proxy(window, {
    get(target, property) {
      if (property === "open") {
        return (...args: Parameters<Window["open"]>) => {
          const opened = target.open(...args);
          onOpen(opened);
          return opened;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** True when the token was issued to the session's own user (same tenant and object id). */
export function isSameUser(result: AuthenticationResult, user: StepUpUser): boolean {
  const claims = result.idTokenClaims as { oid?: unknown; tid?: unknown };
  return claims.oid === user.objectId && typeof claims.tid === "string" && claims.tid.toLowerCase() === user.tenantId.toLowerCase();
}

/** Why a step-up attempt ended without a token, as the dialog explains it. */
export type MsalFailure = "cancelled" | "popup_blocked" | "timed_out" | "unreachable" | "denied" | "failed";

const NETWORK_ERRORS = new Set([
  "no_network_connectivity",
  "post_request_failed",
  "get_request_failed",
  "endpoints_resolution_error",
  "network_error",
  "failed_to_parse_response",
  "openid_config_error",
]);

/** Maps an MSAL error (or a failed chunk load) to what the person can do about it. */
export function classifyMsalError(error: unknown): MsalFailure {
  const { errorCode, subError, errorMessage } = (typeof error === "object" && error !== null ? error : {}) as {
    errorCode?: unknown;
    subError?: unknown;
    errorMessage?: unknown;
  };
  switch (errorCode) {
    case "user_cancelled":
      return "cancelled";
    case "popup_window_error":
    case "empty_window_error":
      return "popup_blocked";
    case "timed_out":
    case "monitor_window_timeout":
      return "timed_out";
    case "access_denied":
      // Entra (and the emulator) report the sign-in page's Cancel as access_denied with
      // error_subcode=cancel, a parameter MSAL.js does not read (its ServerError.subError comes
      // from `suberror`). What reaches us is the description, which says the user cancelled; a
      // denied second factor is access_denied too, with a description that does not.
      return subError === "cancel" || (typeof errorMessage === "string" && /\bcancell?ed\b/i.test(errorMessage)) ? "cancelled" : "denied";
    default:
      if (typeof errorCode === "string" && NETWORK_ERRORS.has(errorCode)) return "unreachable";
      // A chunk that failed to load (offline, deployment replaced): the same way forward.
      if (error instanceof Error && error.name === "ChunkLoadError") return "unreachable";
      return "failed";
  }
}

/**
 * Server answers that mean "only the person can resolve this": the `error` values and Entra's
 * `suberror` classifications (`basic_action`: sign in interactively) that MSAL itself treats as
 * interaction required, plus `invalid_grant`, which is how Entra's token endpoint refuses a refresh
 * token it will not honour silently (AADSTS50076 MFA required, 50079 registration required,
 * 70043 sign-in frequency), with or without a suberror.
 */
const INTERACTION_ERRORS = new Set(["interaction_required", "login_required", "consent_required", "invalid_grant", "bad_token", "no_tokens_found", "refresh_token_expired"]);
const INTERACTION_SUB_ERRORS = new Set(["basic_action", "additional_action", "message_only", "consent_required", "user_password_expired", "bad_token"]);

/**
 * Whether a failed silent token request should fall back to the dialog (the person verifies in
 * the identity provider's window) rather than show an error. MSAL raises
 * `InteractionRequiredAuthError` for most of these; the portal decides from the error's fields so
 * that either form of Entra's refusal (`interaction_required`, or `invalid_grant` with or without
 * a `suberror`, as its token endpoint answers a refresh that needs MFA) leads to verification,
 * never to a dead end or a sign-out. Network failures and the like are not interaction: they get
 * their own error state.
 *
 * @see https://learn.microsoft.com/entra/msal/javascript/browser/handle-errors-and-exceptions
 * @see https://learn.microsoft.com/entra/msal/java/advanced/exceptions (invalid_grant on a silent request: go interactive)
 */
export function needsInteraction(error: unknown): boolean {
  const { name, errorCode, subError } = (typeof error === "object" && error !== null ? error : {}) as { name?: unknown; errorCode?: unknown; subError?: unknown };
  if (name === "InteractionRequiredAuthError") return true;
  return (typeof errorCode === "string" && INTERACTION_ERRORS.has(errorCode)) || (typeof subError === "string" && INTERACTION_SUB_ERRORS.has(subError));
}

/** The session-scoped key MSAL uses for its temporary state; cleared at sign-out. */
const MSAL_STORAGE_PREFIX = "msal.";

/**
 * Forgets everything MSAL holds for this page: the in-memory token cache (when MSAL was ever
 * loaded) and its temporary request state in sessionStorage. Called at sign-out, so the next
 * person on this browser tab starts without the previous person's refresh token.
 */
export function clearStepUpCache(): void {
  if (loaded) void loaded.instance.clearCache().catch(() => undefined);
  try {
    for (const key of Object.keys(window.sessionStorage)) {
      if (key.startsWith(MSAL_STORAGE_PREFIX) || key.startsWith(STEP_UP_REDIRECT_KEY)) window.sessionStorage.removeItem(key);
    }
  } catch {
    // Storage disabled: nothing was stored there either.
  }
}

/** sessionStorage key of a step-up continued by redirect (see use-step-up-action.ts). */
export const STEP_UP_REDIRECT_KEY = "woodgrove.stepUp.redirect";
