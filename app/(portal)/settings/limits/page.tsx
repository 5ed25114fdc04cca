import type { Metadata } from "next";
import { LimitsForm } from "@/components/settings/limits-form";
import { SettingsShell } from "@/components/settings/settings-shell";
import { StepUpProvider } from "@/components/step-up/step-up-provider";
import { requireSession } from "@/lib/auth/session";
import { listTransferLimits } from "@/lib/data/limits";
import { stepUpClientConfig } from "@/lib/env";
import { updateLimitsAction } from "../actions";

export const metadata: Metadata = { title: "Limits · Settings" };

/** Per-currency transfer limits: lowering needs nothing, raising needs step-up (`limits.update`). */
export default async function LimitSettingsPage() {
  const session = await requireSession();
  const limits = await listTransferLimits(session.user);
  const { objectId, tenantId, userPrincipalName, name } = session.user;
  return (
    <SettingsShell session={session} current="/settings/limits">
      {limits.length === 0 ? (
        <p className="rounded-xl border border-black/5 bg-white p-6 text-sm text-muted shadow-sm">You have no account that can send transfers, so there are no limits to set.</p>
      ) : (
        <StepUpProvider config={stepUpClientConfig()} user={{ objectId, tenantId, userPrincipalName, name }}>
          {limits.map((limit) => (
            <LimitsForm key={limit.currency} limits={limit} action={updateLimitsAction} />
          ))}
        </StepUpProvider>
      )}
    </SettingsShell>
  );
}
