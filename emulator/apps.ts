/**
 * App registrations the emulated tenant holds, built from the portal origin. The identifiers are
 * fixed by docs/contracts.md; the portal is built against them.
 */

/** Microsoft Graph's well-known application id: the audience of tokens for OIDC-only scopes. */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

/** Fixed identifiers from docs/contracts.md. */
export const IDS = {
  tenantId: "60aa9999-b070-45a9-b57a-58ec086ab606",
  webClientId: "290dbd3e-8e36-4c9e-9c8c-a8c8f27ecdc1",
  webClientSecret: "woodgrove-emulator-web-secret",
  spaClientId: "115cbd24-ca1d-442e-b2d1-5e6e4995c1c1",
  apiAppId: "2d748872-b3e5-47e0-9d03-badcd26bf489",
  apiIdentifierUri: "api://woodgrove-portal",
} as const;

/** Optional claims a resource (or client, for ID tokens) opted into. */
export type OptionalClaim = "acrs" | "auth_time" | "xms_cc";

/** A client application registration. */
export interface ClientApp {
  clientId: string;
  displayName: string;
  /** `web` = confidential (secret, no CORS); `spa` = public, PKCE, cross-origin redemption only. */
  platform: "web" | "spa";
  secret?: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** ID-token optional claims (Entra's `optionalClaims.idToken`). */
  idTokenOptionalClaims: OptionalClaim[];
}

/** A resource (API) registration. */
export interface ResourceApp {
  appId: string;
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

/** Builds the registrations for a portal origin such as `http://localhost:3000`. */
export function buildApps(portalOrigin: string): AppRegistry {
  const origin = portalOrigin.replace(/\/+$/, "");
  const web: ClientApp = {
    clientId: IDS.webClientId,
    displayName: "Woodgrove Step-Up Portal (web)",
    platform: "web",
    secret: IDS.webClientSecret,
    redirectUris: [`${origin}/api/auth/callback/microsoft-entra-id`],
    postLogoutRedirectUris: [`${origin}/`, `${origin}/signed-out`],
    // The portal learns the sign-in's strength from these (docs/real-tenant.md configures the
    // same optional claims on the real registration).
    idTokenOptionalClaims: ["acrs", "auth_time"],
  };
  const spa: ClientApp = {
    clientId: IDS.spaClientId,
    displayName: "Woodgrove Step-Up Portal (SPA)",
    platform: "spa",
    redirectUris: [`${origin}/auth/redirect-bridge`, `${origin}/`],
    // Entra accepts an SPA's redirect URIs as post-logout targets.
    postLogoutRedirectUris: [`${origin}/auth/redirect-bridge`, `${origin}/`, `${origin}/signed-out`],
    idTokenOptionalClaims: [],
  };
  const api: ResourceApp = {
    appId: IDS.apiAppId,
    identifierUri: IDS.apiIdentifierUri,
    scopes: ["access_as_user"],
    requestedAccessTokenVersion: 2,
    accessTokenOptionalClaims: ["acrs", "auth_time", "xms_cc"],
    opportunisticAcrs: false,
    appRoles: ["Portal.Admin"],
  };
  const clients = new Map([web, spa].map((c) => [c.clientId, c]));
  const all = [web, spa].flatMap((c) => [...c.redirectUris, ...c.postLogoutRedirectUris]);
  return {
    clients,
    api,
    spaOrigins: new Set(spa.redirectUris.map((u) => new URL(u).origin)),
    redirectOrigins: new Set(all.map((u) => new URL(u).origin)),
  };
}
