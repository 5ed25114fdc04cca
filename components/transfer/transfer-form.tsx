"use client";

import { Suspense, useEffect, useId, useRef, useState } from "react";
import { RecentVerificationNote } from "@/components/step-up/recent-verification-note";
import { ErrorSummary, Field, describedBy, inputClass, primaryButton, secondaryButton } from "@/components/ui/form-parts";
import { StepUpDialog, type PayloadLine } from "@/components/step-up/step-up-dialog";
import type { JsonValue } from "@/lib/step-up/protocol";
import { MissingMethodNote } from "@/components/transfer/missing-method-note";
import { TransferReceiptCard } from "@/components/transfer/transfer-receipt";
import type { AccountSummary } from "@/lib/data/types";
import type { ListedPayee, TransferReceipt } from "@/lib/data/transfers";
import { formatMoney } from "@/lib/format";
import { parseAmount } from "@/lib/money";
import type { MethodsSummary } from "@/lib/step-up/methods";
import { describeTransferStepUp, type PolicySetName, type TransferStepUpHint } from "@/lib/step-up/policy";
import { useHydrated } from "@/lib/use-hydrated";
import { usePrefetchStepUp, useStepUpAction, type StepUpAction } from "@/lib/step-up/client/use-step-up-action";
import { checkForm, type FieldErrors } from "@/lib/validation/rules";
import { MEMO_MAX_LENGTH, transferRules, type TransferInput } from "@/lib/validation/transfer-rules";

/**
 * The transfer flow: form → review (exactly what will run) → send → receipt. Sending goes through
 * `useStepUpAction`: below the policy's threshold the server just runs it; from there on it
 * answers with a challenge and the step-up dialog shows the server's stored payload (transaction
 * binding: always the popup), then the approved payload runs once.
 *
 * Idempotency: one key per submission, made when the person reviews it and kept for every retry
 * of that submission (a double click, "Try again" after a network error, a second challenge), so
 * the server never makes two transfers of it. Editing anything starts a new submission.
 */

/** Form values, as typed: the person's input is kept as is across errors. */
interface FormValues {
  fromAccountId: string;
  /** "account:<id>" or "payee:<id>". */
  destination: string;
  amount: string;
  memo: string;
}

/**
 * The order and labels of the error summary; keys are the rules' field names
 * (lib/validation/transfer-rules.ts). An error of a field on the form links to it; the others (an
 * expired form) are shown as they are.
 */
const FIELDS = [
  { key: "fromAccountId", label: "From", linked: true },
  { key: "destination", label: "To", linked: true },
  { key: "amount", label: "Amount", linked: true },
  { key: "memo", label: "Memo", linked: true },
  { key: "idempotencyKey", label: "Form", linked: false },
  { key: "form", label: "Form", linked: false },
] as const;

/** Account kinds the server accepts as a source (lib/data/transfers.ts). */
const SENDING_KINDS = new Set(["checking", "savings"]);

function toRequest(values: FormValues, currency: string, idempotencyKey: string) {
  const [kind, id = ""] = values.destination.split(":", 2);
  return {
    fromAccountId: values.fromAccountId,
    toAccountId: kind === "account" ? id : "",
    payeeId: kind === "payee" ? id : "",
    currency,
    amount: values.amount,
    memo: values.memo,
    idempotencyKey,
  };
}

/**
 * What this transfer will ask for, from the policy's own rule, once amount and destination are
 * known: said before the person submits. Null while they are not. Only a hint: the server
 * decides again on facts it reads itself (a payee paid from another tab, another transfer today).
 */
function hintFor(
  values: FormValues,
  currency: string,
  payees: readonly ListedPayee[],
  policySet: PolicySetName,
  unverifiedToday: Readonly<Record<string, bigint>>,
): TransferStepUpHint | null {
  const amount = parseAmount(values.amount, currency);
  const [kind, id] = values.destination.split(":", 2);
  if (!amount.ok || !kind || !id) return null;
  const payee = kind === "payee" ? payees.find((p) => p.id === id) : undefined;
  if (kind === "payee" && !payee) return null;
  return describeTransferStepUp(policySet, {
    amountMinor: amount.minor,
    currency,
    newPayee: payee ? !payee.paidBefore : false,
    unverifiedTodayMinor: unverifiedToday[values.fromAccountId] ?? 0n,
  });
}

/** See the module comment. */
export function TransferForm({
  accounts,
  payees,
  action,
  stepUpNote,
  policySet,
  unverifiedToday,
  methods,
}: {
  accounts: readonly AccountSummary[];
  payees: readonly ListedPayee[];
  action: StepUpAction<TransferReceipt>;
  /** From the policy: which transfers need verification. */
  stepUpNote: string;
  /** The policy set the server enforces: the hint asks the same rule. */
  policySet: PolicySetName;
  /** What left each account today without verification (minor units), for the daily allowance. */
  unverifiedToday: Readonly<Record<string, bigint>>;
  /**
   * Which kinds of sign-in method the person has (null: not known), streamed from the server so
   * that a slow Graph never holds the form up: the hint then also says when they lack the method.
   */
  methods: Promise<MethodsSummary | null>;
}) {
  const stepUp = useStepUpAction(action, { resumeKey: "transfer:create" });
  const { state } = stepUp;
  const sources = accounts.filter((account) => SENDING_KINDS.has(account.kind));
  const [values, setValues] = useState<FormValues>({ fromAccountId: sources[0]?.id ?? "", destination: "", amount: "", memo: "" });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [phase, setPhase] = useState<"edit" | "review">("edit");
  const [review, setReview] = useState<{ input: TransferInput; request: ReturnType<typeof toRequest> } | null>(null);
  const idempotencyKey = useRef<string | null>(null);
  const summary = useRef<HTMLDivElement>(null);
  const reviewHeading = useRef<HTMLHeadingElement>(null);
  const formId = useId();

  const source = accounts.find((account) => account.id === values.fromAccountId);
  const currency = source?.currency ?? "USD";
  const hydrated = useHydrated();
  const busy = state.status === "running" || state.status === "verifying" || !hydrated;
  const stepUpHint = hintFor(values, currency, payees, policySet, unverifiedToday);
  // The hint says this transfer will ask for verification: get it ready while the person reviews.
  usePrefetchStepUp(Boolean(stepUpHint?.authContext));

  // The server's field errors (e.g. a limit) send the person back to the form, input intact.
  const serverInvalid = state.status === "invalid";
  const shownErrors = serverInvalid ? state.fieldErrors : errors;
  const shownPhase = serverInvalid ? "edit" : phase;

  useEffect(() => {
    if (shownPhase === "edit" && Object.keys(shownErrors).length > 0) summary.current?.focus();
    if (shownPhase === "review") reviewHeading.current?.focus();
  }, [shownPhase, shownErrors]);

  function update(field: keyof FormValues, value: string) {
    setValues((current) => ({ ...current, [field]: value }));
    // A changed request is a new submission: it gets its own key.
    idempotencyKey.current = null;
  }

  function onReview(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    idempotencyKey.current ??= crypto.randomUUID();
    const request = toRequest(values, currency, idempotencyKey.current);
    const checked = checkForm(transferRules, request);
    stepUp.reset();
    if (!checked.ok) {
      setErrors(checked.fieldErrors);
      return;
    }
    setErrors({});
    setReview({ input: checked.value, request });
    setPhase("review");
  }

  function startOver() {
    stepUp.reset();
    idempotencyKey.current = null;
    setValues((current) => ({ fromAccountId: current.fromAccountId, destination: "", amount: "", memo: "" }));
    setReview(null);
    setErrors({});
    setPhase("edit");
  }

  if (state.status === "success") {
    return (
      <div className="space-y-3">
        <RecentVerificationNote state={state} />
        <TransferReceiptCard receipt={state.data} onDone={startOver} />
      </div>
    );
  }

  const destinationLabel = (destination: string): string => {
    const [kind, id] = destination.split(":", 2);
    if (kind === "account") {
      const account = accounts.find((a) => a.id === id);
      return account ? `${account.name} (${account.maskedNumber})` : "—";
    }
    const payee = payees.find((p) => p.id === id);
    return payee ? `${payee.name}, ${payee.bankName} (${payee.maskedAccountNumber})` : "—";
  };

  /**
   * The dialog's lines for the server's stored payload: its ids named from this page's own
   * accounts and payees (unknown ids stay visible as stored), the amount in the payload's
   * currency, the memo. The idempotency key is left out: it says nothing to a person.
   */
  const describeTransfer = (payload: { [key: string]: JsonValue }): PayloadLine[] => {
    const text = (value: JsonValue | undefined) => (typeof value === "string" ? value : "");
    const account = accounts.find((a) => a.id === payload.fromAccountId);
    const to = typeof payload.toAccountId === "string" ? `account:${payload.toAccountId}` : `payee:${text(payload.payeeId)}`;
    const currency = text(payload.currency);
    const toLabel = destinationLabel(to);
    return [
      { label: "Amount", value: currency && text(payload.amountMinor) ? formatMoney(text(payload.amountMinor), currency) : text(payload.amountMinor) },
      { label: "From", value: account ? `${account.name} (${account.maskedNumber})` : text(payload.fromAccountId) },
      { label: "To", value: toLabel === "—" ? text(payload.toAccountId ?? payload.payeeId ?? null) : toLabel },
      ...(text(payload.memo) ? [{ label: "Memo", value: text(payload.memo) }] : []),
    ];
  };

  const fieldId = (key: string) => `${formId}-${key}`;
  const ariaDescribedBy = (key: string, hint = false) => describedBy(fieldId(key), shownErrors, key, hint);

  return (
    <div className="rounded-xl border border-black/5 bg-white p-6 shadow-sm">
      {shownPhase === "edit" ? (
        <form noValidate onSubmit={onReview} aria-labelledby={`${formId}-heading`} className="space-y-5">
          <h2 id={`${formId}-heading`} className="text-lg font-semibold">
            New transfer
          </h2>
          <ErrorSummary ref={summary} errors={shownErrors} labels={FIELDS.map(({ key, label, linked }) => ({ key, label, id: linked ? fieldId(key) : undefined }))} />

          <Field id={fieldId("fromAccountId")} label="From" errors={shownErrors.fromAccountId}>
            <select
              id={fieldId("fromAccountId")}
              name="fromAccountId"
              value={values.fromAccountId}
              onChange={(event) => update("fromAccountId", event.target.value)}
              aria-invalid={shownErrors.fromAccountId ? true : undefined}
              aria-describedby={ariaDescribedBy("fromAccountId")}
              className={inputClass}
            >
              {sources.length === 0 ? <option value="">No account can send transfers</option> : null}
              {sources.map((account) => (
                <option key={account.id} value={account.id}>
                  {`${account.name} (${account.maskedNumber}) · ${formatMoney(account.balanceMinor, account.currency)}`}
                </option>
              ))}
            </select>
          </Field>

          <Field id={fieldId("destination")} label="To" errors={shownErrors.destination}>
            <select
              id={fieldId("destination")}
              name="destination"
              value={values.destination}
              onChange={(event) => update("destination", event.target.value)}
              aria-invalid={shownErrors.destination ? true : undefined}
              aria-describedby={ariaDescribedBy("destination")}
              className={inputClass}
            >
              <option value="">Choose an account or payee</option>
              <optgroup label="Your accounts">
                {accounts
                  .filter((account) => account.id !== values.fromAccountId)
                  .map((account) => (
                    <option key={account.id} value={`account:${account.id}`}>
                      {`${account.name} (${account.maskedNumber})`}
                    </option>
                  ))}
              </optgroup>
              {payees.length > 0 ? (
                <optgroup label="Payees">
                  {payees.map((payee) => (
                    <option key={payee.id} value={`payee:${payee.id}`}>
                      {`${payee.name}, ${payee.bankName} (${payee.maskedAccountNumber})`}
                    </option>
                  ))}
                </optgroup>
              ) : null}
            </select>
          </Field>

          <Field id={fieldId("amount")} label={`Amount (${currency})`} errors={shownErrors.amount}>
            <input
              id={fieldId("amount")}
              name="amount"
              inputMode="decimal"
              autoComplete="off"
              value={values.amount}
              onChange={(event) => update("amount", event.target.value)}
              aria-invalid={shownErrors.amount ? true : undefined}
              aria-describedby={ariaDescribedBy("amount", true)}
              className={`${inputClass} tabular-nums`}
            />
            <p id={`${fieldId("amount")}-hint`} className="mt-1 text-xs text-muted">
              For example 1,234.56. {stepUpHint ? null : stepUpNote}
            </p>
            <p role="status" data-testid="transfer-step-up-hint" className="mt-1 text-sm">
              {stepUpHint === null ? null : stepUpHint.authContext === null ? (
                "This transfer runs without asking you to verify."
              ) : (
                <>
                  {`You'll be asked to verify with ${stepUpHint.asks}: ${stepUpHint.because}.`}
                  <Suspense fallback={null}>
                    <MissingMethodNote methods={methods} policySet={policySet} authContext={stepUpHint.authContext} />
                  </Suspense>
                </>
              )}
            </p>
          </Field>

          <Field id={fieldId("memo")} label="Memo (optional)" errors={shownErrors.memo}>
            <input
              id={fieldId("memo")}
              name="memo"
              autoComplete="off"
              maxLength={MEMO_MAX_LENGTH * 2}
              value={values.memo}
              onChange={(event) => update("memo", event.target.value)}
              aria-invalid={shownErrors.memo ? true : undefined}
              aria-describedby={ariaDescribedBy("memo")}
              className={inputClass}
            />
          </Field>

          <div className="flex justify-end">
            {/* Disabled until hydrated: before that the browser would submit the form to this URL itself. */}
            <button type="submit" disabled={!hydrated} className={primaryButton}>
              Review transfer
            </button>
          </div>
        </form>
      ) : review ? (
        <section aria-labelledby={`${formId}-review`} className="space-y-5">
          <h2 id={`${formId}-review`} ref={reviewHeading} tabIndex={-1} className="text-lg font-semibold focus:outline-none">
            Review your transfer
          </h2>
          <p className="text-sm text-muted">This is exactly what will be sent. {stepUpNote}</p>
          <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 rounded-md bg-surface p-4 text-sm">
            <dt className="text-muted">Amount</dt>
            <dd className="font-semibold tabular-nums">{formatMoney(review.input.amountMinor, review.input.currency)}</dd>
            <dt className="text-muted">From</dt>
            <dd>{source ? `${source.name} (${source.maskedNumber})` : "—"}</dd>
            <dt className="text-muted">To</dt>
            <dd>{destinationLabel(values.destination)}</dd>
            <dt className="text-muted">Memo</dt>
            <dd>{review.input.memo ?? "—"}</dd>
          </dl>
          <p role="status" className="text-sm text-muted empty:hidden">
            {state.status === "running" ? "Sending your transfer…" : ""}
          </p>
          {state.status === "error" && !state.challenge ? (
            <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
              {state.message}
            </p>
          ) : null}
          <div className="flex flex-wrap justify-end gap-2">
            <button
              type="button"
              aria-disabled={busy}
              onClick={() => {
                if (busy) return;
                stepUp.reset();
                setPhase("edit");
              }}
              className={secondaryButton}
            >
              Edit
            </button>
            <button
              type="button"
              // aria-disabled, not disabled: focus stays here, and the dialog returns it here.
              aria-disabled={busy}
              onClick={() => {
                if (!busy) void stepUp.run(review.request);
              }}
              className={primaryButton}
            >
              {state.status === "running" ? "Sending…" : state.status === "error" && !state.challenge ? "Try again" : "Send transfer"}
            </button>
          </div>
        </section>
      ) : null}
      <StepUpDialog stepUp={stepUp} sessionPurpose="" describePayload={describeTransfer} />
    </div>
  );
}
