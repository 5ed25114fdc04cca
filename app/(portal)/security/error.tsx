"use client";

import { PageError } from "@/components/ui/page-error";

/** An unexpected error under /security: a retry and a way back, never the error's text. */
export default function SecurityError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <PageError error={error} reset={reset} title="We couldn't load this page" />;
}
