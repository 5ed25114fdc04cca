import { describeStrength } from "@/lib/step-up/policy";
import { formatDateTime } from "@/lib/format";

/** How strongly the session is authenticated, from its `acrs` and `auth_time`. */
export function StrengthBadge({ acrs, authTime }: { acrs: readonly string[]; authTime: Date | null }) {
  const strength = describeStrength(acrs);
  return (
    <p className="flex items-center justify-end gap-1.5 text-xs text-muted" data-testid="session-strength">
      <span aria-hidden="true" className={`inline-block h-2 w-2 rounded-full ${strength.multiFactor ? "bg-brand-600" : "bg-amber-500"}`} />
      <span>
        <span className="sr-only">Sign-in strength: </span>
        {strength.label}
        {authTime ? <span className="hidden sm:inline"> · verified {formatDateTime(authTime)}</span> : null}
      </span>
    </p>
  );
}
