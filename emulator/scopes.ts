import type { AppRegistry } from "./apps.js";
import { GRAPH_APP_ID } from "./apps.js";
import { AadError } from "./errors.js";

const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

/** The outcome of resolving a `scope` parameter. */
export interface ResolvedScopes {
  /** OIDC scopes present (`openid`, `profile`, `email`, `offline_access`). */
  oidc: Set<string>;
  /** Access-token audience: the API's app id, or Microsoft Graph for OIDC-only requests. */
  audience: string;
  /** Scope names for `scp`. */
  scp: string[];
  /** The `scope` value of the token response. */
  responseScope: string;
}

/**
 * Resolves requested scopes to one resource, as the v2.0 endpoint does: OIDC scopes plus at most
 * one resource's scopes. OIDC-only requests yield a Graph `User.Read` access token.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/scopes-oidc
 */
export function resolveScopes(apps: AppRegistry, scope: string | undefined): ResolvedScopes {
  const requested = (scope ?? "").split(/\s+/).filter(Boolean);
  if (requested.length === 0) {
    throw new AadError("invalid_request", 900144, "The request body must contain the following parameter: 'scope'.");
  }
  const oidc = new Set(requested.filter((s) => OIDC_SCOPES.has(s)));
  const resourceScopes = requested.filter((s) => !OIDC_SCOPES.has(s));
  const api = apps.api;
  const prefixes = [`${api.identifierUri}/`, `${api.appId}/`];
  const scp = new Set<string>();
  let graph = false;
  for (const s of resourceScopes) {
    const prefix = prefixes.find((p) => s.startsWith(p));
    if (prefix) {
      const name = s.slice(prefix.length);
      if (name === ".default") api.scopes.forEach((x) => scp.add(x));
      else if (api.scopes.includes(name)) scp.add(name);
      else throw invalidScope(s);
    } else if (s === "User.Read" || s === "https://graph.microsoft.com/User.Read" || s === "https://graph.microsoft.com/.default") {
      graph = true;
    } else {
      throw invalidScope(s);
    }
  }
  if (graph && scp.size > 0) {
    throw new AadError(
      "invalid_request",
      28000,
      "Provided value for the input parameter scope is not valid because it contains more than one resource. Scope " +
        `${resourceScopes.join(" ")} is not valid.`,
    );
  }
  if (scp.size > 0) {
    const names = [...scp];
    return {
      oidc,
      audience: api.appId,
      scp: names,
      responseScope: [...names.map((n) => `${api.identifierUri}/${n}`), ...oidc].join(" "),
    };
  }
  const oidcForScp = [...oidc].filter((s) => s !== "offline_access");
  const scpGraph = [...oidcForScp, "User.Read"];
  return { oidc, audience: GRAPH_APP_ID, scp: scpGraph, responseScope: [...scpGraph, ...(oidc.has("offline_access") ? ["offline_access"] : [])].join(" ") };
}

function invalidScope(s: string): AadError {
  return new AadError(
    "invalid_scope",
    70011,
    `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${s} is not valid.`,
  );
}
