"use client";

import { useEffect, useId, useRef, useState } from "react";
import { ErrorSummary, Field, describedBy, inputClass, primaryButton, type FieldErrors } from "@/components/ui/form-parts";
import { StepUpDialog, type PayloadLine } from "@/components/step-up/step-up-dialog";
import { useOnSuccess } from "@/components/settings/use-on-success";
import { Toast } from "@/components/ui/toast";
import type { JsonValue } from "@/lib/step-up/protocol";
import type { TransferLimitSummary } from "@/lib/data/limits";
import { formatMoney, minorToDecimalString } from "@/lib/format";
import { useHydrated } from "@/lib/use-hydrated";
import { parseAmount } from "@/lib/money";
import { usePrefetchStepUp, useStepUpAction, type StepUpAction } from "@/lib/step-up/client/use-step-up-action";
import { checkForm } from "@/lib/validation/rules";
import { updateLimitsRules } from "@/lib/validation/settings-rules";

/**
 * One currency's transfer limits. The request carries the limits this page shows (`current*`):
 * the policy asks for step-up only when a new value is above them (`limits.update`), and the
 * server writes only if they are still the stored ones. Lowering runs at once; raising shows the
 * approval dialog with "from → to".
 */
export function LimitsForm({ limits, action }: { limits: TransferLimitSummary; action: StepUpAction<TransferLimitSummary> }) {
  const { currency } = limits;
  const stepUp = useStepUpAction(action, { resumeKey: `limits:${currency}` });
  const { state } = stepUp;
  const [current, setCurrent] = useState({ perTransferMinor: limits.perTransferMinor, dailyMinor: limits.dailyMinor });
  const decimal = (minor: string) => minorToDecimalString(BigInt(minor), currency);
  const [values, setValues] = useState({ perTransfer: decimal(limits.perTransferMinor), daily: decimal(limits.dailyMinor) });
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const [toast, setToast] = useState<string | null>(null);
  const summary = useRef<HTMLDivElement>(null);
  const formId = useId();
  const hydrated = useHydrated();
  const busy = !hydrated || state.status === "running" || state.status === "verifying";
  // Raising a limit asks for verification (the form says so): get it ready as soon as a typed value raises one.
  const raises = (typed: string, currentMinor: string) => {
    const amount = parseAmount(typed, currency);
    return amount.ok && amount.minor > BigInt(currentMinor);
  };
  usePrefetchStepUp(raises(values.perTransfer, current.perTransferMinor) || raises(values.daily, current.dailyMinor));

  const serverErrors = state.status === "invalid" ? state.fieldErrors : state.status === "error" && !state.challenge ? { form: [state.message] } : null;
  const errors = serverErrors ?? clientErrors;

  useEffect(() => {
    if (Object.keys(errors).length > 0) summary.current?.focus();
  }, [errors]);

  useOnSuccess(state, (saved) => {
    setCurrent({ perTransferMinor: saved.perTransferMinor, dailyMinor: saved.dailyMinor });
    setToast(`${currency} limits saved: ${formatMoney(saved.perTransferMinor, currency)} per transfer, ${formatMoney(saved.dailyMinor, currency)} per day.`);
  });

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const request = { currency, ...values, currentPerTransferMinor: current.perTransferMinor, currentDailyMinor: current.dailyMinor };
    const checked = checkForm(updateLimitsRules, request);
    stepUp.reset();
    if (!checked.ok) {
      setClientErrors(checked.fieldErrors);
      return;
    }
    setClientErrors({});
    void stepUp.run(request);
  }

  const describe = (payload: { [key: string]: JsonValue }): PayloadLine[] => {
    const money = (value: JsonValue | undefined) => (typeof value === "string" && /^\d+$/.test(value) ? formatMoney(value, currency) : String(value ?? ""));
    return [
      { label: "Currency", value: currency },
      { label: "Per transfer", value: `${money(payload.currentPerTransferMinor)} → ${money(payload.perTransferMinor)}` },
      { label: "Per day", value: `${money(payload.currentDailyMinor)} → ${money(payload.dailyMinor)}` },
    ];
  };

  const fieldId = (key: string) => `${formId}-${key}`;
  return (
    <section aria-labelledby={`${formId}-heading`} className="rounded-xl border border-black/5 bg-white p-6 shadow-sm">
      <h2 id={`${formId}-heading`} className="text-lg font-semibold">
        Transfer limits in {currency}
      </h2>
      <p className="mt-1 text-sm text-muted">
        Now {formatMoney(current.perTransferMinor, currency)} per transfer and {formatMoney(current.dailyMinor, currency)} per account per day
        {limits.isDefault && current.perTransferMinor === limits.perTransferMinor && current.dailyMinor === limits.dailyMinor ? " (the bank's defaults)" : ""}. Lowering a limit takes
        effect at once; raising one asks you to verify with your strongest method.
      </p>
      <form noValidate onSubmit={onSubmit} className="mt-4 space-y-4">
        <ErrorSummary
          ref={summary}
          errors={errors}
          labels={[
            { key: "perTransfer", label: "Per transfer", id: fieldId("perTransfer") },
            { key: "daily", label: "Per day", id: fieldId("daily") },
          ]}
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id={fieldId("perTransfer")} label={`Per transfer (${currency})`} errors={errors.perTransfer} hint={`At most ${formatMoney(limits.maxPerTransferMinor, currency)}.`}>
            <input
              id={fieldId("perTransfer")}
              inputMode="decimal"
              autoComplete="off"
              value={values.perTransfer}
              onChange={(event) => setValues((v) => ({ ...v, perTransfer: event.target.value }))}
              aria-invalid={errors.perTransfer ? true : undefined}
              aria-describedby={describedBy(fieldId("perTransfer"), errors, "perTransfer", true)}
              className={`${inputClass} tabular-nums`}
            />
          </Field>
          <Field id={fieldId("daily")} label={`Per day (${currency})`} errors={errors.daily} hint={`At most ${formatMoney(limits.maxDailyMinor, currency)}.`}>
            <input
              id={fieldId("daily")}
              inputMode="decimal"
              autoComplete="off"
              value={values.daily}
              onChange={(event) => setValues((v) => ({ ...v, daily: event.target.value }))}
              aria-invalid={errors.daily ? true : undefined}
              aria-describedby={describedBy(fieldId("daily"), errors, "daily", true)}
              className={`${inputClass} tabular-nums`}
            />
          </Field>
        </div>
        <div className="flex justify-end">
          <button type="submit" disabled={!hydrated} aria-disabled={busy} className={primaryButton}>
            {state.status === "running" ? "Saving…" : `Save ${currency} limits`}
          </button>
        </div>
      </form>
      <StepUpDialog stepUp={stepUp} sessionPurpose="" describePayload={describe} />
      <Toast message={toast} onDismiss={() => setToast(null)} />
    </section>
  );
}
