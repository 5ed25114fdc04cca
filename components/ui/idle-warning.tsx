"use client";

import { useEffect, useId, useState } from "react";
import type { ActionResult } from "@/lib/actions/result";

/** How long before the idle timeout the warning shows: time enough to read it and answer. */
const WARN_BEFORE_MS = 2 * 60_000;

/**
 * The reload that follows the timeout waits this long past it. Any request slides a live session,
 * so a reload that reached the server a moment early would keep an idle session alive.
 */
const AFTER_EXPIRY_MS = 5_000;

/**
 * Warns before the idle timeout signs the person out, with a way to stay signed in (WCAG 2.2.1,
 * Timing Adjustable). The server decides: "Stay signed in" is a server action, which slides the
 * session like any request, and when the time has passed the page reloads, so the server either
 * shows it again (another tab kept the session alive) or sends the person to the landing page,
 * which says why. This component only keeps time; it ends nothing itself.
 *
 * `expiresInMs` is counted on the server when the page rendered (lib/auth/session.ts
 * `msUntilIdleExpiry`); the caller keys the component by the session's expiry, so a render after
 * the server slid the session starts the count again.
 */
export function IdleWarning({
  expiresInMs,
  idleMinutes,
  action,
}: {
  expiresInMs: number;
  idleMinutes: number;
  action: (input: unknown) => Promise<ActionResult<{ expiresInMs: number }>>;
}) {
  // An object, so that a renewal always restarts the timers, even to the same duration.
  const [countdown, setCountdown] = useState({ expiresInMs });
  const [warning, setWarning] = useState(false);
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const headingId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const warn = setTimeout(() => setWarning(true), Math.max(0, countdown.expiresInMs - WARN_BEFORE_MS));
    const end = setTimeout(() => globalThis.location.reload(), countdown.expiresInMs + AFTER_EXPIRY_MS);
    return () => {
      clearTimeout(warn);
      clearTimeout(end);
    };
  }, [countdown]);

  async function staySignedIn() {
    if (pending) return;
    setPending(true);
    setProblem(null);
    try {
      const result = await action({});
      if (result.status === "success") {
        setWarning(false);
        setCountdown({ expiresInMs: result.data.expiresInMs });
      } else {
        setProblem("That didn't work. Try again.");
      }
    } catch {
      setProblem("Woodgrove couldn't be reached. Check your connection and try again.");
    } finally {
      setPending(false);
    }
  }

  if (!warning) return null;
  return (
    <div
      role="alertdialog"
      aria-labelledby={headingId}
      aria-describedby={descriptionId}
      className="fixed inset-x-4 bottom-4 z-50 space-y-3 rounded-xl border border-black/10 bg-white p-5 text-ink shadow-xl sm:left-auto sm:w-full sm:max-w-sm"
    >
      <h2 id={headingId} className="text-base font-semibold">
        You&apos;ll be signed out soon
      </h2>
      <p id={descriptionId} className="text-sm text-muted">
        For your security, Woodgrove signs you out after {idleMinutes} minutes without activity. Stay signed in to keep working.
      </p>
      {problem ? (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm">
          {problem}
        </p>
      ) : null}
      <button
        type="button"
        autoFocus
        aria-disabled={pending}
        onClick={() => void staySignedIn()}
        className="rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800"
      >
        {pending ? "Staying signed in…" : "Stay signed in"}
      </button>
    </div>
  );
}
