"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { signIn, signOut, ENTRA_PROVIDER_ID } from "@/lib/auth/config";
import { randomUUID } from "node:crypto";
import { getIdentityProviderMetadata } from "@/lib/auth/identity-provider";
import { authedAction } from "@/lib/step-up/server/protected-action";
import { success, type ActionResult } from "@/lib/actions/result";
import { msUntilIdleExpiry, requireSession } from "@/lib/auth/session";
import { endAllSessions } from "@/lib/data/sessions";
import { env } from "@/lib/env";
import { clientIp, limitSignInAttempt } from "@/lib/rate-limit";
import { staySignedInSchema } from "@/lib/validation/session";

/**
 * Starts the OpenID Connect sign-in with the identity provider. Any portal session this browser
 * still has is ended first, so every sign-in creates a fresh session (new token, the new
 * sign-in's strength) and never runs over someone else's.
 */
export async function signInAction(): Promise<void> {
  await startSignIn({});
}

/**
 * Starts a sign-in in which the identity provider asks for credentials again instead of reusing
 * its single sign-on session (`prompt=login`), so the person can sign in with another account.
 * Without it, someone the identity provider refused (blocked by Conditional Access, a disabled
 * account) is signed straight back in as the refused account and refused again, until they clear
 * their cookies. `prompt=login` rather than `prompt=select_account`: on a real tenant both let the
 * person choose another account, and `login` is the one the local emulator implements too, so the
 * way out is tested end to end.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
 */
export async function signInWithAnotherAccountAction(): Promise<void> {
  await startSignIn({ prompt: "login" });
}

async function startSignIn(authorizationParams: Record<string, string>): Promise<void> {
  // Counted like the callback it leads to (lib/auth/config.ts): per client address.
  if (!(await limitSignInAttempt(clientIp(await headers()))).allowed) redirect("/auth/error?error=RateLimited");
  await signOut({ redirect: false });
  await signIn(ENTRA_PROVIDER_ID, { redirectTo: "/dashboard" }, authorizationParams);
}

/**
 * Ends the portal session (the database row goes, so the cookie is dead everywhere), then the
 * identity provider's session through its front-channel logout, which returns to /signed-out.
 * If the identity provider cannot be reached, the portal session is still ended.
 */
export async function signOutAction(): Promise<void> {
  await signOut({ redirect: false });
  redirect(await identityProviderLogoutTarget());
}

/**
 * "Sign out everywhere": ends every portal session of this user (other browsers are signed out
 * on their next request), this one included, then the identity provider's session in this
 * browser. No step-up: it only takes access away, and someone who stole the session gains nothing
 * from it. (Sessions the identity provider keeps in other browsers are its own: a real tenant
 * revokes them with "Sign out everywhere" on the user's My Sign-ins page or Graph's
 * `revokeSignInSessions`, which needs a permission the portal does not hold.)
 */
export async function signOutEverywhereAction(): Promise<void> {
  const session = await requireSession();
  await endAllSessions(session.user, randomUUID());
  await signOut({ redirect: false });
  redirect(await identityProviderLogoutTarget());
}

const staySignedInCore = authedAction(staySignedInSchema, async ({ session }) => success({ expiresInMs: session ? msUntilIdleExpiry(session) : 0 }));

/**
 * "Stay signed in" in the idle warning (components/ui/idle-warning.tsx): any use of the session
 * slides its idle expiry (lib/auth/session.ts), so this only has to use it, and answers how long
 * the session now has. A session that has already ended redirects to the landing page, like any
 * other action.
 */
export async function staySignedInAction(input: unknown): Promise<ActionResult<{ expiresInMs: number }>> {
  return staySignedInCore(input);
}

async function identityProviderLogoutTarget(): Promise<string> {
  try {
    const { end_session_endpoint } = await getIdentityProviderMetadata();
    const url = new URL(end_session_endpoint);
    url.searchParams.set("client_id", env.AUTH_MICROSOFT_ENTRA_ID_ID);
    url.searchParams.set("post_logout_redirect_uri", `${env.AUTH_URL}/signed-out`);
    return url.toString();
  } catch {
    return "/signed-out?idp=unreachable";
  }
}
