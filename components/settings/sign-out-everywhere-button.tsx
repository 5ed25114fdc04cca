"use client";

import { useFormStatus } from "react-dom";
import { secondaryButton } from "@/components/settings/form-parts";
import { clearStepUpCache } from "@/lib/step-up/msal";

/**
 * "Sign out everywhere": a plain form post (works before hydration too) to a server action that
 * ends every portal session, this one included, then the identity provider's. Clears this tab's
 * step-up cache first, as the header's Sign out does.
 */
export function SignOutEverywhereButton({ action }: { action: () => Promise<void> }) {
  return (
    <form action={action} onSubmit={() => clearStepUpCache()}>
      <Submit />
    </form>
  );
}

function Submit() {
  const { pending } = useFormStatus();
  return (
    <button type="submit" aria-disabled={pending} className={secondaryButton}>
      {pending ? "Signing out…" : "Sign out everywhere"}
    </button>
  );
}
