"use client";

import { clearStepUpCache } from "@/lib/step-up/client/msal";

/**
 * The sign-out form: clears MSAL's step-up cache in this tab before the server action ends the
 * session. (MSAL's tokens are in memory and go with the page anyway; this also drops MSAL's
 * temporary state in sessionStorage and any unfinished redirect continuation.) Imports no MSAL.
 */
export function SignOutButton({ action }: { action: () => Promise<void> }) {
  return (
    <form action={action} onSubmit={() => clearStepUpCache()}>
      <button type="submit" className="rounded-md border border-black/10 px-3 py-1.5 text-sm font-medium hover:bg-surface">
        Sign out
      </button>
    </form>
  );
}
