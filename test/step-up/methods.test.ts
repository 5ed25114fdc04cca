/**
 * lib/step-up/methods.ts: which registered methods satisfy which authentication strength (the
 * portal's knowledge of the tenant's Conditional Access strengths), and what the transfer form
 * adds to its hint when a person has none the transfer's context accepts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { describeMissingMethod, summarizeMethods, REGISTER_IN_SIGN_IN_WINDOW, type MethodsSummary } from "../../lib/step-up/methods";
import { contextStrength, type AuthContextId, type PolicySetName } from "../../lib/step-up/policy";

const graph = (...types: string[]) => types.map((type) => ({ "@odata.type": `#microsoft.graph.${type}AuthenticationMethod` }));

test("each context's strength follows the policy sets: production's c2 is phishing-resistant, everything else any second factor", () => {
  const table = (set: PolicySetName) => (["c1", "c2", "c3"] as AuthContextId[]).map((id) => contextStrength(set, id));
  assert.deepEqual(table("production"), ["mfa", "phishingResistantMfa", "mfa"]);
  assert.deepEqual(table("staging"), ["mfa", "mfa", "mfa"]);
});

test("summaries: what each set of methods lacks, and what the person would confirm with first", () => {
  const cases: [string, ReturnType<typeof graph>, MethodsSummary][] = [
    ["password only", graph("password"), { lacks: ["mfa", "phishingResistantMfa"], confirmWith: null }],
    ["an email address is for password reset, no second factor", graph("password", "email"), { lacks: ["mfa", "phishingResistantMfa"], confirmWith: null }],
    ["an authenticator app (third-party TOTP)", graph("password", "softwareOath"), { lacks: ["phishingResistantMfa"], confirmWith: "your authenticator app" }],
    ["Microsoft Authenticator", graph("password", "microsoftAuthenticator"), { lacks: ["phishingResistantMfa"], confirmWith: "your authenticator app" }],
    ["a phone", graph("password", "phone"), { lacks: ["phishingResistantMfa"], confirmWith: "a code sent to your phone" }],
    ["an app and a phone", graph("password", "softwareOath", "phone"), { lacks: ["phishingResistantMfa"], confirmWith: "a method you already have" }],
    ["a passkey", graph("password", "fido2"), { lacks: [], confirmWith: "your passkey" }],
    ["Windows Hello for Business is phishing-resistant too", graph("password", "windowsHelloForBusiness"), { lacks: [], confirmWith: "Windows Hello" }],
    ["a platform credential too", graph("password", "platformCredential"), { lacks: [], confirmWith: "your device's sign-in" }],
    // A certificate's strength depends on the tenant's configuration: the portal claims nothing.
    ["a certificate", graph("password", "softwareOath", "x509Certificate"), { lacks: [], confirmWith: "a method you already have" }],
    ["a type Graph adds later", [{ "@odata.type": "#microsoft.graph.somethingNewAuthenticationMethod" }], { lacks: [], confirmWith: "a method you already have" }],
    ["a prototype's name is no type", [{ "@odata.type": "constructor" }], { lacks: [], confirmWith: "a method you already have" }],
  ];
  for (const [name, methods, expected] of cases) assert.deepEqual(summarizeMethods(methods), expected, name);
});

test("missing method: said for a person without a passkey when the context needs one, with who confirms first", () => {
  const megan = summarizeMethods(graph("password", "softwareOath"));
  assert.deepEqual(describeMissingMethod("production", "c2", megan), {
    sentence: `You have no passkey yet: when you verify, ${REGISTER_IN_SIGN_IN_WINDOW}, after you confirm with your authenticator app.`,
    linkText: "How to add a passkey",
  });
  assert.equal(describeMissingMethod("production", "c1", megan), null, "her app satisfies c1");
  assert.equal(describeMissingMethod("staging", "c2", megan), null, "staging's c2 is any second factor");

  const nestor = summarizeMethods(graph("password"));
  assert.deepEqual(describeMissingMethod("production", "c1", nestor), {
    sentence: `You have no second factor yet: when you verify, ${REGISTER_IN_SIGN_IN_WINDOW}.`,
    linkText: "How to add a second factor",
  });
  assert.equal(describeMissingMethod("production", "c2", nestor)?.sentence, `You have no passkey yet: when you verify, ${REGISTER_IN_SIGN_IN_WINDOW}.`);

  for (const methods of [graph("password", "fido2"), graph("password", "softwareOath", "fido2"), graph("password", "x509Certificate")]) {
    for (const context of ["c1", "c2", "c3"] as const) assert.equal(describeMissingMethod("production", context, summarizeMethods(methods)), null);
  }
});

test("missing method: nothing at all when the portal does not know the person's methods", () => {
  for (const set of ["production", "staging"] as const) {
    for (const context of ["c1", "c2", "c3"] as const) assert.equal(describeMissingMethod(set, context, null), null);
  }
});
