import { env } from "@/lib/env";
import { describeStrength } from "@/lib/step-up/policy";
import { formatDateTime } from "@/lib/format";
import type { PortalSession } from "@/lib/auth/session";

const timeOfDay = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

/**
 * How strongly the session is authenticated: the strongest of the sign-in's contexts and the
 * step-up elevations still in force, with when it was verified or until when it lasts.
 */
export function StrengthBadge({ strength }: { strength: PortalSession["strength"] }) {
  const elevated = strength.elevations[0];
  const described = describeStrength([...strength.acrs, ...strength.elevations.map((e) => e.context)], env.STEP_UP_POLICY_SET);
  const detail = elevated
    ? ` · until ${timeOfDay.format(elevated.expiresAt)} UTC`
    : strength.authTime
      ? ` · verified ${formatDateTime(strength.authTime)}`
      : "";
  return (
    <p className="flex items-center justify-end gap-1.5 text-xs text-muted" data-testid="session-strength">
      <span aria-hidden="true" className={`inline-block h-2 w-2 rounded-full ${described.multiFactor ? "bg-brand-600" : "bg-amber-500"}`} />
      <span>
        <span className="sr-only">Sign-in strength: </span>
        {described.label}
        {detail ? <span className="hidden sm:inline">{detail}</span> : null}
      </span>
    </p>
  );
}
