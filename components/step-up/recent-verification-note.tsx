"use client";

import type { StepUpState } from "@/lib/step-up/client/use-step-up-action";

/**
 * After a transaction-bound approval the identity provider did not prompt for (a verification
 * from the last few minutes still counted), says so: otherwise its window flashed and closed
 * with no word. Renders nothing in any other state.
 */
export function RecentVerificationNote<T>({ state }: { state: StepUpState<T> }) {
  if (state.status !== "success" || !state.verifiedEarlierAt) return null;
  const at = new Date(state.verifiedEarlierAt).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  return (
    <p role="status" className="rounded-md bg-surface px-3 py-2 text-sm text-muted">
      Approved with your verification from {at}: you verified within the last few minutes, so you weren&apos;t asked again.
    </p>
  );
}
