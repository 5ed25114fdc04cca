import "server-only";
import { z } from "zod";
import { env } from "@/lib/env";
import type { GraphAuthenticationContext, GraphAuthenticationMethod, GraphPolicy, GraphSignIn } from "@/lib/identity/graph-types";
import { mergeSignIns, signInReads } from "@/lib/identity/sign-in-reads";

/**
 * The portal's Microsoft Graph client, with an app-only token: the web app's client credentials
 * (`scope=https://graph.microsoft.com/.default`), holding the application permissions
 * `AuditLog.Read.All` (sign-in logs), `Policy.Read.All` (Conditional Access) and
 * `UserAuthenticationMethod.Read.All` (which kinds of method a person has registered). No user's
 * token is ever used for Graph, and nothing here writes.
 *
 * Against the emulator, `ENTRA_GRAPH_URL` is the emulator's origin; against Entra ID,
 * https://graph.microsoft.com. The token is cached until a minute before it expires; every
 * failure (the token endpoint, Graph, a timeout) is a `GraphUnavailableError`, which pages turn
 * into a visible note instead of an error.
 */

/** Graph could not be asked (no token, not reachable, refused): callers degrade, never fail. */
export class GraphUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GraphUnavailableError";
  }
}

/** What the client needs; `createGraphClient()` with no argument reads it from the environment. */
export interface GraphClientOptions {
  tokenEndpoint: () => Promise<string>;
  clientId: string;
  clientSecret: string;
  graphUrl: string;
  fetch?: typeof fetch;
  /** Per request. */
  timeoutMs?: number;
  now?: () => number;
}

/** The reads the portal makes. */
export interface GraphClient {
  /**
   * User sign-ins matching a Graph `$filter`, interactive and non-interactive, newest first, at
   * most `maxEntries`. Two reads, as Entra serves the two kinds apart (lib/identity/sign-in-reads.ts):
   * v1.0 for the interactive ones, beta with the `signInEventTypes` filter for the rest; each
   * follows `@odata.nextLink`. Both or an error, never one kind alone: a caller joining a step-up
   * to its sign-in would otherwise conclude that a silent elevation never happened.
   */
  listSignIns(filter: string, maxEntries?: number): Promise<GraphSignIn[]>;
  listConditionalAccessPolicies(): Promise<GraphPolicy[]>;
  listAuthenticationContexts(): Promise<GraphAuthenticationContext[]>;
  /**
   * The authentication methods registered to the user with this object id (Graph's List methods,
   * https://learn.microsoft.com/graph/api/authentication-list-methods), each trimmed to its type
   * and id. The whole list or an error, never part of it: an answer that would page off Graph's
   * origin, or an entry without a type or id, is a `GraphUnavailableError`, because a caller
   * concludes from the list what the person does *not* have.
   */
  listAuthenticationMethods(userObjectId: string): Promise<GraphAuthenticationMethod[]>;
}

const tokenResponse = z.object({ access_token: z.string(), expires_in: z.coerce.number().optional() });
const page = z.object({ value: z.array(z.unknown()), "@odata.nextLink": z.string().optional() });
const authenticationMethod = z.object({ "@odata.type": z.string().regex(/^#microsoft\.graph\.\w+$/), id: z.string().min(1) });
/** Entra object ids are GUIDs; anything else is refused before it becomes part of a URL path. */
const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** More methods than anyone registers; a list that would go past it is treated as unreadable. */
const MAX_AUTHENTICATION_METHODS = 200;

/** Builds a client; see the module comment. */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  const fetcher = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const now = options.now ?? Date.now;
  let token: { value: string; expiresAt: number } | null = null;

  async function accessToken(): Promise<string> {
    if (token && token.expiresAt > now()) return token.value;
    const response = await fetcher(await options.tokenEndpoint(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: options.clientId, client_secret: options.clientSecret, scope: "https://graph.microsoft.com/.default" }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
      cache: "no-store",
    });
    if (!response.ok) throw new GraphUnavailableError(`the token endpoint answered ${response.status}`);
    const parsed = tokenResponse.safeParse(await response.json());
    if (!parsed.success) throw new GraphUnavailableError("the token endpoint's answer had no access token");
    // Renewed a minute early, so a token never expires between this check and Graph's.
    token = { value: parsed.data.access_token, expiresAt: now() + Math.max((parsed.data.expires_in ?? 3_600) - 60, 0) * 1000 };
    return token.value;
  }

  async function get(url: string): Promise<z.infer<typeof page>> {
    const response = await fetcher(url, { headers: { authorization: `Bearer ${await accessToken()}` }, signal: AbortSignal.timeout(timeoutMs), cache: "no-store" });
    if (response.status === 401) token = null;
    if (!response.ok) throw new GraphUnavailableError(`Graph answered ${response.status} for ${new URL(url).pathname}`);
    const parsed = page.safeParse(await response.json());
    if (!parsed.success) throw new GraphUnavailableError(`Graph's answer for ${new URL(url).pathname} was not a collection`);
    return parsed.data;
  }

  /**
   * Follows `@odata.nextLink` up to `maxEntries`. With `complete`, a list that cannot be read to
   * its end (past `maxEntries`, or a link this client will not follow) throws instead of being cut.
   */
  async function collect<T>(first: string, maxEntries: number, { complete = false } = {}): Promise<T[]> {
    const entries: T[] = [];
    let next: string | undefined = first;
    // Only links on Graph's own origin are followed: a nextLink elsewhere would carry the token away.
    while (next && entries.length < maxEntries && new URL(next).origin === new URL(options.graphUrl).origin) {
      const result: z.infer<typeof page> = await get(next);
      entries.push(...(result.value as T[]));
      next = result["@odata.nextLink"];
    }
    if (complete && (next !== undefined || entries.length > maxEntries)) throw new GraphUnavailableError(`Graph's answer for ${new URL(first).pathname} could not be read to its end`);
    return entries.slice(0, maxEntries);
  }

  const guarded =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error) {
        if (error instanceof GraphUnavailableError) throw error;
        throw new GraphUnavailableError(error instanceof Error ? `${error.name}: ${error.message}` : "unknown error");
      }
    };

  return {
    listSignIns: guarded(async (filter: string, maxEntries = 1_000) => {
      const lists = await Promise.all(signInReads(filter, maxEntries).map((read) => collect<GraphSignIn>(`${options.graphUrl}/${read.path}`, maxEntries)));
      return mergeSignIns(lists, maxEntries);
    }),
    listConditionalAccessPolicies: guarded(() => collect<GraphPolicy>(`${options.graphUrl}/v1.0/identity/conditionalAccess/policies`, 1_000)),
    listAuthenticationContexts: guarded(() => collect<GraphAuthenticationContext>(`${options.graphUrl}/v1.0/identity/conditionalAccess/authenticationContextClassReferences`, 1_000)),
    listAuthenticationMethods: guarded(async (userObjectId: string) => {
      if (!OBJECT_ID.test(userObjectId)) throw new GraphUnavailableError("a user's authentication methods are read by object id");
      const entries = await collect<unknown>(`${options.graphUrl}/v1.0/users/${userObjectId}/authentication/methods`, MAX_AUTHENTICATION_METHODS, { complete: true });
      return entries.map((entry): GraphAuthenticationMethod => {
        const parsed = authenticationMethod.safeParse(entry);
        if (!parsed.success) throw new GraphUnavailableError("Graph listed an authentication method without a type or id");
        return { "@odata.type": parsed.data["@odata.type"], id: parsed.data.id };
      });
    }),
  };
}

const discovery = z.object({ token_endpoint: z.url() });
let tokenEndpoint: Promise<string> | null = null;

/** The token endpoint from discovery, read once per process (a failure is retried next time). */
function discoveredTokenEndpoint(): Promise<string> {
  tokenEndpoint ??= (async () => {
    const response = await fetch(`${env.AUTH_MICROSOFT_ENTRA_ID_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000), cache: "no-store" });
    if (!response.ok) throw new GraphUnavailableError(`OpenID metadata answered ${response.status}`);
    return discovery.parse(await response.json()).token_endpoint;
  })().catch((error: unknown) => {
    tokenEndpoint = null;
    throw error;
  });
  return tokenEndpoint;
}

let shared: GraphClient | null = null;

/** The process's Graph client (one token cache for every request). */
export function getGraphClient(): GraphClient {
  shared ??= createGraphClient({
    tokenEndpoint: discoveredTokenEndpoint,
    clientId: env.AUTH_MICROSOFT_ENTRA_ID_ID,
    clientSecret: env.AUTH_MICROSOFT_ENTRA_ID_SECRET,
    graphUrl: env.ENTRA_GRAPH_URL,
  });
  return shared;
}

/** A Graph `$filter` string literal: single quotes doubled (OData), so a value cannot end the literal. */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
