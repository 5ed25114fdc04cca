"use client";

import { useContext, useEffect, useId, useRef } from "react";
import { assertNever } from "@/lib/actions/result";
import type { JsonValue, StepUpChallenge } from "@/lib/step-up/protocol";
import { formatMoney } from "@/lib/format";
import { describeContext } from "@/lib/step-up/policy";
import { RecentVerificationNote } from "@/components/step-up/recent-verification-note";
import { StepUpContext, type StepUpControls, type StepUpState } from "@/lib/step-up/client/use-step-up-action";

/**
 * The step-up dialog: what is being approved, how strongly the person must verify, a Verify
 * button that opens the identity provider's popup in the click itself, and a way forward from
 * every failure. A native modal `<dialog>`: the browser traps focus and makes the page inert;
 * Escape cancels; the heading labels it and the explanation describes it. On a phone it fits the
 * dynamic viewport (which the on-screen keyboard shrinks, see `interactiveWidget` in
 * app/layout.tsx) and scrolls inside itself, its buttons pinned to its bottom edge.
 */
/** One line of what a transaction approves, in the person's words ("To", "Landlord ••• 4821"). */
export interface PayloadLine {
  label: string;
  value: string;
}

/**
 * Renders the dialog for one step-up action. `describePayload` lets the page name what the
 * stored payload's ids refer to (its own accounts and payees) instead of showing raw ids: it is
 * given the server's stored payload, so it can only relabel what will run, never change it;
 * anything it does not know stays visible as stored.
 */
export function StepUpDialog<T>({
  stepUp,
  sessionPurpose,
  describePayload,
}: {
  stepUp: StepUpControls<T>;
  sessionPurpose: string;
  describePayload?: (payload: { [key: string]: JsonValue }) => PayloadLine[];
}) {
  const { state } = stepUp;
  const policySet = useContext(StepUpContext)?.config.policySet ?? "production";
  const challenge = challengeOf(state);
  const dialog = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (challenge && !element.open) element.showModal();
    if (!challenge && element.open) element.close();
  }, [challenge]);

  return (
    <>
      <dialog
        ref={dialog}
        aria-labelledby={headingId}
        aria-describedby={descriptionId}
        onCancel={(event) => {
          // Escape: our state decides whether the dialog is open.
          event.preventDefault();
          stepUp.cancel();
        }}
        className="m-auto max-h-[calc(100dvh-2rem)] w-[calc(100%-2rem)] max-w-md overflow-y-auto overscroll-contain rounded-xl bg-white p-6 text-ink shadow-xl backdrop:bg-black/40 max-sm:p-4"
      >
        {challenge ? (
          <div className="space-y-4">
            <h2 id={headingId} className="text-lg font-semibold">
              {challenge.binding === "transaction" ? "Approve this request" : "Verify it's you"}
            </h2>
            <div id={descriptionId} className="space-y-3 text-sm">
              {challenge.binding === "transaction" ? <ApprovedPayload challenge={challenge} describePayload={describePayload} /> : <p>{sessionPurpose}</p>}
              <p className="text-muted">
                <span className="font-medium text-ink">Required: </span>
                {describeContext(policySet, challenge.authContext).description}.
              </p>
            </div>
            <Status state={state} otherTabVerifying={stepUp.otherTabVerifying} />
            <div className="sticky -bottom-6 -mx-6 -mb-6 flex flex-wrap justify-end gap-2 bg-white px-6 py-4 max-sm:-bottom-4 max-sm:-mx-4 max-sm:-mb-4 max-sm:px-4">
              <Actions stepUp={stepUp} />
              <button type="button" onClick={stepUp.cancel} className={secondaryButton}>
                Cancel
              </button>
            </div>
          </div>
        ) : null}
      </dialog>
      <RecentVerificationNote state={state} />
    </>
  );
}

const primaryButton =
  "rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800 disabled:cursor-not-allowed disabled:opacity-60";
const secondaryButton = "rounded-md border border-black/10 px-4 py-2 text-sm font-medium hover:bg-surface";

/** The challenge the dialog is about, or null when it is closed. */
function challengeOf<T>(state: StepUpState<T>): StepUpChallenge | null {
  switch (state.status) {
    case "challenge":
    case "verifying":
    case "resume":
      return state.challenge;
    case "error":
      return state.challenge;
    case "idle":
    case "running":
    case "success":
    case "invalid":
      return null;
    default:
      return assertNever(state);
  }
}

function Status<T>({ state, otherTabVerifying }: { state: StepUpState<T>; otherTabVerifying: boolean }) {
  // One live region that stays mounted, so screen readers announce each change.
  let text = "";
  if (state.status === "challenge" && !state.ready) text = "Preparing secure verification…";
  if (state.status === "challenge" && state.ready && otherTabVerifying) {
    text = "A verification is already open in another tab. Finish or close it there; you can verify here when it's done.";
  }
  if (state.status === "verifying") text = "Complete the verification in the window that opened. This dialog updates when you're done.";
  if (state.status === "resume") text = "You verified in this window. Continue when you're ready.";
  return (
    <>
      <p role="status" className="text-sm text-muted empty:hidden">
        {text}
      </p>
      {state.status === "error" ? (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
          {state.message}
        </p>
      ) : null}
    </>
  );
}

/** The primary way forward for the current state; `key` remounts it so `autoFocus` moves focus to it. */
function Actions<T>({ stepUp }: { stepUp: StepUpControls<T> }) {
  const { state } = stepUp;
  switch (state.status) {
    case "challenge":
      return (
        <button
          key="verify"
          type="button"
          autoFocus
          disabled={!state.ready || stepUp.otherTabVerifying}
          onClick={() => stepUp.verify()}
          className={primaryButton}
        >
          Verify
        </button>
      );
    case "verifying":
      return null;
    case "resume":
      return (
        <button key="resume" type="button" autoFocus onClick={stepUp.resume} className={primaryButton}>
          Continue
        </button>
      );
    case "error":
      return <ErrorActions stepUp={stepUp} state={state} />;
    case "idle":
    case "running":
    case "success":
    case "invalid":
      return null;
    default:
      return assertNever(state);
  }
}

function ErrorActions<T>({ stepUp, state }: { stepUp: StepUpControls<T>; state: Extract<StepUpState<T>, { status: "error" }> }) {
  const tryAgain = (
    <button key={`retry-${state.kind}`} type="button" autoFocus onClick={() => stepUp.verify()} className={primaryButton}>
      Try again
    </button>
  );
  switch (state.kind) {
    case "wrong_account":
      return (
        <button key="switch" type="button" autoFocus onClick={() => stepUp.verify({ switchAccount: true })} className={primaryButton}>
          Sign in as {state.expectedAs}
        </button>
      );
    case "popup_blocked":
      return (
        <>
          {stepUp.continueInWindow ? (
            <button key="redirect" type="button" autoFocus onClick={stepUp.continueInWindow} className={primaryButton}>
              Continue in this window
            </button>
          ) : null}
          <button type="button" onClick={() => stepUp.verify()} className={stepUp.continueInWindow ? secondaryButton : primaryButton}>
            Try again
          </button>
        </>
      );
    case "cancelled":
    case "timed_out":
    case "unreachable":
    case "second_challenge":
    case "failed":
      return tryAgain;
    default:
      return assertNever(state.kind);
  }
}

/** A transaction's stored payload, exactly as the server will execute it. */
function ApprovedPayload({ challenge, describePayload }: { challenge: StepUpChallenge; describePayload?: (payload: { [key: string]: JsonValue }) => PayloadLine[] }) {
  const payload = challenge.payload ?? {};
  const currency = typeof payload.currency === "string" ? payload.currency : null;
  const lines: PayloadLine[] = describePayload
    ? describePayload(payload)
    : Object.entries(payload).map(([key, value]) => ({ label: labelOf(key), value: formatValue(key, value, currency) }));
  return (
    <>
      <p>You are approving exactly this. If anything is wrong, cancel.</p>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded-md bg-surface p-3">
        {lines.map((line) => (
          <div key={line.label} className="contents">
            <dt className="text-muted">{line.label}</dt>
            <dd className="font-medium tabular-nums">{line.value}</dd>
          </div>
        ))}
      </dl>
      {challenge.expiresAt ? <p className="text-xs text-muted">This approval expires at {new Date(challenge.expiresAt).toLocaleTimeString()}.</p> : null}
    </>
  );
}

/** `amountMinor` → "Amount", `payeeId` → "Payee". */
function labelOf(key: string): string {
  const words = key
    .replace(/(Minor|Id)$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function formatValue(key: string, value: JsonValue, currency: string | null): string {
  if (key.endsWith("Minor") && currency && (typeof value === "string" || typeof value === "number")) {
    return formatMoney(String(value), currency);
  }
  if (value === null) return "—";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
