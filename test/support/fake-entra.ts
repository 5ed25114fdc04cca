/**
 * The identity provider as the Graph client's MSAL sees it, for unit tests over a fake network:
 * an issuer, its OpenID metadata (read once per client) and its token endpoint. Tests answer the
 * token endpoint themselves (`isTokenRequest`), so they can refuse it or count its requests.
 */
const TENANT = "60aa9999-b070-45a9-b57a-58ec086ab606";
const ORIGIN = "https://idp.test";

/** The issuer the clients under test are configured with. */
export const ISSUER = `${ORIGIN}/${TENANT}/v2.0`;

const TOKEN_ENDPOINT = `${ORIGIN}/${TENANT}/oauth2/v2.0/token`;

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** The issuer's metadata, for its discovery URL; null for any other request. */
export function metadataAnswer(url: URL): Response | null {
  if (`${url.origin}${url.pathname}` !== `${ISSUER}/.well-known/openid-configuration`) return null;
  return json({
    issuer: ISSUER,
    authorization_endpoint: `${ORIGIN}/${TENANT}/oauth2/v2.0/authorize`,
    token_endpoint: TOKEN_ENDPOINT,
    jwks_uri: `${ORIGIN}/${TENANT}/discovery/v2.0/keys`,
    end_session_endpoint: `${ORIGIN}/${TENANT}/oauth2/v2.0/logout`,
  });
}

/** Whether a request is for the token endpoint. */
export function isTokenRequest(url: URL): boolean {
  return `${url.origin}${url.pathname}` === TOKEN_ENDPOINT;
}

/** A token endpoint's answer to a client-credentials request. */
export function tokenAnswer(accessToken = "t", expiresIn = 3600): Response {
  return json({ token_type: "Bearer", access_token: accessToken, expires_in: expiresIn, ext_expires_in: expiresIn });
}
