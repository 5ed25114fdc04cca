import Link from "next/link";
import { SiteHeader } from "@/components/ui/site-header";
import type { PortalSession } from "@/lib/auth/session";

const sections = [
  { href: "/settings", label: "Profile" },
  { href: "/settings/payees", label: "Payees" },
  { href: "/settings/limits", label: "Limits" },
  { href: "/settings/security", label: "Security" },
] as const;

/** The frame of every settings page: header, the "Settings" heading, the sections' navigation. Protects nothing: each page asks for the session. */
export function SettingsShell({ session, current, children }: { session: PortalSession; current: (typeof sections)[number]["href"]; children: React.ReactNode }) {
  return (
    <>
      <SiteHeader session={session} current="/settings" />
      <main id="main" className="mx-auto max-w-4xl px-4 py-8 sm:px-6">
        <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
        <nav aria-label="Settings" className="mt-4 border-b border-black/10">
          <ul className="-mb-px flex flex-wrap gap-1">
            {sections.map((item) => (
              <li key={item.href}>
                <Link
                  href={item.href}
                  // Not prefetched, like the site header's links (components/ui/site-header.tsx says why).
                  prefetch={false}
                  aria-current={item.href === current ? "page" : undefined}
                  className="inline-block border-b-2 border-transparent px-3 py-2 text-sm font-medium text-muted hover:text-brand-800 aria-[current=page]:border-brand-700 aria-[current=page]:text-brand-800"
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="mt-8 space-y-10">
          {children}
        </div>
      </main>
    </>
  );
}
