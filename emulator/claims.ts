import { errors } from "./errors.js";

/** An `acrs` member of a claims request. */
export interface AcrsRequest {
  essential: boolean;
  values: string[];
}

/** The parts of one token-type member (`id_token` or `access_token`) the emulator honours. */
export interface TokenClaimsRequest {
  acrs?: AcrsRequest;
  authTime: boolean;
  xmsCc: string[];
}

/** A parsed OIDC `claims` request parameter. */
export interface ClaimsRequest {
  idToken: TokenClaimsRequest;
  accessToken: TokenClaimsRequest;
}

const EMPTY: ClaimsRequest = { idToken: { authTime: false, xmsCc: [] }, accessToken: { authTime: false, xmsCc: [] } };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseValues(member: Record<string, unknown>): string[] {
  const out: string[] = [];
  if ("value" in member) {
    if (typeof member.value !== "string") throw errors.badClaims();
    out.push(member.value);
  }
  if ("values" in member) {
    if (!Array.isArray(member.values) || !member.values.every((v) => typeof v === "string")) throw errors.badClaims();
    out.push(...(member.values as string[]));
  }
  return out;
}

function parseMember(input: unknown): TokenClaimsRequest {
  if (input === undefined || input === null) return { authTime: false, xmsCc: [] };
  if (!isObject(input)) throw errors.badClaims();
  const result: TokenClaimsRequest = { authTime: "auth_time" in input, xmsCc: [] };
  const acrs = input.acrs;
  if (acrs !== undefined && acrs !== null) {
    if (!isObject(acrs)) throw errors.badClaims();
    result.acrs = { essential: acrs.essential === true, values: [...new Set(parseValues(acrs))] };
  }
  const xmsCc = input.xms_cc;
  if (xmsCc !== undefined && xmsCc !== null) {
    if (!isObject(xmsCc)) throw errors.badClaims();
    result.xmsCc = [...new Set(parseValues(xmsCc))];
  }
  return result;
}

/**
 * Parses the `claims` parameter (URL-decoded JSON). Accepts both `"value"` and `"values"` forms for
 * `acrs`, as Entra's challenges use both. Anything not a JSON object of objects is AADSTS90014.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/claims-challenge
 */
export function parseClaims(raw: string | undefined): ClaimsRequest {
  if (raw === undefined || raw.trim() === "") return structuredClone(EMPTY);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw errors.badClaims();
  }
  if (!isObject(parsed)) throw errors.badClaims();
  return { idToken: parseMember(parsed.id_token), accessToken: parseMember(parsed.access_token) };
}

/** Contexts the client marked essential in either member: these drive prompting. */
export function essentialContexts(claims: ClaimsRequest): string[] {
  return [...new Set([claims.idToken, claims.accessToken].flatMap((m) => (m.acrs?.essential ? m.acrs.values : [])))];
}
