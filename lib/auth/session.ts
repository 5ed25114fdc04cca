import "server-only";
import { cache } from "react";
import { redirect } from "next/navigation";
import { auth } from "@/lib/auth/config";

/** The signed-in user as the portal's server code sees it. */
export interface PortalUser {
  /** The portal's user id: the key every `lib/data` function scopes by. */
  id: string;
  name: string | null;
  userPrincipalName: string | null;
  tenantId: string;
  objectId: string;
}

/** A live portal session. */
export interface PortalSession {
  sessionId: string;
  user: PortalUser;
  strength: { acrs: string[]; authTime: Date | null };
  expires: Date;
}

/**
 * The current session, or null. Cached per request (React `cache`), so a page and the
 * components it renders read the session row once.
 */
export const getSession = cache(async (): Promise<PortalSession | null> => {
  const session = await auth();
  if (!session?.user?.id || !session.sessionId) return null;
  return {
    sessionId: session.sessionId,
    user: session.user,
    strength: { acrs: session.strength.acrs, authTime: session.strength.authTime ? new Date(session.strength.authTime) : null },
    expires: new Date(session.expires),
  };
});

/**
 * The current session, or a redirect to the sign-in page. Every page and action asks this
 * itself: layouts and proxy.ts are not security boundaries.
 */
export async function requireSession(): Promise<PortalSession> {
  const session = await getSession();
  if (!session) redirect("/");
  return session;
}
