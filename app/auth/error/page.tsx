import type { Metadata } from "next";
import { Logo } from "@/components/ui/logo";
import { signInAction } from "@/lib/auth/actions";

export const metadata: Metadata = { title: "Sign-in problem" };

/**
 * Auth.js sends every sign-in failure here with a coarse `error` code. The page explains it in
 * plain words and offers a retry; details stay in the server log.
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
};

export default async function AuthErrorPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  const message = (error && messages[error]) || {
    title: "Something went wrong while signing you in",
    body: "Nothing was changed. Please try again.",
  };
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-6 px-6">
      <Logo className="text-brand-700 text-lg" />
      <div role="alert" className="space-y-2">
        <h1 className="text-2xl font-semibold">{message.title}</h1>
        <p className="text-muted">{message.body}</p>
      </div>
      <form action={signInAction}>
        <button type="submit" className="rounded-lg bg-brand-700 px-4 py-2 font-medium text-white hover:bg-brand-800">
          Try again
        </button>
      </form>
    </main>
  );
}
