"use client";

import { useState } from "react";
import { primaryButton } from "@/components/ui/form-parts";
import { StepUpDialog } from "@/components/step-up/step-up-dialog";
import { useOnSuccess } from "@/components/settings/use-on-success";
import { Toast } from "@/components/ui/toast";
import { useHydrated } from "@/lib/use-hydrated";
import { useStepUpAction, type StepUpAction } from "@/lib/step-up/client/use-step-up-action";

/**
 * "Sign out other sessions" (`security.update`): ends every portal session of this person except
 * this one, after a step-up. Someone holding a stolen session cookie must not be able to lock the
 * owner out, or sign out the owner's other devices to hide what they do, without the owner's factor.
 */
export function EndOtherSessions({ others, action }: { others: number; action: StepUpAction<{ ended: number }> }) {
  const stepUp = useStepUpAction(action, { resumeKey: "sessions:end-others" });
  const { state } = stepUp;
  const [toast, setToast] = useState<string | null>(null);
  const hydrated = useHydrated();
  const busy = !hydrated || state.status === "running" || state.status === "verifying";

  useOnSuccess(state, ({ ended }) => {
    setToast(ended === 1 ? "1 other session was signed out." : `${ended} other sessions were signed out.`);
  });

  return (
    <div className="space-y-3">
      {state.status === "error" && !state.challenge ? (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
          {state.message}
        </p>
      ) : null}
      <button
        type="button"
        disabled={!hydrated || others === 0}
        aria-disabled={busy}
        onClick={() => {
          if (!busy) void stepUp.run({});
        }}
        className={primaryButton}
      >
        {state.status === "running" ? "Signing out…" : "Sign out other sessions"}
      </button>
      <StepUpDialog
        stepUp={stepUp}
        sessionPurpose=""
        describePayload={() => [{ label: "Sign out", value: `Every other session (${others} now), keeping this one` }]}
      />
      <Toast message={toast} onDismiss={() => setToast(null)} />
    </div>
  );
}
