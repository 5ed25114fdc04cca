import "server-only";
import type { Adapter, AdapterSession, AdapterUser } from "next-auth/adapters";
import { prisma } from "@/lib/db";
import { takeSignInFacts, takeSignInStrength } from "@/lib/auth/sign-in-context";

/**
 * Auth.js database adapter for the portal. Written out instead of `@auth/prisma-adapter`
 * because three rules of this portal live exactly in these methods:
 *
 * - Users are keyed by Entra's (tenant id, object id), never by email: `getUserByEmail`
 *   always answers "no such user", so Auth.js can never link an account through a
 *   mutable, spoofable email claim (the "nOAuth" takeover), and `createUser` finds a seeded
 *   user by (tid, oid) instead of creating a duplicate.
 * - A session row records the sign-in's authentication strength (`acrs`, `auth_time`) as it
 *   is created; see sign-in-context.ts.
 * - A session has an absolute lifetime on top of Auth.js's idle expiry (`maxAge`, which
 *   Auth.js slides forward on use): past it, the session is deleted and treated as absent.
 */
export function portalAdapter(options: { absoluteLifetimeMs: number }): Adapter {
  return {
    async createUser(data) {
      const { tenantId, objectId, name, userPrincipalName } = data as AdapterUser & DirectoryIdentity;
      if (!tenantId || !objectId) throw new Error("createUser needs the directory identity (tid, oid)");
      const user = await prisma.user.upsert({
        where: { tenantId_objectId: { tenantId, objectId } },
        create: { tenantId, objectId, name: name ?? null, userPrincipalName: userPrincipalName ?? null },
        update: { name: name ?? null, userPrincipalName: userPrincipalName ?? null },
      });
      return toAdapterUser(user);
    },

    async getUser(id) {
      const user = await prisma.user.findUnique({ where: { id } });
      return user ? toAdapterUser(user) : null;
    },

    async getUserByEmail() {
      return null;
    },

    async getUserByAccount({ providerAccountId }) {
      // Resolved from the directory identity the provider account id carries, not from the
      // Account link table: a stale or wrong link can never route a sign-in to another user.
      const identity = parseProviderAccountId(providerAccountId);
      if (!identity) return null;
      const user = await prisma.user.findUnique({ where: { tenantId_objectId: identity } });
      return user ? toAdapterUser(user) : null;
    },

    async updateUser({ id, name }) {
      const user = await prisma.user.update({ where: { id }, data: { name: name ?? undefined } });
      return toAdapterUser(user);
    },

    async linkAccount(account) {
      // Auth.js links a new provider account to whoever is signed in when the callback arrives.
      // Signing in as someone else over an open session must never attach their identity to
      // this portal user (a takeover that would outlive sign-out), so a link is accepted only
      // when it is the user's own (tid, oid).
      const user = await prisma.user.findUnique({ where: { id: account.userId }, select: { tenantId: true, objectId: true } });
      if (!user || providerAccountIdOf(user) !== account.providerAccountId) {
        throw new Error("Refusing to link a different directory identity to this portal user");
      }
      // Only the link is kept: the portal calls no API with the sign-in's tokens, so storing
      // them would add risk and no value.
      await prisma.account.upsert({
        where: { provider_providerAccountId: { provider: account.provider, providerAccountId: account.providerAccountId } },
        create: { userId: account.userId, type: account.type, provider: account.provider, providerAccountId: account.providerAccountId },
        update: {},
      });
    },

    async createSession({ sessionToken, userId, expires }) {
      const strength = takeSignInStrength();
      const facts = takeSignInFacts();
      const session = await prisma.session.create({
        data: {
          sessionToken,
          userId,
          expires,
          acrs: JSON.stringify(strength.acrs),
          authTime: strength.authTime,
          roles: JSON.stringify(facts.roles),
          userAgent: facts.userAgent,
        },
      });
      return toAdapterSession(session);
    },

    async getSessionAndUser(sessionToken) {
      const row = await prisma.session.findUnique({ where: { sessionToken }, include: { user: true } });
      if (!row) return null;
      if (Date.now() - row.createdAt.getTime() > options.absoluteLifetimeMs) {
        await prisma.session.deleteMany({ where: { sessionToken } });
        return null;
      }
      return { session: toAdapterSession(row), user: toAdapterUser(row.user) };
    },

    async updateSession({ sessionToken, expires }) {
      const rows = await prisma.session.updateMany({ where: { sessionToken }, data: { expires } });
      if (rows.count === 0) return null;
      const row = await prisma.session.findUnique({ where: { sessionToken } });
      return row ? toAdapterSession(row) : null;
    },

    async deleteSession(sessionToken) {
      // deleteMany: signing out twice (two tabs) is not an error.
      await prisma.session.deleteMany({ where: { sessionToken } });
    },
  };
}

/**
 * The provider account id `profile()` gives Auth.js: `<oid>.<tid>`, the shape of MSAL's
 * home account id.
 */
export function providerAccountIdOf(identity: { tenantId: string; objectId: string }): string {
  return `${identity.objectId}.${identity.tenantId}`;
}

function parseProviderAccountId(value: string): { tenantId: string; objectId: string } | null {
  const match = /^([0-9a-f-]{36})\.([0-9a-f-]{36})$/i.exec(value);
  return match ? { objectId: match[1]!.toLowerCase(), tenantId: match[2]!.toLowerCase() } : null;
}

/** The Entra identity our `profile()` adds to Auth.js's user. */
export interface DirectoryIdentity {
  tenantId: string;
  objectId: string;
  userPrincipalName: string | null;
}

interface UserRow {
  id: string;
  name: string | null;
  tenantId: string;
  objectId: string;
  userPrincipalName: string | null;
}

function toAdapterUser(user: UserRow): AdapterUser & DirectoryIdentity {
  return {
    id: user.id,
    name: user.name,
    email: "",
    emailVerified: null,
    tenantId: user.tenantId,
    objectId: user.objectId,
    userPrincipalName: user.userPrincipalName,
  };
}

interface SessionRow {
  id: string;
  sessionToken: string;
  userId: string;
  expires: Date;
  acrs: string;
  authTime: Date | null;
  createdAt: Date;
}

/** The adapter session, plus the row's id and the strength recorded at sign-in. */
type PortalAdapterSession = AdapterSession & {
  id: string;
  acrs: string[];
  authTime: Date | null;
  createdAt: Date;
};

function toAdapterSession(row: SessionRow): PortalAdapterSession {
  return {
    id: row.id,
    sessionToken: row.sessionToken,
    userId: row.userId,
    expires: row.expires,
    acrs: parseAcrs(row.acrs),
    authTime: row.authTime,
    createdAt: row.createdAt,
  };
}

/** Reads the session row's `acrs` column (a JSON array); anything malformed is "none". */
export function parseAcrs(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}
