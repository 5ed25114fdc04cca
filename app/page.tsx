import { redirect } from "next/navigation";
import { Logo } from "@/components/ui/logo";
import { getSession, getSessionEndReason, SESSION_END_REASONS, type SessionEndReason } from "@/lib/auth/session";
import { signInAction } from "@/lib/auth/actions";
import { env } from "@/lib/env";

export default async function HomePage({ searchParams }: { searchParams: Promise<{ ended?: string | string[] }> }) {
  if (await getSession()) redirect("/dashboard");
  const { ended } = await searchParams;
  // The redirect's reason first: it was decided when the session was met, and proxy.ts has cleared
  // the dead cookie since. A cookie that still names an ended session (a bookmark of this page)
  // tells it too. The parameter only selects one of the fixed messages below.
  const reason = SESSION_END_REASONS.find((r) => r === ended) ?? (await getSessionEndReason());
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-5xl flex-col justify-center gap-10 px-6 py-16 md:flex-row md:items-center">
      <section className="flex-1 space-y-5">
        <Logo className="text-brand-700 text-xl" />
        <h1 className="text-4xl font-semibold tracking-tight text-ink">Banking that asks for more only when it matters.</h1>
        <p className="max-w-prose text-lg text-muted">
          Browse your accounts with a normal sign-in. Revealing statements, moving large amounts or changing security settings asks you to
          verify again, with the method the bank&apos;s policy requires for that action.
        </p>
      </section>
      <section aria-labelledby="sign-in-heading" className="w-full max-w-sm rounded-2xl border border-black/5 bg-white p-8 shadow-sm">
        <h2 id="sign-in-heading" className="text-xl font-semibold">Sign in to online banking</h2>
        {reason ? <SessionEnded reason={reason} /> : null}
        <p className="mt-2 text-sm text-muted">You will continue on your organisation&apos;s Microsoft Entra ID sign-in page.</p>
        <form action={signInAction} className="mt-6">
          <button type="submit" className="w-full rounded-lg bg-brand-700 px-4 py-2.5 font-medium text-white hover:bg-brand-800">
            Sign in
          </button>
        </form>
      </section>
    </main>
  );
}

/** Why the person is back here: the portal ended their session, not something they did here. */
function SessionEnded({ reason }: { reason: SessionEndReason }) {
  const idle = `${env.SESSION_IDLE_MINUTES} minutes`;
  const lifetime = `${env.SESSION_ABSOLUTE_HOURS} hours`;
  const why = {
    idle: `You were signed out after ${idle} without activity.`,
    lifetime: `Sessions last at most ${lifetime}, so you were signed out.`,
    unknown: `You may have signed out on another device, been inactive for more than ${idle}, or reached the ${lifetime} a session can last.`,
  }[reason];
  return (
    <div role="status" className="mt-4 space-y-1 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm">
      <p className="font-medium">Your session ended. Sign in again to continue.</p>
      <p>{why}</p>
    </div>
  );
}
