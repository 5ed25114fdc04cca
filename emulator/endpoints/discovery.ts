import type { Emulator } from "../context.js";
import { AadError, aadErrorBody } from "../errors.js";
import { sendJson, type RequestContext } from "../http.js";
import { corsHeaders } from "./token.js";

/**
 * How a request addressed the tenant: by its id or verified domain (metadata names the tenant id),
 * or as `common` / `organizations` (metadata names that segment and the issuer is a template).
 */
export type TenantSegment = { kind: "tenant" } | { kind: "multi"; name: "common" | "organizations" };

/** The issuer template Entra publishes for `common` and `organizations`, `{tenantid}` unfilled. */
function issuerFor(emu: Emulator, tenant: TenantSegment): string {
  return tenant.kind === "tenant" ? emu.issuer : `${emu.origin}/{tenantid}/v2.0`;
}

/**
 * The v2.0 OpenID configuration, mirroring the fields Entra publishes. Entra omits
 * `code_challenge_methods_supported`; so does the emulator, so clients must not depend on it.
 * Endpoints the emulator does not serve (device code, Kerberos) are left out.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#fetch-the-openid-configuration-document
 */
export function openidConfiguration(emu: Emulator, ctx: RequestContext, tenant: TenantSegment): void {
  const base = `${emu.origin}/${tenant.kind === "tenant" ? emu.tenantId : tenant.name}`;
  sendJson(
    ctx.res,
    200,
    {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      // Entra also lists private_key_jwt, which the emulator does not accept.
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: issuerFor(emu, tenant),
      request_uri_parameter_supported: false,
      userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat",
        "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email",
      ],
      tenant_region_scope: tenant.kind === "tenant" ? "EU" : null,
      cloud_instance_name: "microsoftonline.com",
      cloud_graph_host_name: "graph.windows.net",
      msgraph_host: "graph.microsoft.com",
      rbac_url: "https://pas.windows.net",
    },
    { ...corsHeaders(emu, ctx, true), "Cache-Control": "max-age=86400, private" },
  );
}

/** `GET /{tenant}/discovery/v2.0/keys`: the JWKS, newest key first. */
export function jwks(emu: Emulator, ctx: RequestContext, tenant: TenantSegment): void {
  sendJson(ctx.res, 200, emu.keys.jwks(issuerFor(emu, tenant)), { ...corsHeaders(emu, ctx, true), "Cache-Control": "max-age=60, private" });
}

/**
 * `GET /common/discovery/instance?api-version=1.1&authorization_endpoint=…`: Entra's instance
 * discovery. For an authorize endpoint on the emulator's host it names that tenant's metadata and
 * the emulator's host as the only alias; for any other host it answers `invalid_instance` 50049,
 * as Entra does for a host it does not know. MSAL calls it only for an authority missing from
 * `knownAuthorities` (the portal lists the emulator's host, so it is not called).
 *
 * @see https://learn.microsoft.com/entra/identity-platform/msal-client-application-configuration#authority
 */
export function instanceDiscovery(emu: Emulator, ctx: RequestContext): void {
  const host = new URL(emu.origin).host;
  let endpoint: URL | undefined;
  try {
    endpoint = new URL(ctx.query().authorization_endpoint ?? "");
  } catch {
    endpoint = undefined;
  }
  const tenant = endpoint?.pathname.split("/")[1];
  if (!endpoint || endpoint.protocol !== "https:" || endpoint.host !== host || !tenant) {
    const err = new AadError("invalid_instance", 50049, "Unknown or invalid instance.");
    return sendJson(ctx.res, 400, aadErrorBody(err, emu.origin, undefined, new Date()), corsHeaders(emu, ctx, true));
  }
  sendJson(
    ctx.res,
    200,
    {
      tenant_discovery_endpoint: `${emu.origin}/${tenant}/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    },
    corsHeaders(emu, ctx, true),
  );
}
