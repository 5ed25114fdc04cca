import "server-only";
import { notFound } from "next/navigation";
import { requireSession, type PortalSession } from "@/lib/auth/session";

/**
 * The portal's app roles. They arrive in the sign-in's ID token (`roles`, assigned to users on the
 * web app's registration: Enterprise applications > Users and groups) and are recorded on the
 * session row (lib/auth/adapter.ts), so a change in the directory counts from the next sign-in.
 */
const PORTAL_ADMIN_ROLE = "Portal.Admin";

/** Whether the session's sign-in carried the admin role. */
export function isAdmin(session: PortalSession): boolean {
  return session.roles.includes(PORTAL_ADMIN_ROLE);
}

/**
 * The session of an admin, or the same 404 an unknown page gets: a page that answered "forbidden"
 * would tell anyone signed in that it exists. Like `requireSession()`, every admin page and action
 * asks it itself.
 */
export async function requireAdminSession(): Promise<PortalSession> {
  const session = await requireSession();
  if (!isAdmin(session)) notFound();
  return session;
}
