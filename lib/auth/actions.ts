"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { signIn, signOut, ENTRA_PROVIDER_ID } from "@/lib/auth/config";
import { getIdentityProviderMetadata } from "@/lib/auth/identity-provider";
import { env } from "@/lib/env";
import { clientIp, limitSignInAttempt } from "@/lib/rate-limit";

/**
 * Starts the OpenID Connect sign-in with the identity provider. Any portal session this browser
 * still has is ended first, so every sign-in creates a fresh session (new token, the new
 * sign-in's strength) and never runs over someone else's.
 */
export async function signInAction(): Promise<void> {
  // Counted like the callback it leads to (lib/auth/config.ts): per client address.
  if (!(await limitSignInAttempt(clientIp(await headers()))).allowed) redirect("/auth/error?error=RateLimited");
  await signOut({ redirect: false });
  await signIn(ENTRA_PROVIDER_ID, { redirectTo: "/dashboard" });
}

/**
 * Ends the portal session (the database row goes, so the cookie is dead everywhere), then the
 * identity provider's session through its front-channel logout, which returns to /signed-out.
 * If the identity provider cannot be reached, the portal session is still ended.
 */
export async function signOutAction(): Promise<void> {
  await signOut({ redirect: false });
  let target = "/signed-out";
  try {
    const { end_session_endpoint } = await getIdentityProviderMetadata();
    const url = new URL(end_session_endpoint);
    url.searchParams.set("client_id", env.AUTH_MICROSOFT_ENTRA_ID_ID);
    url.searchParams.set("post_logout_redirect_uri", `${env.AUTH_URL}/signed-out`);
    target = url.toString();
  } catch {
    target = "/signed-out?idp=unreachable";
  }
  redirect(target);
}
