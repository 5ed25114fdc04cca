"use client";

import { useEffect, useState } from "react";
import { StepUpDialog } from "@/components/step-up/step-up-dialog";
import { useStepUpAction, type StepUpAction } from "@/lib/step-up/client/use-step-up-action";
import { useHydrated } from "@/lib/use-hydrated";

/** What `prepareStatementDownloadAction` returns on success. */
export interface PreparedStatementDownload {
  url: string;
  fileName: string;
}

/** One month on offer. */
export interface StatementMonthOption {
  month: string;
  label: string;
}

type Format = "csv" | "pdf";

/**
 * Monthly statements as CSV and PDF (finance.viewStatements, session-bound). A download first
 * runs `prepareStatementDownloadAction` through the step-up hook, as "Show full number" does: an
 * unelevated session verifies in the dialog (or silently), the action's retry elevates it, and
 * only then does the browser fetch the file, whose route checks the same policy. So a person
 * never meets the route's 403, and within the elevation window a download needs no popup.
 */
export function StatementDownloads({
  accountId,
  accountName,
  months,
  action,
  sessionPurpose,
}: {
  accountId: string;
  accountName: string;
  months: readonly StatementMonthOption[];
  action: StepUpAction<PreparedStatementDownload>;
  sessionPurpose: string;
}) {
  const stepUp = useStepUpAction(action, { resumeKey: `statement-download:${accountId}` });
  const { state } = stepUp;
  const [requested, setRequested] = useState<{ month: string; format: Format } | null>(null);
  const hydrated = useHydrated();
  const busy = !hydrated || state.status === "running" || state.status === "verifying" || state.status === "challenge" || state.status === "resume";

  // A success is the server's go-ahead: fetch the file. The response is an attachment, so the page stays.
  useEffect(() => {
    if (state.status === "success") window.location.assign(state.data.url);
  }, [state]);

  const requestedLabel = requested ? `${months.find((option) => option.month === requested.month)?.label ?? requested.month} (${requested.format.toUpperCase()})` : "";

  return (
    <section aria-labelledby="statements-heading" className="rounded-xl border border-black/5 bg-white p-5 shadow-sm">
      <h2 id="statements-heading" className="text-lg font-semibold">
        Statements
      </h2>
      <p className="mt-1 text-sm text-muted">Monthly statements need a recent verification; one lasts a while, so further downloads don&apos;t ask again.</p>
      {months.length === 0 ? (
        <p className="mt-4 rounded-lg border border-dashed border-black/10 p-6 text-muted">No statements yet.</p>
      ) : (
        <ul className="mt-4 divide-y divide-black/5">
          {months.map((option) => (
            <li key={option.month} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <span className="text-sm">{option.label}</span>
              <span className="flex gap-2">
                {(["csv", "pdf"] as const).map((format) => {
                  const pending = busy && requested?.month === option.month && requested.format === format;
                  return (
                    <button
                      key={format}
                      type="button"
                      // aria-disabled, not disabled: the dialog returns focus here when it closes.
                      aria-disabled={busy}
                      aria-label={`Download the ${option.label} statement for ${accountName} as ${format.toUpperCase()}`}
                      onClick={() => {
                        if (busy) return;
                        setRequested({ month: option.month, format });
                        void stepUp.run({ accountId, month: option.month, format });
                      }}
                      className="rounded-md border border-black/10 px-3 py-1.5 text-sm font-medium text-brand-700 hover:bg-brand-50 aria-disabled:opacity-60"
                    >
                      {pending ? "Preparing…" : format.toUpperCase()}
                    </button>
                  );
                })}
              </span>
            </li>
          ))}
        </ul>
      )}
      <p role="status" className="mt-3 text-sm text-muted empty:hidden">
        {state.status === "success" ? `Your ${requestedLabel} statement is downloading.` : ""}
      </p>
      {state.status === "error" && !state.challenge ? (
        <p role="alert" className="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
          {state.message}
        </p>
      ) : null}
      {state.status === "invalid" ? (
        <p role="alert" className="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
          {Object.values(state.fieldErrors).flat().join(" ")}
        </p>
      ) : null}
      <StepUpDialog stepUp={stepUp} sessionPurpose={sessionPurpose} />
    </section>
  );
}
