import type { DefaultSession } from "next-auth";

/** The one place Auth.js's session type is augmented (lib/auth/config.ts builds it). */
declare module "next-auth" {
  interface Session {
    user: {
      id: string;
      name: string | null;
      tenantId: string;
      objectId: string;
      userPrincipalName: string | null;
    } & Omit<DefaultSession["user"], "id" | "name">;
    /** The session's authentication strength: `acrs` and `auth_time` asserted at sign-in. */
    strength: { acrs: string[]; authTime: string | null };
  }
}
