/**
 * acquireTokenInPopup: a popup takes over MSAL's "interaction in progress" mark only when this
 * document has no popup of its own in flight (the mark is then a leftover of a page that went away
 * mid-verification, or of the tab this one was duplicated from).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AuthenticationResult } from "@azure/msal-browser";
import { acquireTokenInPopup, type LoadedMsal } from "../../lib/step-up/client/msal";

/** An MSAL stand-in that records each request's override flag and settles when told. */
function fakeMsal() {
  const overrides: boolean[] = [];
  const pending: Array<{ resolve: (value: AuthenticationResult) => void; reject: (error: unknown) => void }> = [];
  const instance = {
    acquireTokenPopup(request: { overrideInteractionInProgress?: boolean }) {
      overrides.push(request.overrideInteractionInProgress === true);
      return new Promise<AuthenticationResult>((resolve, reject) => pending.push({ resolve, reject }));
    },
  };
  return { loaded: { instance } as unknown as LoadedMsal, overrides, pending };
}

const request = { scopes: ["api://portal/access"] };
const settled = () => new Promise((resolve) => setImmediate(resolve));

test("a document's first popup takes over a leftover mark; a second one while the first is open does not", async () => {
  const { loaded, overrides, pending } = fakeMsal();
  const first = acquireTokenInPopup(loaded, request);
  const second = acquireTokenInPopup(loaded, request);
  assert.deepEqual(overrides, [true, false]);

  pending[0]!.resolve({} as AuthenticationResult);
  pending[1]!.reject(Object.assign(new Error("in progress"), { errorCode: "interaction_in_progress" }));
  await first;
  await assert.rejects(second, { errorCode: "interaction_in_progress" });
  await settled();

  // Both ended (one way or the other): the next popup may take over again.
  void acquireTokenInPopup(loaded, request).catch(() => undefined);
  assert.deepEqual(overrides, [true, false, true]);
  pending[2]!.reject(new Error("closed"));
  await settled();
});

test("a popup MSAL refuses synchronously is a rejected promise, and is not counted as in flight", async () => {
  const overrides: boolean[] = [];
  const loaded = {
    instance: {
      acquireTokenPopup(request: { overrideInteractionInProgress?: boolean }) {
        overrides.push(request.overrideInteractionInProgress === true);
        throw Object.assign(new Error("not initialized"), { errorCode: "uninitialized_public_client_application" });
      },
    },
  } as unknown as LoadedMsal;
  await assert.rejects(acquireTokenInPopup(loaded, request), { errorCode: "uninitialized_public_client_application" });
  await settled();
  await assert.rejects(acquireTokenInPopup(loaded, request));
  assert.deepEqual(overrides, [true, true]);
});
