import type { Metadata } from "next";
import { Logo } from "@/components/ui/logo";
import { signInAction, signInWithAnotherAccountAction } from "@/lib/auth/actions";

export const metadata: Metadata = { title: "Sign-in problem" };

/**
 * Auth.js sends every sign-in failure here with a coarse `error` code. The page explains it in
 * plain words and offers a retry, and a sign-in with another account; details stay in the
 * server log.
 */
const messages: Record<string, { title: string; body: string }> = {
  Configuration: {
    title: "We can't reach the sign-in service",
    body: "The identity provider did not answer. This is usually temporary: try again in a moment.",
  },
  AccessDenied: {
    title: "Sign-in was not completed",
    body: "The sign-in was cancelled or refused. You can try again.",
  },
  Verification: {
    title: "That sign-in link has expired",
    body: "Start the sign-in again.",
  },
  RateLimited: {
    title: "Too many sign-in attempts",
    body: "Nothing was changed. Wait a minute, then try again.",
  },
};

/** What the AADSTS codes a person is most likely to meet mean, in plain words. */
const providerRefusals: Record<string, string> = {
  AADSTS53003: "Your organisation's access policies blocked this sign-in.",
  AADSTS50057: "This account is disabled.",
  AADSTS50053: "This account or sign-in method is temporarily locked after too many attempts.",
  AADSTS50074: "The sign-in was cancelled.",
  AADSTS500121: "The verification was declined.",
  AADSTS50079: "This account must register a second sign-in method first.",
};

export default async function AuthErrorPage({ searchParams }: { searchParams: Promise<{ error?: string; code?: string; correlation?: string }> }) {
  const { error, code, correlation } = await searchParams;
  // Only values in their exact formats are shown (see lib/auth/config.ts explainProviderRefusal).
  const aadsts = code && /^AADSTS\d{4,7}$/.test(code) ? code : undefined;
  const correlationId = correlation && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(correlation) ? correlation : undefined;
  const refused = error === "ProviderRefused";
  const message =
    refused
      ? {
          title: "The sign-in service refused this sign-in",
          body: (aadsts && providerRefusals[aadsts]) ?? "Your organisation's sign-in service did not let this sign-in through.",
        }
      : (error && Object.hasOwn(messages, error) ? messages[error] : undefined) || {
          title: "Something went wrong while signing you in",
          body: "Nothing was changed. Please try again.",
        };
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-6 px-6">
      <Logo className="text-brand-700 text-lg" />
      <div role="alert" className="space-y-2">
        <h1 className="text-2xl font-semibold">{message.title}</h1>
        <p className="text-muted">{message.body}</p>
        {aadsts || correlationId ? (
          <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded-lg border border-black/10 bg-white p-4 text-sm">
            {aadsts ? (
              <>
                <dt className="text-muted">Error code</dt>
                <dd className="font-mono">{aadsts}</dd>
              </>
            ) : null}
            {correlationId ? (
              <>
                <dt className="text-muted">Correlation ID</dt>
                <dd className="break-all font-mono">{correlationId}</dd>
              </>
            ) : null}
          </dl>
        ) : null}
        {aadsts || correlationId ? <p className="text-sm text-muted">If you contact support, give them these details.</p> : null}
      </div>
      {/* When the identity provider refused the account, a retry signs the same account in again
          (its single sign-on session remembers it) and is refused again: another account comes first. */}
      <div className="flex flex-wrap gap-3">
        <form action={refused ? signInWithAnotherAccountAction : signInAction}>
          <button type="submit" className="rounded-lg bg-brand-700 px-4 py-2 font-medium text-white hover:bg-brand-800">
            {refused ? "Sign in with another account" : "Try again"}
          </button>
        </form>
        <form action={refused ? signInAction : signInWithAnotherAccountAction}>
          <button type="submit" className="rounded-lg border border-black/10 px-4 py-2 font-medium hover:bg-surface">
            {refused ? "Try again" : "Sign in with another account"}
          </button>
        </form>
      </div>
    </main>
  );
}
