"use client";

import { useId, useRef } from "react";
import { useFormStatus } from "react-dom";
import { primaryButton, secondaryButton } from "@/components/ui/form-parts";
import { clearStepUpCache } from "@/lib/step-up/client/msal";
import { useHydrated } from "@/lib/use-hydrated";

/**
 * "Sign out everywhere", after a confirmation: it ends every portal session, this one included,
 * and the identity provider's in this browser, so one stray click would cost the person every
 * device. The confirmation is a native modal `<dialog>` (the browser traps focus, Escape cancels)
 * holding a plain form post to the server action. The button that opens it stays disabled until
 * hydration, when opening the dialog can work. Clears this tab's step-up cache on submit, as the
 * header's Sign out does.
 */
export function SignOutEverywhereButton({ action }: { action: () => Promise<void> }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const hydrated = useHydrated();
  const headingId = useId();
  const descriptionId = useId();
  return (
    <>
      <button type="button" disabled={!hydrated} onClick={() => dialog.current?.showModal()} className={secondaryButton}>
        Sign out everywhere
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={headingId}
        aria-describedby={descriptionId}
        className="m-auto w-full max-w-md rounded-xl bg-white p-6 text-ink shadow-xl backdrop:bg-black/40"
      >
        <form action={action} onSubmit={() => clearStepUpCache()} className="space-y-4">
          <h2 id={headingId} className="text-lg font-semibold">
            Sign out everywhere?
          </h2>
          <p id={descriptionId} className="text-sm">
            Every device and browser signed in to Woodgrove is signed out, this one included, and you are signed out of your
            organization&apos;s sign-in service in this browser. You&apos;ll need to sign in again.
          </p>
          <div className="flex flex-wrap justify-end gap-2">
            <Confirm />
            <button type="button" autoFocus onClick={() => dialog.current?.close()} className={secondaryButton}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

function Confirm() {
  const { pending } = useFormStatus();
  return (
    <button type="submit" aria-disabled={pending} className={primaryButton}>
      {pending ? "Signing out…" : "Sign out everywhere"}
    </button>
  );
}
