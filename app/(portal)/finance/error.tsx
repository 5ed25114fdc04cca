"use client";

import { PageError } from "@/components/ui/page-error";

/** An unexpected error on a finance page: a retry and a way back, never the error's text. */
export default function FinanceError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <PageError error={error} reset={reset} title="We couldn't load this page" />;
}
