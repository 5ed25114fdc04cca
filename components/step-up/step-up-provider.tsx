"use client";

import { useMemo } from "react";
import { StepUpContext } from "@/lib/step-up/client/use-step-up-action";
import type { StepUpUser } from "@/lib/step-up/client/msal";
import type { StepUpClientConfig } from "@/lib/step-up/protocol";

/**
 * Gives every `useStepUpAction` below it the MSAL configuration and the signed-in person. A
 * server component renders it with `stepUpClientConfig()` (lib/env.ts) and the session's user,
 * so the values are the running server's, not the build's. Loads no MSAL by itself.
 */
export function StepUpProvider({ config, user, children }: { config: StepUpClientConfig; user: StepUpUser; children: React.ReactNode }) {
  const value = useMemo(() => ({ config, user }), [config, user]);
  return <StepUpContext value={value}>{children}</StepUpContext>;
}
