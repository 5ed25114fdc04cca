import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { assertNever, type ActionResult } from "@/lib/actions/result";
import type { StepUpChallenge, StepUpClientConfig, StepUpProof } from "@/lib/step-up/protocol";
import {
  STEP_UP_REDIRECT_KEY,
  accountFor,
  acquireTokenInPopup,
  classifyMsalError,
  isSameUser,
  loadedMsal,
  needsInteraction,
  popupOpener,
  prefetchMsal,
  redirectMsal,
  takeRedirectResult,
  tokenRequest,
  type MsalFailure,
  type StepUpUser,
} from "@/lib/step-up/client/msal";
import { cancelApprovalAction } from "@/lib/step-up/server/actions";
import { REGISTER_IN_SIGN_IN_WINDOW } from "@/lib/step-up/methods";
import { contextNeedsPasskey, type PolicySetName } from "@/lib/step-up/policy";
import { holdVerificationWindow, isVerificationOpenElsewhere, subscribeToOtherTabs } from "@/lib/step-up/client/verification-window";

/**
 * The client half of step-up (STYLE.md §4): call a protected server action; on
 * `step_up_required` obtain a proof and retry exactly once.
 *
 * ```tsx
 * const { run, state, verify, cancel } = useStepUpAction(revealAccountNumberAction);
 * ```
 *
 * - Session-bound challenges try `acquireTokenSilent({ claims, forceRefresh })` first (it
 *   succeeds when the identity provider's session already satisfies the context) and show the
 *   dialog only when interaction is required. Transaction-bound challenges always show the
 *   dialog: each approval is a fresh verification of exactly the stored payload.
 * - `verify()` calls `acquireTokenPopup` synchronously, so bind it directly to a click.
 * - The challenge lives in this hook's memory only; it is never cached and replayed for later
 *   calls (the next call gets its own). The one exception is the redirect continuation, which
 *   must survive a navigation: it stores that single challenge's intent in sessionStorage and
 *   deletes it when the page returns.
 * - A challenge after the retry is an error state (`second_challenge`), never a loop.
 * - Several tabs: one identity-provider window at a time (lib/step-up/client/verification-window.ts).
 *   While another tab's is open, `otherTabVerifying` is true and `verify()` opens nothing; the
 *   dialog says so and is usable again when that verification ends. Cancel also cancels the
 *   approval on the server, so it can never run and no longer counts against the cap.
 */

/** What `useStepUpAction` accepts: a server action built with `protectedAction`. */
export type StepUpAction<T> = (input: unknown, proof?: StepUpProof) => Promise<ActionResult<T>>;

/** Why a step-up ended without a result, each with its own way forward in the dialog. */
export type StepUpErrorKind =
  | "cancelled"
  | "popup_blocked"
  | "timed_out"
  | "wrong_account"
  | "unreachable"
  | "second_challenge"
  | "failed";

/** Where a step-up stands. `challenge` is present whenever the dialog should be open. */
export type StepUpState<T> =
  | { status: "idle" }
  | { status: "running" }
  /** Waiting for the person to click Verify; `ready` once MSAL is loaded (the click must not wait for it). */
  | { status: "challenge"; challenge: StepUpChallenge; ready: boolean }
  | { status: "verifying"; challenge: StepUpChallenge }
  /** Verified in this window (redirect continuation): runs only when the person clicks Continue. */
  | { status: "resume"; challenge: StepUpChallenge }
  /** `verifiedEarlierAt`: the identity provider accepted a verification from moments ago instead of asking again (see ActionResult). */
  | { status: "success"; data: T; verifiedEarlierAt?: string }
  | { status: "invalid"; fieldErrors: Record<string, string[]> }
  | { status: "error"; kind: StepUpErrorKind; message: string; challenge: StepUpChallenge | null; verifiedAs?: string; expectedAs?: string };

/** What the hook returns. */
export interface StepUpControls<T> {
  state: StepUpState<T>;
  /** Calls the action; on a challenge, steps up (silently or via the dialog) and retries once. */
  run: (input: unknown) => Promise<void>;
  /** Opens the popup for the current challenge. Call it directly in a click handler. */
  verify: (options?: VerifyOptions) => void;
  /**
   * Closes the dialog and cancels its approval on the server (transaction binding); a
   * verification still open in a popup is closed, and ignored if it returns.
   */
  cancel: () => void;
  /** Another tab has the identity provider's window open: Verify waits until it is closed. */
  otherTabVerifying: boolean;
  /** After a blocked popup: verifies by navigating this window, keeping the request (needs `resumeKey`). */
  continueInWindow: (() => void) | null;
  /** After the redirect continuation: runs the kept request with the proof. Call it in a click. */
  resume: () => void;
  /** Back to idle (e.g. "Hide" after a success). */
  reset: () => void;
}

/** Options of `useStepUpAction`. */
export interface StepUpOptions {
  /**
   * Identifies this use of the action across a full-page redirect (e.g. `reveal:<accountId>`),
   * so the instance that started a redirect continuation picks it up on return. Without it,
   * a blocked popup offers only "Try again".
   */
  resumeKey?: string;
}

/** How `verify()` opens the popup. */
export interface VerifyOptions {
  /** Ask the identity provider for a fresh sign-in (after the person verified as someone else). */
  switchAccount?: boolean;
}

/** Configuration and signed-in person for every step-up on the page (see StepUpProvider). */
export interface StepUpEnvironment {
  config: StepUpClientConfig;
  user: StepUpUser;
}

/** Provided by components/step-up/step-up-provider.tsx. */
export const StepUpContext = createContext<StepUpEnvironment | null>(null);

/** How long a redirect continuation may take before its intent is discarded (the server keeps a pending operation 10 minutes). */
const REDIRECT_INTENT_MAX_AGE_MS = 10 * 60 * 1000;

interface RedirectIntent {
  resumeKey: string;
  input: unknown;
  challenge: StepUpChallenge;
  storedAt: number;
}

const MESSAGES: Record<Exclude<StepUpErrorKind, "wrong_account">, string> & { denied: string } = {
  cancelled: "Verification was cancelled. Nothing was shown or changed.",
  popup_blocked: "Your browser blocked the verification window. Allow pop-ups for this site and try again, or continue in this window.",
  timed_out: "The verification window stopped responding. Nothing was shown or changed. Try again.",
  unreachable: "We can't reach the sign-in service right now. Nothing was shown or changed. Check your connection and try again.",
  second_challenge: "Your verification was not accepted, so nothing was shown or changed. Try again.",
  failed: "Verification didn't complete. Nothing was shown or changed. Try again.",
  denied: "The sign-in service declined the verification. Nothing was shown or changed. Try again, or contact support if it keeps happening.",
};

/**
 * Added when a passkey-only verification was cancelled or stopped: WebAuthn reports "no passkey on
 * this device" and "the person cancelled" alike, and the identity provider's window may have been
 * closed for either. Entra offers registration in the sign-in window only to an account with no
 * passkey (after a method it already has); any other account adds one in its security info.
 */
const PASSKEY_HINT = ` This action needs a passkey. No passkey on this device? Try again: if your account has none, ${REGISTER_IN_SIGN_IN_WINDOW} here after you verify with a method you already have; otherwise add one in your account's security info.`;

function errorState(failure: MsalFailure, challenge: StepUpChallenge, set: PolicySetName): StepUpState<never> {
  if (failure === "denied") return { status: "error", kind: "failed", message: MESSAGES.denied, challenge };
  const hint = (failure === "cancelled" || failure === "timed_out") && contextNeedsPasskey(set, challenge.authContext) ? PASSKEY_HINT : "";
  return { status: "error", kind: failure, message: MESSAGES[failure] + hint, challenge };
}

/** See the module comment. Must be used inside a `StepUpProvider`. */
export function useStepUpAction<T>(action: StepUpAction<T>, options: StepUpOptions = {}): StepUpControls<T> {
  const environment = useContext(StepUpContext);
  if (!environment) throw new Error("useStepUpAction needs a <StepUpProvider> above it");
  const { config, user } = environment;
  const { resumeKey } = options;

  const [state, setState] = useState<StepUpState<T>>({ status: "idle" });
  const otherTabVerifying = useSyncExternalStore(subscribeToOtherTabs, isVerificationOpenElsewhere, () => false);
  // Every run or cancel starts a new generation; async results of an older one are dropped.
  const generation = useRef(0);
  const input = useRef<unknown>(undefined);
  const challengeRef = useRef<StepUpChallenge | null>(null);
  const redirectToken = useRef<string | null>(null);
  /** The identity provider's window of the verification in flight, closed with the dialog on Cancel. */
  const popupWindow = useRef<Window | null>(null);

  // The verification belongs to this page: when the page goes (Back, a link, the tab closing) or
  // the component leaves it, its window goes too, so no one approves something that no page is
  // waiting for. MSAL closes its window on `beforeunload` as well, but only once its listener is
  // in place, a moment after the window opened; `pagehide` also fires when the page is kept in the
  // back/forward cache.
  useEffect(() => {
    const closeWindow = () => {
      if (popupWindow.current && !popupWindow.current.closed) popupWindow.current.close();
    };
    window.addEventListener("pagehide", closeWindow);
    return () => {
      window.removeEventListener("pagehide", closeWindow);
      closeWindow();
    };
  }, []);

  async function call(proof?: StepUpProof): Promise<ActionResult<T>> {
    try {
      return await action(input.current, proof);
    } catch {
      // The action itself never throws for expected outcomes; this is the network or a deploy.
      return { status: "failed", message: "We couldn't reach Woodgrove. Nothing was shown or changed. Try again." };
    }
  }

  async function settle(result: ActionResult<T>, gen: number, retried: boolean): Promise<void> {
    if (gen !== generation.current) return;
    switch (result.status) {
      case "success":
        challengeRef.current = null;
        setState(result.verifiedEarlierAt ? { status: "success", data: result.data, verifiedEarlierAt: result.verifiedEarlierAt } : { status: "success", data: result.data });
        return;
      case "invalid":
        challengeRef.current = null;
        setState({ status: "invalid", fieldErrors: result.fieldErrors });
        return;
      case "failed":
        challengeRef.current = null;
        setState({ status: "error", kind: "failed", message: result.message, challenge: null });
        return;
      case "step_up_required":
        challengeRef.current = result.challenge;
        if (retried) {
          setState({ status: "error", kind: "second_challenge", message: MESSAGES.second_challenge, challenge: result.challenge });
          return;
        }
        await beginStepUp(result.challenge, gen);
        return;
      default:
        assertNever(result);
    }
  }

  async function retryWith(token: string, challenge: StepUpChallenge, gen: number): Promise<void> {
    const proof: StepUpProof = challenge.pendingOperationId ? { token, pendingOperationId: challenge.pendingOperationId } : { token };
    const result = await call(proof);
    await settle(result, gen, true);
  }

  /**
   * Shows the dialog for `challenge`, enabling Verify once MSAL is ready and the approval can be
   * approved (`approvableInMs`: at most a second after the server stored it).
   */
  function prepare(challenge: StepUpChallenge, gen: number): void {
    const waitMs = challenge.approvableInMs ?? 0;
    setState({ status: "challenge", challenge, ready: loadedMsal() !== null && waitMs <= 0 });
    Promise.all([prefetchMsal(config), new Promise((resolve) => setTimeout(resolve, waitMs))]).then(
      () => setState((current) => (current.status === "challenge" && current.challenge === challenge ? { ...current, ready: true } : current)),
      (error: unknown) => {
        if (gen === generation.current) setState(errorState(classifyMsalError(error), challenge, config.policySet));
      },
    );
  }

  async function beginStepUp(challenge: StepUpChallenge, gen: number): Promise<void> {
    const loading = prefetchMsal(config);
    if (challenge.binding === "transaction") {
      prepare(challenge, gen);
      return;
    }
    let msal;
    try {
      msal = await loading;
    } catch (error) {
      if (gen === generation.current) setState(errorState(classifyMsalError(error), challenge, config.policySet));
      return;
    }
    if (gen !== generation.current) return;
    // Silent needs an account MSAL knows; before the first popup of this page there is none,
    // and a hidden-iframe SSO attempt would fail anyway (the identity provider's pages refuse
    // framing, and browsers drop its third-party cookies).
    const account = accountFor(msal, user);
    if (account) {
      try {
        // Refresh token only: no hidden-iframe retry, which could only time out (see above).
        const result = await msal.instance.acquireTokenSilent({
          ...tokenRequest(config, user, challenge),
          account,
          forceRefresh: true,
          cacheLookupPolicy: msal.msal.CacheLookupPolicy.RefreshToken,
        });
        if (gen !== generation.current) return;
        if (isSameUser(result, user)) {
          // Still "running" for the person: no dialog when nothing is asked of them.
          await retryWith(result.accessToken, challenge, gen);
          return;
        }
      } catch (error) {
        if (gen !== generation.current) return;
        // MFA needed (Entra: invalid_grant or interaction_required, AADSTS50076/50079): the dialog
        // takes over. The portal session is untouched, and the popup's token is the one retried.
        if (!(error instanceof msal.msal.InteractionRequiredAuthError) && !needsInteraction(error)) {
          setState(errorState(classifyMsalError(error), challenge, config.policySet));
          return;
        }
      }
    }
    setState({ status: "challenge", challenge, ready: true });
  }

  async function run(value: unknown): Promise<void> {
    const gen = ++generation.current;
    input.current = value;
    challengeRef.current = null;
    redirectToken.current = null;
    setState({ status: "running" });
    const result = await call();
    await settle(result, gen, false);
  }

  function verify(verifyOptions: VerifyOptions = {}): void {
    const challenge = challengeRef.current;
    if (!challenge) return;
    const gen = generation.current;
    const msal = loadedMsal();
    if (!msal) {
      // MSAL failed to load earlier: load it again; Verify is enabled when it is ready.
      prepare(challenge, gen);
      return;
    }
    if (isVerificationOpenElsewhere()) {
      // Back to the waiting dialog: Verify comes back when the other tab's window closes.
      setState({ status: "challenge", challenge, ready: true });
      return;
    }
    // Synchronous up to window.open: no await before this line, or the popup is blocked.
    const popup = acquireTokenInPopup(msal, {
      ...tokenRequest(config, user, challenge),
      ...(verifyOptions.switchAccount ? { prompt: "login" } : {}),
      popupWindowParent: popupOpener((opened) => {
        popupWindow.current = opened;
      }),
    });
    // Claimed once the window is open: Chromium drops a lock request made in the click before
    // window.open ("callback is no longer runnable"). A tab that clicked in the same instant and
    // got the lock first keeps its window; ours goes.
    let refused = false;
    const release = holdVerificationWindow(() => {
      refused = true;
      popupWindow.current?.close();
    });
    setState({ status: "verifying", challenge });
    popup.finally(release).catch(() => undefined);
    popup.then(
      async (result) => {
        if (gen !== generation.current) return;
        if (!isSameUser(result, user)) {
          const expected = user.userPrincipalName ?? user.name ?? "the signed-in person";
          setState({
            status: "error",
            kind: "wrong_account",
            message: `You verified as ${result.account.username}; continue as ${expected}.`,
            challenge,
            verifiedAs: result.account.username,
            expectedAs: expected,
          });
          return;
        }
        await retryWith(result.accessToken, challenge, gen);
      },
      (error: unknown) => {
        if (gen !== generation.current) return;
        setState(refused ? { status: "challenge", challenge, ready: true } : errorState(classifyMsalError(error), challenge, config.policySet));
      },
    );
  }

  function cancel(): void {
    generation.current += 1;
    // Best effort: an approval the server does not hear about expires by itself.
    const pendingOperationId = challengeRef.current?.pendingOperationId;
    if (pendingOperationId) void cancelApprovalAction({ pendingOperationId }).catch(() => undefined);
    // A verification still open in its window goes with the dialog; MSAL then ends its
    // interaction as if the person had closed the window (the answer is dropped: new generation).
    if (popupWindow.current && !popupWindow.current.closed) popupWindow.current.close();
    popupWindow.current = null;
    challengeRef.current = null;
    redirectToken.current = null;
    setState({ status: "idle" });
  }

  function continueInWindow(): void {
    const challenge = challengeRef.current;
    if (!challenge || !resumeKey) return;
    const intent: RedirectIntent = { resumeKey, input: input.current, challenge, storedAt: Date.now() };
    try {
      window.sessionStorage.setItem(STEP_UP_REDIRECT_KEY, JSON.stringify(intent));
    } catch {
      setState(errorState("failed", challenge, config.policySet));
      return;
    }
    setState({ status: "verifying", challenge });
    // A navigation, not a popup: it may wait for the redirect instance to load.
    redirectMsal(config)
      .then(({ instance }) => instance.acquireTokenRedirect({ ...tokenRequest(config, user, challenge), redirectStartPage: window.location.href }))
      .catch((error: unknown) => {
        window.sessionStorage.removeItem(STEP_UP_REDIRECT_KEY);
        setState(errorState(classifyMsalError(error), challenge, config.policySet));
      });
  }

  function resume(): void {
    const challenge = challengeRef.current;
    const token = redirectToken.current;
    if (!challenge || !token) return;
    redirectToken.current = null;
    setState({ status: "verifying", challenge });
    void retryWith(token, challenge, generation.current);
  }

  function reset(): void {
    generation.current += 1;
    challengeRef.current = null;
    setState({ status: "idle" });
  }

  // Back from a redirect continuation started by this instance: finish MSAL's side, then wait
  // for a click (a page load must never execute the request by itself).
  useEffect(() => {
    if (!resumeKey) return;
    const intent = readRedirectIntent(resumeKey);
    if (!intent) return;
    const gen = ++generation.current;
    input.current = intent.input;
    challengeRef.current = intent.challenge;
    takeRedirectResult(config).then(
        (result) => {
          if (gen !== generation.current) return;
          if (!result) {
            setState(errorState("failed", intent.challenge, config.policySet));
          } else if (!isSameUser(result, user)) {
            const expected = user.userPrincipalName ?? user.name ?? "the signed-in person";
            setState({
              status: "error",
              kind: "wrong_account",
              message: `You verified as ${result.account.username}; continue as ${expected}.`,
              challenge: intent.challenge,
              verifiedAs: result.account.username,
              expectedAs: expected,
            });
          } else {
            redirectToken.current = result.accessToken;
            setState({ status: "resume", challenge: intent.challenge });
          }
        },
        (error: unknown) => {
          if (gen === generation.current) setState(errorState(classifyMsalError(error), intent.challenge, config.policySet));
        },
      );
  }, [resumeKey, config, user]);

  return { state, run, verify, cancel, otherTabVerifying, continueInWindow: resumeKey ? continueInWindow : null, resume, reset };
}

/**
 * Loads and initializes MSAL in the background (`prefetchMsal`, once per page) as soon as `needed`
 * is true: for a form that knows before it is submitted that the action will ask for verification
 * (the policy's answer for this input, which the form shows). The challenge then finds MSAL
 * ready, so Verify is enabled at once and the page asks the portal for no JavaScript between
 * sending and the result: the identity provider's requests and the retried action remain. It
 * waits until the browser is idle (at most a second), so typing is never held up; a failed load
 * is forgotten (the challenge loads MSAL again).
 */
export function usePrefetchStepUp(needed: boolean): void {
  const config = useContext(StepUpContext)?.config;
  useEffect(() => {
    if (!needed || !config) return;
    const start = () => void prefetchMsal(config).catch(() => undefined);
    if (typeof window.requestIdleCallback === "function") {
      const handle = window.requestIdleCallback(start, { timeout: 1000 });
      return () => window.cancelIdleCallback(handle);
    }
    const handle = window.setTimeout(start, 0);
    return () => window.clearTimeout(handle);
  }, [needed, config]);
}

/** Reads and deletes this instance's redirect intent; a stale or foreign one is left alone or dropped. */
function readRedirectIntent(resumeKey: string): RedirectIntent | null {
  try {
    const raw = window.sessionStorage.getItem(STEP_UP_REDIRECT_KEY);
    if (!raw) return null;
    const intent = JSON.parse(raw) as RedirectIntent;
    if (intent.resumeKey !== resumeKey) return null;
    window.sessionStorage.removeItem(STEP_UP_REDIRECT_KEY);
    return Date.now() - intent.storedAt < REDIRECT_INTENT_MAX_AGE_MS ? intent : null;
  } catch {
    return null;
  }
}
