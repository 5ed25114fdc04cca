import { redirect } from "next/navigation";
import { Logo } from "@/components/ui/logo";
import { getSession } from "@/lib/auth/session";
import { signInAction } from "@/lib/auth/actions";

export default async function HomePage() {
  if (await getSession()) redirect("/dashboard");
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
