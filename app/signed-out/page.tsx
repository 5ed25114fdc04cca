import Link from "next/link";
import type { Metadata } from "next";
import { Logo } from "@/components/ui/logo";

export const metadata: Metadata = { title: "Signed out" };

export default async function SignedOutPage({ searchParams }: { searchParams: Promise<{ idp?: string }> }) {
  const { idp } = await searchParams;
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-6 px-6">
      <Logo className="text-brand-700 text-lg" />
      <h1 className="text-2xl font-semibold">You have signed out</h1>
      <p className="text-muted">
        {idp === "unreachable"
          ? "Your Woodgrove session has ended. The sign-in service could not be reached, so you may still be signed in there: close your browser to end it."
          : "Your Woodgrove session and your sign-in session have both ended."}
      </p>
      <Link href="/" className="w-fit rounded-lg bg-brand-700 px-4 py-2 font-medium text-white hover:bg-brand-800">
        Sign in again
      </Link>
    </main>
  );
}
