import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Page not found" };

/**
 * Any address the portal does not have. Next.js's built-in 404 styles itself with inline styles,
 * which the portal's Content Security Policy blocks (proxy.ts), so it would render unstyled; this
 * page uses the stylesheet like every other and says where to go. The overview asks for sign-in
 * when there is no session, so the one link serves both.
 */
export default function NotFound() {
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-xl flex-col justify-center px-6 py-16">
      <p className="text-sm font-medium text-brand-700">Woodgrove Bank</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">We can&apos;t find that page</h1>
      <p className="mt-2 text-muted">The address may be mistyped, or the page has moved. Nothing about your accounts has changed.</p>
      <div className="mt-6 flex flex-wrap gap-3">
        <Link href="/dashboard" className="rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800">
          Go to your overview
        </Link>
        <Link href="/" className="rounded-md px-4 py-2 text-sm font-medium text-brand-700 hover:bg-brand-50">
          Woodgrove home
        </Link>
      </div>
    </main>
  );
}
