"use client";

import { useFormStatus } from "react-dom";

/**
 * A filter form's submit button: "Applying…" while the navigation to the new URL is pending
 * (next/form runs it as a transition, which `useFormStatus` reports).
 */
export function SubmitButton({ children, pendingLabel }: { children: React.ReactNode; pendingLabel: string }) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      aria-disabled={pending}
      className="rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800 aria-disabled:opacity-70"
    >
      {pending ? pendingLabel : children}
    </button>
  );
}
