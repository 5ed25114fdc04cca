import type { Metadata } from "next";
import { EndOtherSessions } from "@/components/settings/end-other-sessions";
import { SettingsShell } from "@/components/settings/settings-shell";
import { SignOutEverywhereButton } from "@/components/settings/sign-out-everywhere-button";
import { StepUpProvider } from "@/components/step-up/step-up-provider";
import { signOutEverywhereAction } from "@/lib/auth/actions";
import { requireSession } from "@/lib/auth/session";
import { listSessions } from "@/lib/data/sessions";
import { env, stepUpClientConfig } from "@/lib/env";
import { formatDateTime } from "@/lib/format";
import { ADD_A_METHOD_ANCHOR, REGISTER_IN_SIGN_IN_WINDOW } from "@/lib/step-up/methods";
import { describeStrength } from "@/lib/step-up/policy";
import { endOtherSessionsAction } from "../actions";

export const metadata: Metadata = { title: "Security · Settings" };

/**
 * Sign-in methods and sessions. Methods are the identity provider's: the page shows what this
 * sign-in proved, says how a passkey or another method is added (the transfer form links here
 * when a transfer needs a method the person lacks) and links to the identity provider's own page
 * (`ENTRA_SECURITY_INFO_URL`), where methods are changed. The portal reads only which kinds of
 * method a person has, for that hint (lib/identity/authentication-methods.ts); it lists none.
 */
export default async function SecuritySettingsPage() {
  const session = await requireSession();
  const sessions = await listSessions(session.user, session.sessionId);
  const strength = describeStrength([...session.strength.acrs, ...session.strength.elevations.map((e) => e.context)]);
  const others = sessions.filter((s) => !s.current).length;
  const { objectId, tenantId, userPrincipalName, name } = session.user;
  return (
    <SettingsShell session={session} current="/settings/security">
      <section aria-labelledby="methods-heading" className="rounded-xl border border-black/5 bg-white p-6 shadow-sm">
        <h2 id="methods-heading" className="text-lg font-semibold">
          Sign-in methods
        </h2>
        <dl className="mt-4 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="text-muted">This sign-in</dt>
          <dd>{strength.label}</dd>
          <dt className="text-muted">Last verified</dt>
          <dd>{session.strength.authTime ? formatDateTime(session.strength.authTime) : "Not reported by the identity provider"}</dd>
        </dl>
        <p className="mt-4 text-sm">
          Your passwords, authenticator apps and passkeys are kept by your organization&apos;s identity provider, not by Woodgrove.{" "}
          {env.ENTRA_SECURITY_INFO_URL ? (
            <a href={env.ENTRA_SECURITY_INFO_URL} target="_blank" rel="noopener noreferrer" className="font-medium text-brand-700 underline">
              Manage your sign-in methods<span className="sr-only"> (opens in a new tab)</span>
            </a>
          ) : (
            "Ask your administrator to add or change them."
          )}
        </p>
        <div id={ADD_A_METHOD_ANCHOR} className="mt-4">
          <h3 className="text-sm font-semibold">Adding a passkey or another method</h3>
          <p className="mt-1 text-sm">
            When an action needs a method your account doesn&apos;t have yet, {REGISTER_IN_SIGN_IN_WINDOW} as you verify. If you already have another method, such as an
            authenticator app, you confirm with it first.
          </p>
        </div>
      </section>

      <section aria-labelledby="sessions-heading" className="rounded-xl border border-black/5 bg-white p-6 shadow-sm">
        <h2 id="sessions-heading" className="text-lg font-semibold">
          Where you&apos;re signed in
        </h2>
        <div className="mt-4 overflow-x-auto">
          <table className="card-table w-full text-left text-sm">
            <caption className="sr-only">Your active sessions</caption>
            <thead className="text-muted">
              <tr>
                <th scope="col" className="py-2 pr-4 font-medium">Browser</th>
                <th scope="col" className="py-2 pr-4 font-medium">Signed in</th>
                <th scope="col" className="py-2 font-medium">Last active</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.id} className="border-t border-black/5">
                  <th scope="row" data-card="title" className="py-2 pr-4 font-medium">
                    {s.userAgent ?? "Unknown browser"}
                    {s.current ? <span className="ml-2 rounded bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-800">This device</span> : null}
                  </th>
                  <td data-label="Signed in" className="py-2 pr-4">{formatDateTime(s.createdAt)}</td>
                  <td data-label="Last active" className="py-2">{formatDateTime(s.lastSeenAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="mt-4 text-sm text-muted">
          {others === 0 ? "You're not signed in anywhere else." : `You're signed in ${others === 1 ? "in 1 other place" : `in ${others} other places`}.`} Signing out other sessions asks you to verify first;
          signing out everywhere also ends this session and your sign-in at the identity provider in this browser.
        </p>
        <div className="mt-4 flex flex-wrap items-start gap-3">
          <StepUpProvider config={stepUpClientConfig()} user={{ objectId, tenantId, userPrincipalName, name }}>
            <EndOtherSessions others={others} action={endOtherSessionsAction} />
          </StepUpProvider>
          <SignOutEverywhereButton action={signOutEverywhereAction} />
        </div>
      </section>
    </SettingsShell>
  );
}
