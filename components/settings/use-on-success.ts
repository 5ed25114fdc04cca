"use client";

import { useState } from "react";
import type { StepUpState } from "@/lib/step-up/client/use-step-up-action";

/**
 * Calls `onSuccess` once when a step-up action's state turns to success, during render (React's
 * "adjusting state when a prop changes" pattern, https://react.dev/learn/you-might-not-need-an-effect),
 * so a form can start over and a toast can appear in the same render, without an effect's extra pass.
 */
export function useOnSuccess<T>(state: StepUpState<T>, onSuccess: (data: T) => void): void {
  const [previous, setPrevious] = useState(state);
  if (state !== previous) {
    setPrevious(state);
    if (state.status === "success") onSuccess(state.data);
  }
}
