import Link from "next/link";
import { HeaderMenu } from "@/components/ui/header-menu";
import { Logo } from "@/components/ui/logo";
import { StrengthBadge } from "@/components/ui/strength-badge";
import { SignOutButton } from "@/components/step-up/sign-out-button";
import { IdleWarning } from "@/components/ui/idle-warning";
import { signOutAction, staySignedInAction } from "@/lib/auth/actions";
import { isAdmin } from "@/lib/auth/roles";
import { msUntilIdleExpiry, type PortalSession } from "@/lib/auth/session";
import { env } from "@/lib/env";

/**
 * Navigation links are not prefetched (`prefetch={false}`). Every page behind sign-in is dynamic
 * (per person, per request) and has no loading boundary, so Next's default prefetch would fetch
 * only the shared layout, yet it costs the server a request per link (two, with the segment
 * cache) on every page view: each a session lookup in the proxy, for pages the person may never
 * open. A click renders the page in one round trip either way.
 */
const navigation = [
  { href: "/dashboard", label: "Overview" },
  { href: "/finance", label: "Finance" },
  { href: "/transfer", label: "Transfer" },
  { href: "/security", label: "Security activity" },
  { href: "/settings", label: "Settings" },
] as const;

/** Shown to admins only; the page itself checks the role again (this list protects nothing). */
const adminNavigation = [{ href: "/admin/policy-health", label: "Policy health" }] as const;

/**
 * The signed-in header: who you are, how strongly you are signed in, navigation, sign-out, and
 * the idle-timeout warning. The warning lives here rather than in the portal layout because every
 * page renders the header with the session it just read (and slid), while a layout is not
 * rendered again on client navigation and would count down from a stale expiry. On phones the
 * navigation and the account controls fold behind a menu button (HeaderMenu).
 */
export function SiteHeader({ session, current }: { session: PortalSession; current: string }) {
  return (
    <header className="border-b border-black/5 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-8 gap-y-3 px-6 py-4">
        <Link href="/dashboard" prefetch={false} className="text-brand-700" aria-label="Woodgrove Bank, overview">
          <Logo />
        </Link>
        <HeaderMenu>
          <nav aria-label="Main" className="w-full sm:order-3 md:order-none md:w-auto">
            <ul className="flex flex-col gap-1 sm:flex-row sm:flex-wrap">
              {[...navigation, ...(isAdmin(session) ? adminNavigation : [])].map((item) => (
                <li key={item.href}>
                  <Link
                    href={item.href}
                    prefetch={false}
                    aria-current={current === item.href ? "page" : undefined}
                    className="block rounded-md px-3 py-2 text-sm font-medium text-muted hover:bg-brand-50 hover:text-brand-800 aria-[current=page]:bg-brand-50 aria-[current=page]:text-brand-800 sm:inline"
                  >
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="flex items-center justify-between gap-4 border-t border-black/5 pt-3 sm:ml-auto sm:justify-start sm:border-0 sm:pt-0">
            <div className="sm:text-right">
              <p className="text-sm font-medium">{session.user.name ?? session.user.userPrincipalName}</p>
              <StrengthBadge strength={session.strength} />
            </div>
            <SignOutButton action={signOutAction} />
          </div>
        </HeaderMenu>
      </div>
      <IdleWarning
        key={session.expires.toISOString()}
        expiresInMs={msUntilIdleExpiry(session)}
        idleMinutes={env.SESSION_IDLE_MINUTES}
        action={staySignedInAction}
      />
    </header>
  );
}
