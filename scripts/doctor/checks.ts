/**
 * `npm run doctor`'s checks: is this configuration one the portal can sign in and step up with,
 * against the emulator or a real Entra ID tenant? Each check asks the identity provider the way
 * the portal will (discovery, keys, an authorize request with `prompt=none`, a client-credentials
 * token) and reads its answer, so a wrong client id, an unregistered redirect URI, a wrong secret
 * or a v1.0 token shows up here, with the fix, instead of as a failed sign-in.
 *
 * Pure apart from `fetch` (injectable for tests). No check changes anything at the identity
 * provider; none needs a person to sign in.
 */
import { createHash, randomBytes } from "node:crypto";
import { decodeJwt } from "jose";
import { authorizeEndpointOf, portalEnvSchema, type PortalEnv } from "../../lib/env-schema";
import type { GraphAuthenticationContext, GraphPolicy, GraphSignIn } from "../../lib/identity/graph-types";
import { contextEnforcement, unenforcedIssuances } from "../../lib/identity/policy-health";
import { mergeSignIns, signInReads, type SignInRead } from "../../lib/identity/sign-in-reads";
import { authContexts } from "../../lib/step-up/policy";

export type Status = "ok" | "warn" | "fail";

/** One line of the report. */
export interface Finding {
  check: string;
  status: Status;
  detail: string;
  /** What to change, when it is not ok. */
  fix?: string;
}

/** A fetch that does not follow redirects (authorize answers with one). */
export type DoctorFetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface DoctorOptions {
  fetch?: DoctorFetch;
  /** Per request; the identity provider should answer well within it. */
  timeoutMs?: number;
}

interface Discovery {
  issuer?: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  jwks_uri?: string;
  end_session_endpoint?: string;
  id_token_signing_alg_values_supported?: string[];
}

/** The identity provider's error code in an error response or page ("AADSTS50011" → 50011). */
function aadstsCode(text: string): number | null {
  const match = /AADSTS(\d{5,7})/.exec(text);
  return match ? Number(match[1]) : null;
}

function describeNetworkError(error: unknown, url: string): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? "";
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
    return `${url}: the TLS certificate is not trusted (${code}). For the emulator, run through \`npm run doctor\`, which trusts .data/certs (or set NODE_EXTRA_CA_CERTS).`;
  }
  if (code === "ECONNREFUSED") return `${url}: nothing is listening there (${code}).`;
  return `${url}: ${cause?.message ?? (error instanceof Error ? error.message : String(error))}`;
}

const isLoopback = (url: string) => ["localhost", "127.0.0.1", "[::1]"].includes(new URL(url).hostname);

/** `api://woodgrove-portal/access_as_user` → `api://woodgrove-portal`. */
export function apiResourceOf(scope: string): string {
  return scope.slice(0, scope.lastIndexOf("/"));
}

const base64url = (bytes: Buffer) => bytes.toString("base64url");

/**
 * Sends an authorize request with `prompt=none` and classifies the answer. A registered client
 * and redirect URI get a redirect back to that URI (with `login_required` or similar, as no one
 * is signed in); anything the identity provider cannot send back is shown on its own page with
 * an AADSTS code.
 */
async function probeAuthorize(
  fetcher: DoctorFetch,
  authorizationEndpoint: string,
  params: { clientId: string; redirectUri: string; scope: string },
): Promise<{ kind: "registered"; error: string | null; description: string | null } | { kind: "refused"; code: number | null; text: string }> {
  const verifier = base64url(randomBytes(32));
  const url = new URL(authorizationEndpoint);
  url.search = new URLSearchParams({
    client_id: params.clientId,
    response_type: "code",
    redirect_uri: params.redirectUri,
    scope: params.scope,
    response_mode: "query",
    prompt: "none",
    state: base64url(randomBytes(16)),
    nonce: base64url(randomBytes(16)),
    code_challenge: base64url(createHash("sha256").update(verifier).digest()),
    code_challenge_method: "S256",
  }).toString();
  const response = await fetcher(url.toString(), { redirect: "manual" });
  const location = response.headers.get("location");
  if (response.status >= 300 && response.status < 400 && location) {
    const target = new URL(location, url);
    if (`${target.origin}${target.pathname}` === params.redirectUri) {
      // Errors come in the query (response_mode=query) or, from some servers, the fragment.
      const answer = new URLSearchParams(target.search || target.hash.slice(1));
      return { kind: "registered", error: answer.get("error"), description: answer.get("error_description") };
    }
  }
  // A form_post page or an error page: its text carries the AADSTS code.
  const text = await response.text().catch(() => "");
  if (response.status === 200 && text.includes(params.redirectUri) && /<form[^>]+method="?post/i.test(text)) {
    const error = /name="error" value="([^"]*)"/.exec(text)?.[1] ?? null;
    return { kind: "registered", error, description: null };
  }
  return { kind: "refused", code: aadstsCode(text), text: text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").slice(0, 300) };
}

/** Answers that mean "registered, but no one is signed in": what a working setup returns to prompt=none. */
const NO_SESSION_ERRORS = new Set(["login_required", "interaction_required", "consent_required", "account_selection_required"]);

function authorizeFinding(
  check: string,
  probe: Awaited<ReturnType<typeof probeAuthorize>>,
  context: { clientVariable: string; clientId: string; redirectUri: string; platform: "Web" | "Single-page application"; scope: string },
): Finding {
  if (probe.kind === "registered") {
    if (probe.error === null || NO_SESSION_ERRORS.has(probe.error)) {
      return { check, status: "ok", detail: `client ${context.clientId} and redirect URI ${context.redirectUri} are registered (prompt=none answered ${probe.error ?? "with a code"})` };
    }
    if (probe.error === "invalid_scope" || /AADSTS(65005|70011|650053)/.test(probe.description ?? "")) {
      return {
        check,
        status: "fail",
        detail: `the identity provider refused the scope "${context.scope}": ${probe.description ?? probe.error}`,
        fix: "Expose the API scope on the API registration (Expose an API) and add it to this app's API permissions (docs/real-tenant.md).",
      };
    }
    return { check, status: "fail", detail: `unexpected answer: ${probe.error}: ${probe.description ?? ""}`.trim() };
  }
  switch (probe.code) {
    case 700016:
      return {
        check,
        status: "fail",
        detail: `client id ${context.clientId} is not an application in this tenant (AADSTS700016)`,
        fix: `Set ${context.clientVariable} to the Application (client) ID of the registration, in the issuer's tenant.`,
      };
    case 50011:
      return {
        check,
        status: "fail",
        detail: `redirect URI ${context.redirectUri} is not registered for ${context.clientId} (AADSTS50011)`,
        fix: `Add ${context.redirectUri} under Authentication > ${context.platform} on that registration (or correct AUTH_URL).`,
      };
    default:
      return { check, status: "fail", detail: `the identity provider refused the request${probe.code ? ` (AADSTS${probe.code})` : ""}: ${probe.text}` };
  }
}

/**
 * Parses `source` as the portal would. Problems that only a production start refuses (secrets
 * published in this repository) are warnings, so a local configuration can still be checked
 * against its identity provider.
 */
export function checkConfiguration(source: Record<string, string | undefined>): { finding: Finding; env: PortalEnv | null } {
  const describe = (issues: readonly { path: readonly PropertyKey[]; message: string }[]) => issues.map((issue) => `${issue.path.map(String).join(".") || "(env)"} ${issue.message}`);
  const local = portalEnvSchema.safeParse({ ...source, NODE_ENV: "development" });
  if (!local.success) {
    return { env: null, finding: { check: "configuration", status: "fail", detail: describe(local.error.issues).join("; "), fix: "See .env.example and docs/real-tenant.md for each variable." } };
  }
  const production = portalEnvSchema.safeParse({ ...source, NODE_ENV: "production" });
  if (!production.success) {
    return {
      env: local.data,
      finding: { check: "configuration", status: "warn", detail: `fine for a local run, but a production start refuses: ${describe(production.error.issues).join("; ")}` },
    };
  }
  return { env: local.data, finding: { check: "configuration", status: "ok", detail: "every variable parses, for a production start too" } };
}

/** Runs every check in order; later checks are skipped (and say so) when what they need failed. */
export async function runDoctor(source: Record<string, string | undefined>, options: DoctorOptions = {}): Promise<Finding[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const baseFetch: DoctorFetch = options.fetch ?? ((url, init) => fetch(url, init));
  const fetcher: DoctorFetch = (url, init) => baseFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const findings: Finding[] = [];

  const { finding, env } = checkConfiguration(source);
  findings.push(finding);
  if (!env) return findings;

  const issuer = env.AUTH_MICROSOFT_ENTRA_ID_ISSUER.replace(/\/$/, "");
  const discoveryUrl = `${issuer}/.well-known/openid-configuration`;
  let discovery: Discovery;
  try {
    const response = await fetcher(discoveryUrl);
    if (!response.ok) {
      findings.push({
        check: "discovery",
        status: "fail",
        detail: `${discoveryUrl} answered ${response.status}`,
        fix: "AUTH_MICROSOFT_ENTRA_ID_ISSUER must be https://login.microsoftonline.com/<tenant id>/v2.0 (or the emulator's, with its tenant id).",
      });
      return findings;
    }
    discovery = (await response.json()) as Discovery;
  } catch (error) {
    findings.push({
      check: "discovery",
      status: "fail",
      detail: describeNetworkError(error, discoveryUrl),
      fix: /not trusted/.test(describeNetworkError(error, discoveryUrl))
        ? "Trust the identity provider's certificate authority (NODE_EXTRA_CA_CERTS)."
        : isLoopback(discoveryUrl)
          ? "Start the emulator (`npm run demo` starts it with the portal)."
          : "Check the issuer URL and this machine's network access to it.",
    });
    return findings;
  }
  const missing = (["authorization_endpoint", "token_endpoint", "jwks_uri"] as const).filter((key) => !discovery[key]);
  if (discovery.issuer !== issuer) {
    findings.push({
      check: "discovery",
      status: "fail",
      detail: `the document's issuer is ${discovery.issuer ?? "(none)"}, not ${issuer}: every token would fail the issuer check`,
      fix: "Use the issuer exactly as the discovery document states it (tenant id, not a domain name or 'common').",
    });
    return findings;
  }
  if (missing.length > 0) {
    findings.push({ check: "discovery", status: "fail", detail: `the document lacks ${missing.join(", ")}` });
    return findings;
  }
  // The API's claims challenges send clients to this endpoint (authorization_uri); it must be the real one.
  const challengeAuthorize = authorizeEndpointOf(issuer);
  if (discovery.authorization_endpoint!.toLowerCase() !== challengeAuthorize.toLowerCase()) {
    findings.push({
      check: "discovery",
      status: "fail",
      detail: `the document's authorization_endpoint is ${discovery.authorization_endpoint}, but the API's claims challenges name ${challengeAuthorize} as authorization_uri`,
      fix: "Use the issuer exactly as the discovery document states it; its authorize endpoint must be <issuer without /v2.0>/oauth2/v2.0/authorize.",
    });
    return findings;
  }
  findings.push({
    check: "discovery",
    status: discovery.id_token_signing_alg_values_supported?.includes("RS256") ? "ok" : "warn",
    detail: `issuer ${issuer} matches; signing algorithms: ${(discovery.id_token_signing_alg_values_supported ?? []).join(", ") || "not listed"}`,
  });

  try {
    const response = await fetcher(discovery.jwks_uri!);
    const jwks = (await response.json()) as { keys?: Array<{ kty?: string; kid?: string; use?: string; alg?: string }> };
    const usable = (jwks.keys ?? []).filter((key) => key.kty === "RSA" && key.kid && (key.use ?? "sig") === "sig" && (key.alg ?? "RS256") === "RS256");
    findings.push(
      usable.length > 0
        ? { check: "signing keys", status: "ok", detail: `${usable.length} RS256 signing key(s) at ${discovery.jwks_uri}` }
        : { check: "signing keys", status: "fail", detail: `no RS256 signing key with a kid at ${discovery.jwks_uri}` },
    );
  } catch (error) {
    findings.push({ check: "signing keys", status: "fail", detail: describeNetworkError(error, discovery.jwks_uri!) });
  }

  const webRedirect = `${env.AUTH_URL}/api/auth/callback/microsoft-entra-id`;
  findings.push(
    authorizeFinding(
      "web app sign-in",
      await probeAuthorize(fetcher, discovery.authorization_endpoint!, { clientId: env.AUTH_MICROSOFT_ENTRA_ID_ID, redirectUri: webRedirect, scope: "openid profile" }),
      { clientVariable: "AUTH_MICROSOFT_ENTRA_ID_ID", clientId: env.AUTH_MICROSOFT_ENTRA_ID_ID, redirectUri: webRedirect, platform: "Web", scope: "openid profile" },
    ),
  );

  findings.push(await checkSignOutReturn(fetcher, discovery.authorization_endpoint!, env));

  const spaRedirect = `${env.AUTH_URL}/auth/redirect-bridge`;
  const spaScope = `openid profile offline_access ${env.ENTRA_API_SCOPE}`;
  findings.push(
    authorizeFinding(
      "step-up client (SPA)",
      await probeAuthorize(fetcher, discovery.authorization_endpoint!, { clientId: env.ENTRA_SPA_CLIENT_ID, redirectUri: spaRedirect, scope: spaScope }),
      { clientVariable: "ENTRA_SPA_CLIENT_ID", clientId: env.ENTRA_SPA_CLIENT_ID, redirectUri: spaRedirect, platform: "Single-page application", scope: spaScope },
    ),
  );

  const credentials = await checkClientCredentials(fetcher, discovery.token_endpoint!, env);
  findings.push(...credentials);
  if (credentials.some((finding) => finding.check === "web app secret" && finding.status !== "ok")) return findings;
  findings.push(...(await checkConditionalAccess(fetcher, discovery.token_endpoint!, env)));
  return findings;
}

/**
 * Where sign-out returns: the portal sends `post_logout_redirect_uri=${AUTH_URL}/signed-out`
 * (lib/auth/actions.ts), and Entra follows it only when it is one of the web app's redirect URIs
 * (there is no separate list). A logout request cannot be probed without signing someone out, so
 * this asks the authorize endpoint whether that URI is registered, the way the sign-in checks do.
 * Missing, sign-out still ends both sessions but leaves the person on Microsoft's own page: a
 * warning, not a failure.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#send-a-sign-out-request
 */
async function checkSignOutReturn(fetcher: DoctorFetch, authorizationEndpoint: string, env: PortalEnv): Promise<Finding> {
  const check = "sign-out return";
  const signedOut = `${env.AUTH_URL}/signed-out`;
  const probe = await probeAuthorize(fetcher, authorizationEndpoint, { clientId: env.AUTH_MICROSOFT_ENTRA_ID_ID, redirectUri: signedOut, scope: "openid profile" });
  if (probe.kind === "registered") return { check, status: "ok", detail: `${signedOut} is a redirect URI of the web app, so sign-out returns to the portal` };
  if (probe.code === 50011) {
    return {
      check,
      status: "warn",
      detail: `${signedOut} is not a redirect URI of the web app: after sign-out people stay on the identity provider's page (Entra returns only to a registered redirect URI)`,
      fix: `Add ${signedOut} under Authentication > Web on the web app registration, beside the sign-in callback.`,
    };
  }
  return authorizeFinding(check, probe, { clientVariable: "AUTH_MICROSOFT_ENTRA_ID_ID", clientId: env.AUTH_MICROSOFT_ENTRA_ID_ID, redirectUri: signedOut, platform: "Web", scope: "openid profile" });
}

/**
 * The web app's secret, and the API's token version, with one client-credentials request for
 * the API's own resource (`<app id URI>/.default`): a wrong secret is refused outright, and the
 * token that comes back is minted as the API's manifest says (`ver`, `aud`).
 */
async function checkClientCredentials(fetcher: DoctorFetch, tokenEndpoint: string, env: PortalEnv): Promise<Finding[]> {
  const resource = apiResourceOf(env.ENTRA_API_SCOPE);
  let response: Response;
  try {
    response = await fetcher(tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: env.AUTH_MICROSOFT_ENTRA_ID_ID,
        client_secret: env.AUTH_MICROSOFT_ENTRA_ID_SECRET,
        scope: `${resource}/.default`,
      }).toString(),
    });
  } catch (error) {
    return [{ check: "web app secret", status: "fail", detail: describeNetworkError(error, tokenEndpoint) }];
  }
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string; error_codes?: number[] };
  const code = body.error_codes?.[0] ?? aadstsCode(body.error_description ?? "");
  if (!response.ok) {
    if (body.error === "invalid_client" || code === 7000215 || code === 7000222) {
      return [
        {
          check: "web app secret",
          status: "fail",
          detail: `the token endpoint refused the client secret${code ? ` (AADSTS${code})` : ""}: ${body.error_description ?? body.error ?? ""}`.trim(),
          fix: "Set AUTH_MICROSOFT_ENTRA_ID_SECRET to a current secret's Value (not its ID) from Certificates & secrets.",
        },
      ];
    }
    if (body.error === "unsupported_grant_type") {
      return [{ check: "web app secret", status: "warn", detail: "the identity provider does not offer client credentials, so the secret and the API's token version were not checked" }];
    }
    if (code === 700016) {
      return [{ check: "web app secret", status: "fail", detail: `client ${env.AUTH_MICROSOFT_ENTRA_ID_ID} is not in this tenant (AADSTS700016)`, fix: "Set AUTH_MICROSOFT_ENTRA_ID_ID to the web registration's client id." }];
    }
    // The secret was accepted, but the API resource could not be asked for a token.
    const secret: Finding = { check: "web app secret", status: "ok", detail: "accepted by the token endpoint" };
    if (code === 500011) {
      return [
        secret,
        {
          check: "API registration",
          status: "fail",
          detail: `no application in this tenant has the app ID URI ${resource} (AADSTS500011)`,
          fix: `Set the API registration's Application ID URI to ${resource}, or correct ENTRA_API_SCOPE.`,
        },
      ];
    }
    return [secret, { check: "API token version", status: "warn", detail: `could not obtain an app token for ${resource} to read its version: ${body.error_description ?? body.error ?? response.status}`, fix: "Check the API registration's manifest: requestedAccessTokenVersion must be 2." }];
  }
  const claims = decodeJwt(body.access_token ?? "");
  const findings: Finding[] = [{ check: "web app secret", status: "ok", detail: "accepted by the token endpoint" }];
  if (claims.ver !== "2.0") {
    findings.push({
      check: "API token version",
      status: "fail",
      detail: `tokens for ${resource} are version ${String(claims.ver)}; step-up proofs must be v2.0 (issuer and audience differ in v1.0)`,
      fix: 'Set "requestedAccessTokenVersion": 2 in the API registration\'s manifest.',
    });
  } else if (claims.aud !== env.ENTRA_API_CLIENT_ID) {
    findings.push({
      check: "API token version",
      status: "fail",
      detail: `tokens for ${resource} have audience ${String(claims.aud)}, not ENTRA_API_CLIENT_ID ${env.ENTRA_API_CLIENT_ID}`,
      fix: "Set ENTRA_API_CLIENT_ID to the client id of the registration that exposes ENTRA_API_SCOPE.",
    });
  } else {
    findings.push({ check: "API token version", status: "ok", detail: `v2.0 tokens with audience ${env.ENTRA_API_CLIENT_ID}` });
  }
  return findings;
}

/** The Graph permissions the portal's web app holds for these checks (and the policy-health page). */
const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

/**
 * `UserAuthenticationMethod.Read.All` is optional: with it the transfer form says, before anyone
 * sends, that a transfer needs a passkey the person does not have (lib/identity/authentication-methods.ts);
 * without it the form says nothing about that and the step-up works the same.
 */
function authenticationMethodsFinding(roles: readonly string[]): Finding {
  const check = "authentication methods";
  return roles.includes("UserAuthenticationMethod.Read.All") || roles.includes("UserAuthenticationMethod.ReadWrite.All")
    ? { check, status: "ok", detail: "the web app can read which kinds of sign-in method a person has: the transfer form warns before a transfer that needs a passkey they lack" }
    : {
        check,
        status: "warn",
        detail: "the web app cannot read people's authentication methods (no UserAuthenticationMethod.Read.All): the transfer form cannot warn that a transfer needs a passkey someone lacks; step-up still works",
        fix: "Optional: grant the web app the Microsoft Graph application permission UserAuthenticationMethod.Read.All, with admin consent (docs/real-tenant.md).",
      };
}

/**
 * Entra issues an authentication context in `acrs` whenever a client asks for it, whether or not
 * a Conditional Access policy enforces anything for it (https://learn.microsoft.com/entra/identity-platform/developer-guide-conditional-access-authentication-context): a context with no enforced
 * policy is a step-up that proves nothing. With Graph's `Policy.Read.All` this checks, for every
 * context the portal's policy table uses, that it is published and that an enabled policy with a
 * grant control targets it; with `AuditLog.Read.All`, it also counts the last day's sign-ins that
 * carried a context while no enforcing policy for it applied. Those are read the way the portal
 * reads them (lib/identity/sign-in-reads.ts): interactive ones from v1.0, non-interactive ones
 * (refresh tokens, where silent elevations happen) from beta, and each read is reported, because a
 * tenant can answer one and refuse the other. The same token's roles say whether the web app holds
 * the optional `UserAuthenticationMethod.Read.All`.
 */
async function checkConditionalAccess(fetcher: DoctorFetch, tokenEndpoint: string, env: PortalEnv): Promise<Finding[]> {
  const check = "authentication contexts";
  const response = await fetcher(tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: env.AUTH_MICROSOFT_ENTRA_ID_ID, client_secret: env.AUTH_MICROSOFT_ENTRA_ID_SECRET, scope: GRAPH_SCOPE }).toString(),
  }).catch(() => null);
  const body = response ? ((await response.json().catch(() => ({}))) as { access_token?: string; error_description?: string }) : {};
  if (!body.access_token) {
    return [{ check, status: "warn", detail: `no Microsoft Graph token for the web app, so Conditional Access was not checked: ${body.error_description ?? "no answer"}` }];
  }
  const roles = (decodeJwt(body.access_token).roles as string[] | undefined) ?? [];
  const findings: Finding[] = [authenticationMethodsFinding(roles)];
  if (!roles.includes("Policy.Read.All")) {
    findings.push({
      check,
      status: "warn",
      detail: "the web app cannot read Conditional Access (no Policy.Read.All), so whether each context is enforced was not checked",
      fix: "Grant the web app the Microsoft Graph application permissions Policy.Read.All and AuditLog.Read.All, with admin consent (docs/real-tenant.md).",
    });
    return findings;
  }
  const getUrl = async <T>(url: string): Promise<T> => {
    const answer = await fetcher(url, { headers: { authorization: `Bearer ${body.access_token}` } });
    if (!answer.ok) throw new Error(`GET ${new URL(url).pathname} answered ${answer.status}`);
    return (await answer.json()) as T;
  };
  const graph = <T>(path: string): Promise<T> => getUrl<T>(`${env.ENTRA_GRAPH_URL}/v1.0/${path}`);
  let contexts: GraphAuthenticationContext[];
  let policies: GraphPolicy[];
  try {
    contexts = (await graph<{ value: GraphAuthenticationContext[] }>("identity/conditionalAccess/authenticationContextClassReferences")).value;
    policies = (await graph<{ value: GraphPolicy[] }>("identity/conditionalAccess/policies")).value;
  } catch (error) {
    findings.push({ check, status: "warn", detail: `Microsoft Graph at ${env.ENTRA_GRAPH_URL}: ${error instanceof Error ? error.message : String(error)}`, fix: "Check ENTRA_GRAPH_URL (https://graph.microsoft.com for Entra ID)." });
    return findings;
  }

  // The same judgement as the admin "Policy health" page (lib/identity/policy-health.ts).
  const enforcement = contextEnforcement(Object.keys(authContexts), contexts, policies);
  const quoted = (list: { displayName: string }[]) => list.map((p) => `"${p.displayName}"`).join(", ");
  for (const context of enforcement) {
    const { id } = context;
    const name = `context ${id} (${authContexts[id as keyof typeof authContexts].label})`;
    switch (context.status) {
      case "unpublished":
        findings.push({ check, status: "fail", detail: `${name} is not published to apps in this tenant`, fix: `Create authentication context ${id} and tick "Publish to apps" (Conditional Access > Authentication contexts).` });
        break;
      case "enforced":
        findings.push({ check, status: "ok", detail: `${name} is enforced by ${quoted(context.enforcing)}${context.reportOnly.length ? `; report-only beside it: ${quoted(context.reportOnly)}` : ""}` });
        break;
      case "report_only":
        findings.push({
          check,
          status: "warn",
          detail: `${name} is targeted only by report-only ${quoted(context.reportOnly)}: tokens carry it although nothing was verified for it`,
          fix: "Turn the policy on once its report-only results look right (docs/real-tenant.md).",
        });
        break;
      case "unenforced":
        findings.push({
          check,
          status: "fail",
          detail: `no enabled policy with a grant control targets ${name}: Entra issues it to anyone who asks, so the step-up proves nothing`,
          fix: `Create a Conditional Access policy for authentication context ${id} (docs/real-tenant.md lists each one).`,
        });
        break;
    }
  }

  if (roles.includes("AuditLog.Read.All")) findings.push(...(await checkSignInLogs(getUrl, env, enforcement)));
  return findings;
}

/** Entries a doctor read takes from one kind of sign-in: a day of a busy tenant's step-ups. */
const DOCTOR_MAX_SIGN_INS = 5_000;
const KIND_TEXT: Record<SignInRead["kind"], string> = { interactive: "interactive sign-ins (v1.0)", nonInteractive: "non-interactive sign-ins (beta, signInEventTypes)" };

/**
 * The last day's sign-ins of the step-up client, both reads, each followed through
 * `@odata.nextLink` on Graph's origin: a failed read is its own warning; the verdict on unenforced
 * issuances is given only when both were read, since half the log could hide one.
 */
async function checkSignInLogs(getUrl: <T>(url: string) => Promise<T>, env: PortalEnv, enforcement: ReturnType<typeof contextEnforcement>): Promise<Finding[]> {
  const check = "sign-in logs";
  const since = new Date(Date.now() - 24 * 3_600_000).toISOString();
  const graphOrigin = new URL(env.ENTRA_GRAPH_URL).origin;
  type ReadResult = { read: SignInRead; entries: GraphSignIn[] } | { read: SignInRead; error: string };
  const results = await Promise.all(
    signInReads(`appId eq '${env.ENTRA_SPA_CLIENT_ID}' and createdDateTime ge ${since}`).map(async (read): Promise<ReadResult> => {
      try {
        const entries: GraphSignIn[] = [];
        let next: string | undefined = `${env.ENTRA_GRAPH_URL}/${read.path}`;
        while (next && entries.length < DOCTOR_MAX_SIGN_INS && new URL(next).origin === graphOrigin) {
          const page: { value: GraphSignIn[]; "@odata.nextLink"?: string } = await getUrl(next);
          entries.push(...page.value);
          next = page["@odata.nextLink"];
        }
        return { read, entries };
      } catch (error) {
        return { read, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
  const findings: Finding[] = results.flatMap((result) =>
    "error" in result
      ? [
          {
            check,
            status: "warn" as const,
            detail: `could not read the ${KIND_TEXT[result.read.kind]}: ${result.error}`,
            fix:
              result.read.kind === "nonInteractive"
                ? "Graph lists non-interactive sign-ins only on its beta endpoint; check that ENTRA_GRAPH_URL serves /beta and that AuditLog.Read.All is consented (docs/real-tenant.md)."
                : "Check AuditLog.Read.All (with admin consent) and the tenant's Entra ID P1 or P2 licence (docs/real-tenant.md).",
          },
        ]
      : [],
  );
  const read = results.flatMap((result) => ("entries" in result ? [result] : []));
  if (read.length < results.length) return findings;
  const counts = read.map((result) => `${result.entries.length} ${KIND_TEXT[result.read.kind]}`).join(" and ");
  const unenforced = unenforcedIssuances(mergeSignIns(read.map((result) => result.entries), 2 * DOCTOR_MAX_SIGN_INS), enforcement);
  findings.push(
    unenforced.length === 0
      ? { check, status: "ok", detail: `no step-up sign-in in the last 24 hours carried a context without an enforcing policy (read ${counts} of the step-up client)` }
      : {
          check,
          status: "warn",
          detail: `${unenforced.length} context issuance(s) in the last 24 hours with no enforcing policy applied, e.g. ${unenforced[0]!.context} (correlation id ${unenforced[0]!.correlationId})`,
          fix: "Those step-ups verified nothing; look the correlation id up in the sign-in logs.",
        },
  );
  return findings;
}
