/**
 * classifyMsalError: what the step-up dialog tells a person for each way MSAL can fail. The
 * access_denied cases are the identity provider's own answers as MSAL.js surfaces them (a
 * ServerError whose errorMessage is the error_description; error_subcode is not read by MSAL.js).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyMsalError } from "../../lib/step-up/msal";

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
  assert.equal(classifyMsalError({ errorCode: "interaction_in_progress" }), "interaction_in_progress");
  assert.equal(classifyMsalError({ errorCode: "endpoints_resolution_error" }), "unreachable");
  assert.equal(classifyMsalError(Object.assign(new Error("Loading chunk 7 failed"), { name: "ChunkLoadError" })), "unreachable");
  assert.equal(classifyMsalError(new Error("anything else")), "failed");
  assert.equal(classifyMsalError(undefined), "failed");
});
