"use client";

import { useEffect, useId, useRef, useState } from "react";
import { ErrorSummary, Field, describedBy, inputClass, primaryButton, secondaryButton, type FieldErrors } from "@/components/ui/form-parts";
import { StepUpDialog, type PayloadLine } from "@/components/step-up/step-up-dialog";
import { useOnSuccess } from "@/components/settings/use-on-success";
import { Toast } from "@/components/ui/toast";
import type { JsonValue } from "@/lib/step-up/protocol";
import type { PayeeSummary } from "@/lib/data/transfers";
import { useHydrated } from "@/lib/use-hydrated";
import { usePrefetchStepUp, useStepUpAction, type StepUpAction, type StepUpControls } from "@/lib/step-up/client/use-step-up-action";
import { checkForm } from "@/lib/validation/rules";
import { PAYEE_NAME_MAX_LENGTH, createPayeeRules, updatePayeeRules } from "@/lib/validation/settings-rules";

/**
 * Payees: list, add, edit, remove. Each change is `security.update` (transaction-bound): the server
 * answers the first call with the stored payload, the dialog shows it in words, the popup verifies
 * (a passkey in production), and exactly that change runs once. The person's input stays in the
 * form through errors, a cancelled popup and retries; the full account number is never sent back
 * to the browser (the list shows the last four digits).
 */

interface FormValues {
  name: string;
  bankName: string;
  accountNumber: string;
}

const EMPTY: FormValues = { name: "", bankName: "", accountNumber: "" };

const text = (value: JsonValue | undefined) => (typeof value === "string" ? value : "");

export function PayeeManager({
  payees,
  actions,
}: {
  payees: readonly PayeeSummary[];
  actions: { create: StepUpAction<PayeeSummary>; update: StepUpAction<PayeeSummary>; remove: StepUpAction<PayeeSummary> };
}) {
  const create = useStepUpAction(actions.create, { resumeKey: "payee:create" });
  const update = useStepUpAction(actions.update, { resumeKey: "payee:update" });
  const remove = useStepUpAction(actions.remove, { resumeKey: "payee:remove" });
  const [editing, setEditing] = useState<PayeeSummary | null>(null);
  const [values, setValues] = useState<FormValues>(EMPTY);
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const [toast, setToast] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const summary = useRef<HTMLDivElement>(null);
  const formHeading = useRef<HTMLHeadingElement>(null);
  const formId = useId();
  const hydrated = useHydrated();

  const active = editing ? update : create;
  const serverErrors = active.state.status === "invalid" ? active.state.fieldErrors : active.state.status === "error" && !active.state.challenge ? { form: [active.state.message] } : null;
  const errors = serverErrors ?? clientErrors;
  const busy = !hydrated || active.state.status === "running" || active.state.status === "verifying";
  const removeBusy = remove.state.status === "running" || remove.state.status === "verifying";
  // Adding or changing a payee always asks for verification (the form says so): get it ready once the person starts.
  usePrefetchStepUp(editing !== null || Object.values(values).some((value) => value.trim() !== ""));

  useEffect(() => {
    if (Object.keys(errors).length > 0) summary.current?.focus();
  }, [errors]);

  // A finished change: say so, and start the form over (the list refreshes from the server).
  const done = (message: string, resetForm: boolean) => (payee: PayeeSummary) => {
    setToast(`${message} ${payee.name}, ${payee.bankName} (${payee.maskedAccountNumber}).`);
    if (resetForm) {
      setValues(EMPTY);
      setEditing(null);
      setClientErrors({});
    }
    setRemoving(null);
  };
  useOnSuccess(create.state, done("Payee added.", true));
  useOnSuccess(update.state, done("Payee updated.", true));
  useOnSuccess(remove.state, done("Payee removed.", false));

  const describe = (payload: { [key: string]: JsonValue }): PayloadLine[] => {
    const existing = payees.find((p) => p.id === payload.payeeId);
    const lines: PayloadLine[] = [];
    if (typeof payload.payeeId === "string") lines.push({ label: "Payee", value: existing ? `${existing.name} (${existing.maskedAccountNumber})` : payload.payeeId });
    if ("name" in payload) lines.push({ label: "Name", value: text(payload.name) });
    if ("bankName" in payload) lines.push({ label: "Bank", value: text(payload.bankName) });
    if ("accountNumber" in payload) lines.push({ label: "Account number", value: text(payload.accountNumber) });
    else if ("name" in payload && existing) lines.push({ label: "Account number", value: `Unchanged (${existing.maskedAccountNumber})` });
    return lines;
  };

  function startEdit(payee: PayeeSummary) {
    create.reset();
    update.reset();
    setEditing(payee);
    setValues({ name: payee.name, bankName: payee.bankName, accountNumber: "" });
    setClientErrors({});
    requestAnimationFrame(() => formHeading.current?.focus());
  }

  function cancelEdit() {
    update.reset();
    setEditing(null);
    setValues(EMPTY);
    setClientErrors({});
  }

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const request = editing ? { payeeId: editing.id, ...values } : values;
    const checked = editing ? checkForm(updatePayeeRules, request) : checkForm(createPayeeRules, request);
    active.reset();
    if (!checked.ok) {
      setClientErrors(checked.fieldErrors);
      return;
    }
    setClientErrors({});
    void active.run(request);
  }

  const fieldId = (key: string) => `${formId}-${key}`;
  const labels = [
    { key: "name", label: "Name", id: fieldId("name") },
    { key: "bankName", label: "Bank", id: fieldId("bankName") },
    { key: "accountNumber", label: "Account number", id: fieldId("accountNumber") },
  ];

  return (
    <>
      <section aria-labelledby={`${formId}-list`} className="rounded-xl border border-black/5 bg-white p-6 shadow-sm">
        <h2 id={`${formId}-list`} className="text-lg font-semibold">
          Your payees
        </h2>
        {payees.length === 0 ? (
          <p className="mt-4 text-sm text-muted">You have no payees yet. Add one below to pay someone outside Woodgrove.</p>
        ) : (
          <div className="mt-4 overflow-x-auto">
            <table className="card-table w-full text-left text-sm">
              <caption className="sr-only">Your payees</caption>
              <thead className="text-muted">
                <tr>
                  <th scope="col" className="py-2 pr-4 font-medium">Name</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Bank</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Account</th>
                  <th scope="col" className="py-2 font-medium"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {payees.map((payee) => (
                  <tr key={payee.id} className="border-t border-black/5">
                    <th scope="row" data-card="title" className="py-2 pr-4 font-medium">{payee.name}</th>
                    <td data-label="Bank" className="py-2 pr-4">{payee.bankName}</td>
                    <td data-label="Account" className="py-2 pr-4 whitespace-nowrap tabular-nums">{payee.maskedAccountNumber}</td>
                    <td className="py-2">
                      <div className="flex flex-wrap justify-end gap-2">
                        <button type="button" disabled={!hydrated} onClick={() => startEdit(payee)} className={secondaryButton} aria-label={`Edit ${payee.name}`}>
                          Edit
                        </button>
                        <button
                          type="button"
                          disabled={!hydrated}
                          aria-disabled={removing === payee.id && removeBusy}
                          onClick={() => {
                            if (removeBusy) return;
                            setRemoving(payee.id);
                            void remove.run({ payeeId: payee.id });
                          }}
                          className={secondaryButton}
                          aria-label={`Remove ${payee.name}`}
                        >
                          {removing === payee.id && remove.state.status === "running" ? "Removing…" : "Remove"}
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <RemoveStatus controls={remove} onClear={() => setRemoving(null)} />
        <p className="mt-4 text-xs text-muted">Removing a payee keeps your past payments to it in your history.</p>
      </section>

      <section aria-labelledby={`${formId}-form`} className="rounded-xl border border-black/5 bg-white p-6 shadow-sm">
        <h2 id={`${formId}-form`} ref={formHeading} tabIndex={-1} className="text-lg font-semibold focus:outline-none">
          {editing ? `Edit ${editing.name}` : "Add a payee"}
        </h2>
        <p className="mt-1 text-sm text-muted">Adding or changing a payee asks you to verify with your strongest method.</p>
        <form noValidate onSubmit={onSubmit} className="mt-4 space-y-4">
          <ErrorSummary ref={summary} errors={errors} labels={labels} />
          <Field id={fieldId("name")} label="Name" errors={errors.name}>
            <input
              id={fieldId("name")}
              autoComplete="off"
              maxLength={PAYEE_NAME_MAX_LENGTH * 2}
              value={values.name}
              onChange={(event) => setValues((v) => ({ ...v, name: event.target.value }))}
              aria-invalid={errors.name ? true : undefined}
              aria-describedby={describedBy(fieldId("name"), errors, "name")}
              className={inputClass}
            />
          </Field>
          <Field id={fieldId("bankName")} label="Bank" errors={errors.bankName}>
            <input
              id={fieldId("bankName")}
              autoComplete="off"
              maxLength={PAYEE_NAME_MAX_LENGTH * 2}
              value={values.bankName}
              onChange={(event) => setValues((v) => ({ ...v, bankName: event.target.value }))}
              aria-invalid={errors.bankName ? true : undefined}
              aria-describedby={describedBy(fieldId("bankName"), errors, "bankName")}
              className={inputClass}
            />
          </Field>
          <Field
            id={fieldId("accountNumber")}
            label="Account number"
            errors={errors.accountNumber}
            hint={editing ? `Leave empty to keep ${editing.maskedAccountNumber}.` : "6 to 17 digits; spaces and hyphens are fine."}
          >
            <input
              id={fieldId("accountNumber")}
              inputMode="numeric"
              autoComplete="off"
              maxLength={40}
              value={values.accountNumber}
              onChange={(event) => setValues((v) => ({ ...v, accountNumber: event.target.value }))}
              aria-invalid={errors.accountNumber ? true : undefined}
              aria-describedby={describedBy(fieldId("accountNumber"), errors, "accountNumber", true)}
              className={`${inputClass} tabular-nums`}
            />
          </Field>
          <div className="flex flex-wrap justify-end gap-2">
            {editing ? (
              <button type="button" onClick={cancelEdit} className={secondaryButton}>
                Cancel editing
              </button>
            ) : null}
            <button type="submit" disabled={!hydrated} aria-disabled={busy} className={primaryButton}>
              {active.state.status === "running" ? "Saving…" : editing ? "Save changes" : "Add payee"}
            </button>
          </div>
        </form>
      </section>

      <StepUpDialog stepUp={create} sessionPurpose="" describePayload={describe} />
      <StepUpDialog stepUp={update} sessionPurpose="" describePayload={describe} />
      <StepUpDialog stepUp={remove} sessionPurpose="" describePayload={(payload) => [{ label: "Remove payee", value: describe(payload)[0]?.value ?? text(payload.payeeId) }]} />
      <Toast message={toast} onDismiss={() => setToast(null)} />
    </>
  );
}

/** A refused removal (not found, already used), with a way to clear it. */
function RemoveStatus({ controls, onClear }: { controls: StepUpControls<PayeeSummary>; onClear: () => void }) {
  const { state } = controls;
  if (state.status !== "error" || state.challenge) return null;
  return (
    <div role="alert" className="mt-4 flex items-center justify-between gap-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
      <span>{state.message}</span>
      <button
        type="button"
        onClick={() => {
                onClear();
        }}
        className="underline"
      >
        Dismiss
      </button>
    </div>
  );
}
