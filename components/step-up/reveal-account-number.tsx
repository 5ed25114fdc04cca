"use client";

import { StepUpDialog } from "@/components/step-up/step-up-dialog";
import { useStepUpAction, type StepUpAction } from "@/lib/step-up/client/use-step-up-action";
import { useHydrated } from "@/lib/use-hydrated";

/** What `revealAccountNumberAction` returns on success. */
export interface RevealedAccountNumber {
  accountId: string;
  fullNumber: string;
}

/**
 * An account's number: masked, with "Show full number" (finance.viewStatements, session-bound).
 * The first reveal in a session that is not elevated opens the step-up dialog; within the
 * elevation window the server answers at once. The full number lives only in this component's
 * state: "Hide" (or leaving the page) forgets it.
 */
export function RevealAccountNumber({
  accountId,
  accountName,
  maskedNumber,
  action,
  sessionPurpose,
}: {
  accountId: string;
  accountName: string;
  maskedNumber: string;
  action: StepUpAction<RevealedAccountNumber>;
  /** What one verification grants, from the policy (e.g. "… for 15 minutes."). */
  sessionPurpose: string;
}) {
  const stepUp = useStepUpAction(action, { resumeKey: `reveal-account-number:${accountId}` });
  const { state } = stepUp;
  const fullNumber = state.status === "success" ? state.data.fullNumber : null;
  const hydrated = useHydrated();
  const busy = state.status === "running" || state.status === "verifying" || !hydrated;

  return (
    <div className="mt-1 flex flex-wrap items-center justify-between gap-2 text-xs text-muted">
      <p>
        {fullNumber ? (
          <>
            <span className="sr-only">Full account number </span>
            <span className="font-mono text-sm text-ink">{groupDigits(fullNumber)}</span>
          </>
        ) : (
          <>
            <span className="sr-only">Account number ending </span>
            {maskedNumber}
          </>
        )}
      </p>
      <button
        type="button"
        // aria-disabled, not disabled: a disabled button drops focus, and the dialog must return it here.
        aria-disabled={busy}
        onClick={() => {
          if (busy) return;
          if (fullNumber) stepUp.reset();
          else void stepUp.run({ accountId });
        }}
        aria-label={`${fullNumber ? "Hide" : "Show full number"} for ${accountName}`}
        className="rounded-md px-2 py-1 font-medium text-brand-700 hover:bg-brand-50 aria-disabled:opacity-60"
      >
        {fullNumber ? "Hide" : "Show full number"}
      </button>
      {state.status === "error" && !state.challenge ? (
        <p role="alert" className="w-full text-amber-800">
          {state.message}
        </p>
      ) : null}
      <StepUpDialog stepUp={stepUp} sessionPurpose={sessionPurpose} />
    </div>
  );
}

/** "4402123456785034" → "4402 1234 5678 5034". */
function groupDigits(value: string): string {
  return value.replace(/(.{4})(?=.)/g, "$1 ");
}
