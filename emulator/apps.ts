/**
 * App registrations the emulated tenant holds, built from the portal origin. The identifiers are
 * fixed by docs/contracts.md; the portal is built against them.
 */

/** Microsoft Graph's well-known application id: the audience of tokens for OIDC-only scopes. */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
/** Microsoft Graph's App ID URI: the `aud` of app-only Graph tokens (`scope=https://graph.microsoft.com/.default`). */
export const GRAPH_RESOURCE = "https://graph.microsoft.com";

/** Fixed identifiers from docs/contracts.md. */
export const IDS = {
  tenantId: "60aa9999-b070-45a9-b57a-58ec086ab606",
  webClientId: "290dbd3e-8e36-4c9e-9c8c-a8c8f27ecdc1",
  webClientSecret: "woodgrove-emulator-web-secret",
  spaClientId: "115cbd24-ca1d-442e-b2d1-5e6e4995c1c1",
  apiAppId: "2d748872-b3e5-47e0-9d03-badcd26bf489",
  apiIdentifierUri: "api://woodgrove-portal",
  /** The web app's service principal (enterprise application): `oid`/`sub` of its app-only tokens. */
  webServicePrincipalId: "5b1f0c3e-7d2a-4c61-9e0b-3f8a1d6c2e47",
  /** The emulator's own admin console (a confidential client of the emulator, emulator/console.ts). */
  consoleClientId: "c0a5e1f2-4b7d-4e3a-9c6b-8d2f1e0a7b35",
} as const;

/**
 * The tenant's verified domain: the directory's user names end with it, and the tenant can be
 * addressed by it as well as by its id (`/woodgrove.test/v2.0/...`), as Entra allows.
 */
export const TENANT_DOMAIN = "woodgrove.test";

/**
 * The app role the console requires (assigned in directory.json, or by `POST /__control/users`
 * with `roles`). A role of its own, not the portal's `Portal.Admin`: administering the identity
 * provider and administering the portal are different jobs.
 */
export const CONSOLE_ROLE = "Emulator.Admin";

/** Optional claims a resource (or client, for ID tokens) opted into. */
export type OptionalClaim = "acrs" | "auth_time" | "login_hint" | "xms_cc";

/** A client application registration. */
export interface ClientApp {
  clientId: string;
  displayName: string;
  /** `web` = confidential (secret, no CORS); `spa` = public, PKCE, cross-origin redemption only. */
  platform: "web" | "spa";
  secret?: string;
  /**
   * Where the authorize endpoint may send codes, and also the only places sign-out may return to:
   * Entra has no separate post-logout list, `post_logout_redirect_uri` must be one of these.
   */
  redirectUris: string[];
  /** ID-token optional claims (Entra's `optionalClaims.idToken`). */
  idTokenOptionalClaims: OptionalClaim[];
  /**
   * Application permissions granted with admin consent (Entra's `requiredResourceAccess` of type
   * `Role`, consented): the `roles` of the app's client-credentials tokens for that resource.
   */
  applicationPermissions: { resourceAppId: string; roles: string[] }[];
  /** Object id of the app's service principal, for app-only tokens (confidential clients only). */
  servicePrincipalId?: string;
}

/** A resource (API) registration. */
export interface ResourceApp {
  appId: string;
  displayName: string;
  identifierUri: string;
  scopes: string[];
  /** Only 2 is emulated: v2 access tokens with `aud` = app id GUID. */
  requestedAccessTokenVersion: 2;
  /** Access-token optional claims (Entra's `optionalClaims.accessToken`). */
  accessTokenOptionalClaims: OptionalClaim[];
  /**
   * Adds satisfied "by interval" contexts to `acrs` even when not requested (the documented
   * opportunistic behaviour). Off by default so `acrs` reflects exactly what was asked for.
   */
  opportunisticAcrs: boolean;
  /** App roles users can hold. */
  appRoles: string[];
}

/** The tenant's registrations. */
export interface AppRegistry {
  clients: ReadonlyMap<string, ClientApp>;
  api: ResourceApp;
  /** Origins allowed to redeem SPA tokens cross-origin (from the SPA's redirect URIs). */
  spaOrigins: ReadonlySet<string>;
  /** Origins pages may post forms or redirect to (CSP `form-action`). */
  redirectOrigins: ReadonlySet<string>;
}

/** The console's registration, known once the emulator listens (its redirect URI names the port). */
export interface ConsoleRegistration {
  /** The emulator's own origin, e.g. `https://localhost:8443`. */
  origin: string;
  /** A per-process secret: only the emulator itself redeems the console's codes. */
  secret: string;
}

/**
 * Builds the registrations for a portal origin such as `http://localhost:3000`, plus the admin
 * console's once the emulator's origin is known.
 */
export function buildApps(portalOrigin: string, consoleApp?: ConsoleRegistration): AppRegistry {
  const origin = portalOrigin.replace(/\/+$/, "");
  const web: ClientApp = {
    clientId: IDS.webClientId,
    displayName: "Woodgrove Step-Up Portal (web)",
    platform: "web",
    secret: IDS.webClientSecret,
    // The callback, and the page the portal's sign-out returns to (lib/auth/actions.ts), which a
    // real registration must list among its redirect URIs too (docs/real-tenant.md).
    redirectUris: [`${origin}/api/auth/callback/microsoft-entra-id`, `${origin}/signed-out`],
    // The portal learns the sign-in's strength from these (docs/real-tenant.md configures the
    // same optional claims on the real registration).
    idTokenOptionalClaims: ["acrs", "auth_time"],
    // The portal reads the sign-in logs, Conditional Access and its users' authentication methods
    // with an app-only token (docs/real-tenant.md grants the same permissions on the real registration).
    applicationPermissions: [{ resourceAppId: GRAPH_APP_ID, roles: ["AuditLog.Read.All", "Policy.Read.All", "UserAuthenticationMethod.Read.All"] }],
    servicePrincipalId: IDS.webServicePrincipalId,
  };
  const spa: ClientApp = {
    clientId: IDS.spaClientId,
    displayName: "Woodgrove Step-Up Portal (SPA)",
    platform: "spa",
    redirectUris: [`${origin}/auth/redirect-bridge`, `${origin}/`],
    // MSAL prefers the ID token's login_hint claim over the user name as the hint of later requests.
    idTokenOptionalClaims: ["login_hint"],
    applicationPermissions: [],
  };
  const api: ResourceApp = {
    appId: IDS.apiAppId,
    displayName: "Woodgrove Step-Up Portal API",
    identifierUri: IDS.apiIdentifierUri,
    scopes: ["access_as_user"],
    requestedAccessTokenVersion: 2,
    accessTokenOptionalClaims: ["acrs", "auth_time", "xms_cc"],
    opportunisticAcrs: false,
    appRoles: ["Portal.Admin"],
  };
  const consoleClient: ClientApp[] = consoleApp
    ? [
        {
          clientId: IDS.consoleClientId,
          displayName: "Entra emulator console",
          platform: "web",
          secret: consoleApp.secret,
          redirectUris: [`${consoleApp.origin}/console/callback`, `${consoleApp.origin}/console/signed-out`],
          idTokenOptionalClaims: [],
          applicationPermissions: [],
        },
      ]
    : [];
  const clients = new Map([web, spa, ...consoleClient].map((c) => [c.clientId, c]));
  const all = [web, spa].flatMap((c) => c.redirectUris);
  return {
    clients,
    api,
    spaOrigins: new Set(spa.redirectUris.map((u) => new URL(u).origin)),
    redirectOrigins: new Set(all.map((u) => new URL(u).origin)),
  };
}

/** The resource an access token audience names, for the sign-in log. */
export function resourceOf(apps: AppRegistry, audience: string): { id: string; displayName: string } {
  return audience === apps.api.appId ? { id: apps.api.appId, displayName: apps.api.displayName } : { id: GRAPH_APP_ID, displayName: "Microsoft Graph" };
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1"]);

/**
 * Whether `requested` names one of the client's registered redirect URIs. Exact match, except that
 * for `localhost` and `127.0.0.1` the port is ignored (Entra's "localhost exceptions", after RFC
 * 8252 §7.3 and §8.3, for every platform type): scheme, host, path and query must still match.
 * `[::1]` gets no exception, as in Entra.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/reply-url#localhost-exceptions
 */
export function isRegisteredRedirectUri(client: ClientApp, requested: string): boolean {
  if (client.redirectUris.includes(requested)) return true;
  let url: URL;
  try {
    url = new URL(requested);
  } catch {
    return false;
  }
  if (!LOOPBACK_HOSTS.has(url.hostname) || url.username || url.password || url.hash) return false;
  const withoutPort = (u: URL) => `${u.protocol}//${u.hostname}${u.pathname}${u.search}`;
  return client.redirectUris.some((registered) => {
    const r = new URL(registered);
    return LOOPBACK_HOSTS.has(r.hostname) && withoutPort(r) === withoutPort(url);
  });
}
