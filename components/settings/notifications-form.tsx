"use client";

import { useId, useState, useTransition } from "react";
import { ErrorSummary, primaryButton, type FieldErrors } from "@/components/ui/form-parts";
import { Toast } from "@/components/ui/toast";
import { assertNever, type ActionResult } from "@/lib/actions/result";
import { useHydrated } from "@/lib/use-hydrated";
import type { NotificationPreferencesInput } from "@/lib/validation/settings";

const OPTIONS = [
  { key: "emailOnTransfer", label: "A transfer leaves one of my accounts" },
  { key: "emailOnNewPayee", label: "A payee is added or changed" },
  { key: "emailOnNewDevice", label: "Someone signs in from a new device" },
] as const;

/**
 * Email notification preferences: no step-up (they change what the person is told, not what can
 * be done), saved with `authedAction`. The choices stay as the person set them if saving fails.
 */
export function NotificationsForm({ initial, action }: { initial: NotificationPreferencesInput; action: (input: unknown) => Promise<ActionResult<NotificationPreferencesInput>> }) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [toast, setToast] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const hydrated = useHydrated();
  const headingId = useId();

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setToast(null);
    startTransition(async () => {
      const result = await action(values);
      switch (result.status) {
        case "success":
          setErrors({});
          setValues(result.data);
          setToast("Notification preferences saved.");
          return;
        case "invalid":
          setErrors(result.fieldErrors);
          return;
        case "failed":
          setErrors({ form: [result.message] });
          return;
        case "step_up_required":
          // authedAction never asks for step-up; treat it as the unexpected.
          setErrors({ form: ["Something went wrong. Nothing was changed."] });
          return;
        default:
          assertNever(result);
      }
    });
  }

  return (
    <section aria-labelledby={headingId} className="rounded-xl border border-black/5 bg-white p-6 shadow-sm">
      <h2 id={headingId} className="text-lg font-semibold">
        Notifications
      </h2>
      <form noValidate onSubmit={onSubmit} className="mt-4 space-y-4">
        <ErrorSummary errors={errors} labels={OPTIONS.map(({ key, label }) => ({ key, label }))} />
        <fieldset className="space-y-3">
          <legend className="text-sm text-muted">Email me when</legend>
          {OPTIONS.map(({ key, label }) => (
            <label key={key} className="flex items-center gap-3 text-sm">
              <input
                type="checkbox"
                name={key}
                checked={values[key]}
                onChange={(event) => setValues((current) => ({ ...current, [key]: event.target.checked }))}
                className="h-4 w-4 rounded border-black/30 accent-brand-700"
              />
              {label}
            </label>
          ))}
        </fieldset>
        <div className="flex justify-end">
          <button type="submit" disabled={!hydrated} aria-disabled={pending} className={primaryButton}>
            {pending ? "Saving…" : "Save preferences"}
          </button>
        </div>
      </form>
      <Toast message={toast} onDismiss={() => setToast(null)} />
    </section>
  );
}
