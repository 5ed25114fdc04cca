import type { Metadata } from "next";
import { NotificationsForm } from "@/components/settings/notifications-form";
import { SettingsShell } from "@/components/settings/settings-shell";
import { requireSession } from "@/lib/auth/session";
import { getNotificationPreferences } from "@/lib/data/preferences";
import { updateNotificationPreferencesAction } from "./actions";

export const metadata: Metadata = { title: "Settings" };

/**
 * Profile: who the directory says you are (the name and user name come from the identity
 * provider's token at each sign-in; the portal does not edit them), and notification preferences.
 */
export default async function ProfileSettingsPage() {
  const session = await requireSession();
  const preferences = await getNotificationPreferences(session.user);
  return (
    <SettingsShell session={session} current="/settings">
      <section aria-labelledby="profile-heading" className="rounded-xl border border-black/5 bg-white p-6 shadow-sm">
        <h2 id="profile-heading" className="text-lg font-semibold">
          Profile
        </h2>
        <dl className="mt-4 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="text-muted">Name</dt>
          <dd>{session.user.name ?? "—"}</dd>
          <dt className="text-muted">User name</dt>
          <dd>{session.user.userPrincipalName ?? "—"}</dd>
        </dl>
        <p className="mt-4 text-sm text-muted">Your name and user name come from your organization&apos;s directory; to change them, ask your administrator.</p>
      </section>
      <NotificationsForm initial={preferences} action={updateNotificationPreferencesAction} />
    </SettingsShell>
  );
}
