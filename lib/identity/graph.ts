import "server-only";
import { AuthError, ConfidentialClientApplication, type AuthenticationResult, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from "@azure/msal-node";
import { z } from "zod";
import { env } from "@/lib/env";
import type { GraphAuthenticationContext, GraphAuthenticationMethod, GraphDirectoryAudit, GraphPolicy, GraphSignIn } from "@/lib/identity/graph-types";
import { mergeSignIns, signInReads } from "@/lib/identity/sign-in-reads";

/**
 * The portal's Microsoft Graph client, with an app-only token: the web app's client credentials
 * (`scope=https://graph.microsoft.com/.default`), holding the application permissions
 * `AuditLog.Read.All` (sign-in logs), `Policy.Read.All` (Conditional Access) and
 * `UserAuthenticationMethod.Read.All` (which kinds of method a person has registered). No user's
 * token is ever used for Graph, and nothing here writes.
 *
 * The app token comes from MSAL Node's client-credentials flow
 * (https://learn.microsoft.com/entra/msal/javascript/node/acquire-token-requests), against the
 * authority of the configured issuer (`AUTH_MICROSOFT_ENTRA_ID_ISSUER`), and is kept in MSAL's
 * in-memory cache, which renews it before it expires. The same code serves Entra ID and the
 * emulator: only the issuer and `ENTRA_GRAPH_URL` (the emulator's origin, or
 * https://graph.microsoft.com) differ. Every failure (the token endpoint, Graph, a timeout) is a
 * `GraphUnavailableError`, which pages turn into a visible note instead of an error.
 */

/** Graph could not be asked (no token, not reachable, refused): callers degrade, never fail. */
export class GraphUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GraphUnavailableError";
  }
}

/** What the client needs; `getGraphClient()` reads it from the environment. */
export interface GraphClientOptions {
  /** The OpenID Connect issuer, `https://<host>/<tenant>/v2.0`: MSAL's authority is its tenant path. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  graphUrl: string;
  /** For the token endpoint, its metadata and Graph alike. */
  fetch?: typeof fetch;
  /** Per request. */
  timeoutMs?: number;
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
  /**
   * Directory audit entries matching a Graph `$filter`, newest first, at most `maxEntries`
   * (Graph's List directoryAudits, https://learn.microsoft.com/graph/api/directoryaudit-list,
   * `AuditLog.Read.All`). Read to the end or an error: a caller listing what a person registered
   * must not show half of it.
   */
  listDirectoryAudits(filter: string, maxEntries?: number): Promise<GraphDirectoryAudit[]>;
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

const page = z.object({ value: z.array(z.unknown()), "@odata.nextLink": z.string().optional() });
const authenticationMethod = z.object({ "@odata.type": z.string().regex(/^#microsoft\.graph\.\w+$/), id: z.string().min(1) });
/** Entra object ids are GUIDs; anything else is refused before it becomes part of a URL path. */
const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** More methods than anyone registers; a list that would go past it is treated as unreadable. */
const MAX_AUTHENTICATION_METHODS = 200;

/** Graph's application permissions, as granted to the web app: the client-credentials scope. */
const GRAPH_SCOPES = ["https://graph.microsoft.com/.default"];

/**
 * MSAL's HTTP client: the fetch the Graph reads use, with the same per-request timeout and
 * `cache: "no-store"` (Next.js's fetch must never keep a token response). Node's fetch trusts
 * `NODE_EXTRA_CA_CERTS` like every TLS connection of the process, so the emulator's dev CA reaches
 * MSAL's requests the way it reaches Graph's. MSAL's own client has no timeout for POSTs.
 */
function msalNetworkClient(fetcher: typeof fetch, timeoutMs: number): INetworkModule {
  async function send<T>(url: string, method: "GET" | "POST", options: NetworkRequestOptions | undefined): Promise<NetworkResponse<T>> {
    const response = await fetcher(url, {
      method,
      headers: options?.headers,
      ...(method === "POST" ? { body: options?.body ?? "" } : {}),
      signal: AbortSignal.timeout(timeoutMs),
      cache: "no-store",
    });
    // MSAL reads its errors (invalid_client, AADSTS codes) from the JSON body of any status.
    return { status: response.status, headers: Object.fromEntries(response.headers), body: (await response.json()) as T };
  }
  return {
    sendGetRequestAsync: (url, options) => send(url, "GET", options),
    sendPostRequestAsync: (url, options) => send(url, "POST", options),
  };
}

/**
 * MSAL's authority for an Entra issuer: `https://<host>/<tenant>/v2.0` less its `/v2.0` (MSAL
 * reads the metadata at `<authority>/v2.0/.well-known/openid-configuration`, the issuer's own).
 */
function authorityOf(issuer: string): string {
  return issuer.replace(/\/+$/, "").replace(/\/v2\.0$/, "");
}

/** Builds a client; see the module comment. */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  const fetcher = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const msal = new ConfidentialClientApplication({
    auth: {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      authority: authorityOf(options.issuer),
      // The issuer's host is trusted as it is: no instance discovery at login.microsoftonline.com,
      // which would be a request to an outside host (and fails for the emulator's).
      knownAuthorities: [new URL(options.issuer).host],
    },
    system: { networkClient: msalNetworkClient(fetcher, timeoutMs) },
  });
  /** Set when Graph refused a token: the next one is asked for anew, not taken from MSAL's cache. */
  let refused = false;

  async function accessToken(): Promise<string> {
    const skipCache = refused;
    let result: AuthenticationResult | null;
    try {
      result = await msal.acquireTokenByClientCredential({ scopes: GRAPH_SCOPES, skipCache });
    } catch (error) {
      // MSAL's messages carry timestamps and trace ids; its error code says what went wrong.
      const reason = error instanceof AuthError ? error.errorCode : error instanceof Error ? error.name : "unknown error";
      throw new GraphUnavailableError(`the token endpoint gave no app token (${reason})`);
    }
    if (!result?.accessToken) throw new GraphUnavailableError("the token endpoint's answer had no access token");
    if (skipCache) refused = false;
    return result.accessToken;
  }

  async function get(url: string): Promise<z.infer<typeof page>> {
    const response = await fetcher(url, { headers: { authorization: `Bearer ${await accessToken()}` }, signal: AbortSignal.timeout(timeoutMs), cache: "no-store" });
    if (response.status === 401) refused = true;
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
    listDirectoryAudits: guarded(async (filter: string, maxEntries = 1_000) => {
      const query = new URLSearchParams(filter ? { $filter: filter, $top: String(Math.min(maxEntries, 1_000)) } : { $top: String(Math.min(maxEntries, 1_000)) });
      const entries = await collect<GraphDirectoryAudit>(`${options.graphUrl}/v1.0/auditLogs/directoryAudits?${query}`, maxEntries, { complete: true });
      return entries.sort((a, b) => Date.parse(b.activityDateTime) - Date.parse(a.activityDateTime));
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

let shared: GraphClient | null = null;

/** The process's Graph client (one MSAL token cache for every request). */
export function getGraphClient(): GraphClient {
  shared ??= createGraphClient({
    issuer: env.AUTH_MICROSOFT_ENTRA_ID_ISSUER,
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
