import type { Metadata } from "next";
import { RedirectBridge } from "./redirect-bridge";

export const metadata: Metadata = { title: "Completing verification" };

/**
 * MSAL's redirect URI for step-up (registered on the SPA app: docs/contracts.md). The identity
 * provider sends the authorization response here, in the URL fragment. proxy.ts serves it with
 * the nonce CSP and `Cache-Control: no-store` but without `Cross-Origin-Opener-Policy`: a COOP
 * header would cut the popup off from the window that opened it. No session is read here.
 */
export default function RedirectBridgePage() {
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-2 px-6">
      <RedirectBridge />
    </main>
  );
}
