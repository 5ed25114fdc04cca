"use client";

import { useEffect } from "react";

/**
 * A result message ("Payee added"), shown at the bottom of the screen and announced politely by
 * screen readers (a `status` live region that exists before its text changes, so the change is
 * read). It stays until dismissed or replaced: a timed toast can vanish before someone who reads
 * slowly or uses a magnifier has found it (WCAG 2.2.1).
 */
export function Toast({ message, onDismiss }: { message: string | null; onDismiss: () => void }) {
  useEffect(() => {
    if (!message) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onDismiss();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [message, onDismiss]);
  return (
    <div role="status" aria-live="polite" className="pointer-events-none fixed inset-x-0 bottom-4 z-40 flex justify-center px-4">
      {message ? (
        <div className="pointer-events-auto flex items-center gap-4 rounded-lg bg-ink px-4 py-3 text-sm text-white shadow-lg">
          <span>{message}</span>
          <button type="button" onClick={onDismiss} className="rounded px-2 py-1 text-xs font-medium underline hover:bg-white/10">
            Dismiss
          </button>
        </div>
      ) : null}
    </div>
  );
}
