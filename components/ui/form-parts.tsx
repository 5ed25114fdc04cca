"use client";

import { forwardRef, useId } from "react";
import type { FieldErrors } from "@/lib/validation/rules";

export type { FieldErrors };

/** The shared look of text inputs and selects in the portal's forms. */
export const inputClass =
  "mt-1 block w-full rounded-md border border-black/15 bg-white px-3 py-2 text-ink shadow-sm focus:border-brand-700 focus:outline-none focus:ring-2 focus:ring-brand-700/30 aria-invalid:border-red-700";

/** A labelled field with its errors, tied to the control by id (the control sets `aria-describedby={describedBy(...)}`). */
export function Field({ id, label, errors, hint, children }: { id: string; label: string; errors: string[] | undefined; hint?: string; children: React.ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-muted">
          {hint}
        </p>
      ) : null}
      {errors ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-800">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

/** `aria-describedby` for a field: its hint and, when it has errors, its error text. */
export function describedBy(id: string, errors: FieldErrors, key: string, hint = false): string | undefined {
  return [hint ? `${id}-hint` : undefined, errors[key] ? `${id}-error` : undefined].filter(Boolean).join(" ") || undefined;
}

/**
 * Every error of the form at once, focused when it appears, each linked to its field. `labels`
 * orders and names the fields (one without an `id`, such as the form as a whole, is listed as its
 * message alone); errors of unknown keys are listed as they are.
 */
export const ErrorSummary = forwardRef<HTMLDivElement, { errors: FieldErrors; labels: ReadonlyArray<{ key: string; label: string; id?: string }> }>(function ErrorSummary({ errors, labels }, ref) {
  const headingId = useId();
  const known = new Set(labels.map((l) => l.key));
  const entries = [
    ...labels.flatMap(({ key, label, id }) => (errors[key] ?? []).map((message) => ({ key, label, id, message }))),
    ...Object.entries(errors)
      .filter(([key]) => !known.has(key))
      .flatMap(([key, messages]) => messages.map((message) => ({ key, label: "", id: undefined, message }))),
  ];
  if (entries.length === 0) return null;
  return (
    <div ref={ref} tabIndex={-1} role="alert" aria-labelledby={headingId} className="rounded-md border border-red-300 bg-red-50 p-4 text-sm focus:outline-none focus:ring-2 focus:ring-red-700/40">
      <h3 id={headingId} className="font-semibold text-red-800">
        Check the following
      </h3>
      <ul className="mt-2 list-disc space-y-1 pl-5">
        {entries.map(({ key, label, id, message }) => (
          <li key={`${key}-${message}`}>
            {id ? (
              <a href={`#${id}`} className="underline">
                {`${label}: ${message}`}
              </a>
            ) : (
              message
            )}
          </li>
        ))}
      </ul>
    </div>
  );
});

/** Primary and secondary button styles; `aria-disabled` keeps focus on a busy button. */
export const primaryButton = "rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800 disabled:opacity-60 aria-disabled:opacity-60";
export const secondaryButton = "rounded-md border border-black/10 px-4 py-2 text-sm font-medium hover:bg-surface disabled:opacity-60 aria-disabled:opacity-60";
