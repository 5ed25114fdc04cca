/**
 * classifyMsalError: what the step-up dialog tells a person for each way MSAL can fail. The
 * access_denied cases are the identity provider's own answers as MSAL.js surfaces them (a
 * ServerError whose errorMessage is the error_description; error_subcode is not read by MSAL.js).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Logger, ResponseHandler } from "@azure/msal-common";
import { classifyMsalError, needsInteraction } from "../../lib/step-up/client/msal";

const serverError = (errorCode: string, errorMessage: string, subError = "") => Object.assign(new Error(errorMessage), { errorCode, errorMessage, subError });

test("Cancel on the identity provider's page is 'cancelled'; a denied second factor is 'denied'", () => {
  assert.equal(classifyMsalError(serverError("access_denied", "AADSTS50074: The user cancelled the authentication. Trace ID: x")), "cancelled");
  assert.equal(classifyMsalError(serverError("access_denied", "The user canceled the sign-in.")), "cancelled");
  assert.equal(classifyMsalError(serverError("access_denied", "", "cancel")), "cancelled");
  assert.equal(classifyMsalError(serverError("access_denied", "AADSTS500121: Authentication failed during strong authentication request.")), "denied");
});

test("MSAL's own errors map to a way forward", () => {
  assert.equal(classifyMsalError({ errorCode: "user_cancelled" }), "cancelled");
  assert.equal(classifyMsalError({ errorCode: "empty_window_error" }), "popup_blocked");
  assert.equal(classifyMsalError({ errorCode: "popup_window_error" }), "popup_blocked");
  assert.equal(classifyMsalError({ errorCode: "timed_out" }), "timed_out");
  assert.equal(classifyMsalError({ errorCode: "endpoints_resolution_error" }), "unreachable");
  assert.equal(classifyMsalError(Object.assign(new Error("Loading chunk 7 failed"), { name: "ChunkLoadError" })), "unreachable");
  assert.equal(classifyMsalError(new Error("anything else")), "failed");
  assert.equal(classifyMsalError(undefined), "failed");
});

/** The error MSAL.js raises for a token endpoint error body (its own response validation). */
function msalErrorFor(body: Record<string, unknown>): unknown {
  const handler = new ResponseHandler("client", undefined as never, undefined as never, new Logger({}), undefined as never, null, null);
  try {
    handler.validateTokenResponse(body as never, "test", false);
  } catch (error) {
    return error;
  }
  return undefined;
}

const MFA_REQUIRED = "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access this resource.";

// What Entra's token endpoint answers a silent refresh that needs MFA or registration: Microsoft
// Learn's Conditional Access developer guide shows error=interaction_required with AADSTS50076;
// token requests are also answered invalid_grant (MSAL Java's exceptions page: go interactive),
// usually with suberror basic_action. Every form must lead to the dialog, never to an error state.
test("a silent refresh that needs MFA, in each form Entra answers it, falls back to the dialog", () => {
  const forms = [
    { error: "invalid_grant", error_codes: [50076], suberror: "basic_action", error_description: MFA_REQUIRED },
    { error: "invalid_grant", error_codes: [50079], suberror: "basic_action", error_description: "AADSTS50079: you must enroll in multi-factor authentication." },
    { error: "invalid_grant", error_codes: [50076], error_description: MFA_REQUIRED },
    { error: "interaction_required", error_codes: [50076], error_description: MFA_REQUIRED },
    { error: "invalid_grant", error_codes: [70043], error_description: "AADSTS70043: The refresh token has expired due to sign-in frequency checks." },
  ];
  for (const body of forms) {
    const error = msalErrorFor(body);
    assert.ok(error, JSON.stringify(body));
    assert.equal(needsInteraction(error), true, JSON.stringify(body));
  }
});

test("failures a person cannot fix by verifying keep their own error state", () => {
  for (const error of [{ errorCode: "no_network_connectivity" }, { errorCode: "endpoints_resolution_error" }, msalErrorFor({ error: "server_error", error_codes: [90033], status: 500 }), new Error("anything else"), undefined]) {
    assert.equal(needsInteraction(error), false, JSON.stringify(error));
  }
});
