import type { Emulator } from "../context.js";
import { sendJson, type RequestContext } from "../http.js";
import { corsHeaders } from "./token.js";

/**
 * The v2.0 OpenID configuration, mirroring the fields Entra publishes. Entra omits
 * `code_challenge_methods_supported`; so does the emulator, so clients must not depend on it.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#fetch-the-openid-configuration-document
 */
export function openidConfiguration(emu: Emulator, ctx: RequestContext): void {
  const base = `${emu.origin}/${emu.tenantId}`;
  sendJson(
    ctx.res,
    200,
    {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: emu.issuer,
      request_uri_parameter_supported: false,
      userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat",
        "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email",
      ],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: "EU",
      cloud_instance_name: "microsoftonline.com",
      cloud_graph_host_name: "graph.windows.net",
      msgraph_host: "graph.microsoft.com",
      rbac_url: "https://pas.windows.net",
    },
    { ...corsHeaders(emu, ctx, true), "Cache-Control": "max-age=86400, private" },
  );
}

/** `GET /{tenant}/discovery/v2.0/keys`: the JWKS, newest key first. */
export function jwks(emu: Emulator, ctx: RequestContext): void {
  sendJson(ctx.res, 200, emu.keys.jwks(emu.issuer), { ...corsHeaders(emu, ctx, true), "Cache-Control": "max-age=60, private" });
}

/**
 * `GET /common/discovery/instance`: the instance-discovery answer MSAL asks for when the authority
 * is not in `knownAuthorities`. Cheap to serve, so MSAL works either way.
 */
export function instanceDiscovery(emu: Emulator, ctx: RequestContext): void {
  const host = new URL(emu.origin).host;
  sendJson(
    ctx.res,
    200,
    {
      tenant_discovery_endpoint: `${emu.origin}/${emu.tenantId}/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    },
    corsHeaders(emu, ctx, true),
  );
}
