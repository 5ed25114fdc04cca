"use client";

import { useEffect, useState } from "react";

/**
 * Hands the authorization response back to MSAL (lib/step-up/client/msal.ts).
 *
 * - In a popup (`window.opener` set): nothing to do. The portal uses MSAL's legacy polling, so
 *   the opener reads this window's URL and closes it; clearing the URL first would look to the
 *   opener like a closed popup ("cancelled").
 * - In the full window (the "Continue in this window" redirect): `broadcastResponseToMainFrame()`
 *   stores the response for MSAL and navigates back to the page that started the step-up, whose
 *   `handleRedirectPromise()` completes it.
 */
export function RedirectBridge() {
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (window.opener && window.opener !== window) return;
    import("@azure/msal-browser/redirect-bridge")
      .then(({ broadcastResponseToMainFrame }) => broadcastResponseToMainFrame())
      .catch(() => setFailed(true));
  }, []);

  return failed ? (
    <>
      <h1 className="text-xl font-semibold">There is no verification to complete</h1>
      <p className="text-muted">Close this window and start again from Woodgrove.</p>
    </>
  ) : (
    <>
      <h1 className="text-xl font-semibold">Completing verification…</h1>
      <p className="text-muted">This window closes by itself.</p>
    </>
  );
}
