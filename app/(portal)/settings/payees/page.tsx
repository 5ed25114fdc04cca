import type { Metadata } from "next";
import { PayeeManager } from "@/components/settings/payee-manager";
import { SettingsShell } from "@/components/settings/settings-shell";
import { StepUpProvider } from "@/components/step-up/step-up-provider";
import { requireSession } from "@/lib/auth/session";
import { listPayees } from "@/lib/data/transfers";
import { stepUpClientConfig } from "@/lib/env";
import { createPayeeAction, removePayeeAction, updatePayeeAction } from "../actions";

export const metadata: Metadata = { title: "Payees · Settings" };

/** Payees: add, edit, remove, each approved with step-up (`security.update`). */
export default async function PayeeSettingsPage() {
  const session = await requireSession();
  const payees = await listPayees(session.user);
  const { objectId, tenantId, userPrincipalName, name } = session.user;
  return (
    <SettingsShell session={session} current="/settings/payees">
      <StepUpProvider config={stepUpClientConfig()} user={{ objectId, tenantId, userPrincipalName, name }}>
        <PayeeManager payees={payees} actions={{ create: createPayeeAction, update: updatePayeeAction, remove: removePayeeAction }} />
      </StepUpProvider>
    </SettingsShell>
  );
}
