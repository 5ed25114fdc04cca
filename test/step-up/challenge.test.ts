/**
 * lib/step-up/protocol.ts: Entra's claims challenge, built and parsed the way real headers
 * arrive (as Entra sends them, https://learn.microsoft.com/entra/identity-platform/claims-challenge: several headers, any parameter order, padded base64).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  bearerChallengeHeader,
  claimsChallenge,
  insufficientClaimsHeader,
  parseClaimsChallenges,
  parseWwwAuthenticate,
} from "../../lib/step-up/protocol";
import { authorizeEndpointOf } from "../../lib/env-schema";

const TENANT = "60aa9999-b070-45a9-b57a-58ec086ab606";
const AUTHORITY = { realm: TENANT, authorizationUri: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize` };

test("the claims challenge is Entra's exact JSON", () => {
  assert.equal(claimsChallenge("c1"), '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}');
});

// Microsoft Learn, "Claims challenges, claims requests and client capabilities", header format:
// authorization_uri, error and claims are required; a realm naming a tenant needs that tenant in
// authorization_uri (an empty realm belongs to the common endpoint).
test("the header carries every required parameter: realm (the tenant), authorization_uri (its authorize endpoint), error, claims", () => {
  assert.equal(
    insufficientClaimsHeader("c1", AUTHORITY),
    `Bearer realm="${TENANT}", authorization_uri="https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"`,
  );
  const [challenge] = parseWwwAuthenticate(insufficientClaimsHeader("c1", AUTHORITY));
  assert.ok(challenge?.params.authorization_uri?.includes(challenge.params.realm ?? "(none)"), "the realm's tenant is in authorization_uri");
  assert.equal(bearerChallengeHeader(), 'Bearer realm=""');
});

test("authorization_uri comes from the configured issuer, whichever host it names", () => {
  assert.equal(authorizeEndpointOf(`https://login.microsoftonline.com/${TENANT}/v2.0`), AUTHORITY.authorizationUri);
  assert.equal(authorizeEndpointOf(`https://localhost:8443/${TENANT.toUpperCase()}/v2.0/`), `https://localhost:8443/${TENANT}/oauth2/v2.0/authorize`);
});

test("what the header says round-trips through the parser", () => {
  for (const context of ["c1", "c2", "c3"] as const) {
    assert.deepEqual(parseClaimsChallenges(insufficientClaimsHeader(context, AUTHORITY)), [{ claims: claimsChallenge(context), acrs: [context], authorizationUri: AUTHORITY.authorizationUri }]);
  }
});

test("several headers, joined by fetch or given separately, each parsed", () => {
  const other = 'Basic realm="legacy"';
  const joined = new Headers();
  joined.append("WWW-Authenticate", other);
  joined.append("WWW-Authenticate", insufficientClaimsHeader("c2", AUTHORITY));
  assert.deepEqual(parseClaimsChallenges(joined).map((c) => c.acrs), [["c2"]]);
  assert.deepEqual(parseClaimsChallenges([other, insufficientClaimsHeader("c3", AUTHORITY)]).map((c) => c.acrs), [["c3"]]);
  assert.deepEqual(parseWwwAuthenticate(joined).map((c) => c.scheme), ["Basic", "Bearer"]);
});

test("parameters in any order, extra parameters, padded or url-safe base64, values arrays", () => {
  const json = '{"access_token":{"acrs":{"essential":true,"values":["c1","c2"]}}}';
  const padded = Buffer.from(json).toString("base64");
  assert.ok(padded.endsWith("="), "the fixture needs padding");
  const header = `Bearer claims="${padded}", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", realm="", cc_type="authcontext"`;
  assert.deepEqual(parseClaimsChallenges(header), [{ claims: json, acrs: ["c1", "c2"], authorizationUri: "https://login.microsoftonline.com/common/oauth2/authorize" }]);
  const unquotedUrlSafe = `Bearer error=insufficient_claims, claims=${Buffer.from(json).toString("base64url")}`;
  assert.deepEqual(parseClaimsChallenges(unquotedUrlSafe), [{ claims: json, acrs: ["c1", "c2"] }]);
});

test("quoted strings keep commas and escapes", () => {
  const [challenge] = parseWwwAuthenticate('Bearer realm="a, \\"b\\"", error="invalid_token"');
  assert.deepEqual(challenge, { scheme: "Bearer", params: { realm: 'a, "b"', error: "invalid_token" } });
});

test("no claims challenge in a plain Bearer, another error, or broken base64", () => {
  assert.deepEqual(parseClaimsChallenges(bearerChallengeHeader()), []);
  assert.deepEqual(parseClaimsChallenges('Bearer error="invalid_token"'), []);
  assert.deepEqual(parseClaimsChallenges('Bearer error="insufficient_claims", claims="%%%"'), []);
  assert.deepEqual(parseClaimsChallenges('Bearer error="insufficient_claims", claims="bm90IGpzb24="'), []);
  assert.deepEqual(parseClaimsChallenges(""), []);
  assert.deepEqual(parseClaimsChallenges(new Headers()), []);
});
