import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Woodgrove Bank", template: "%s · Woodgrove Bank" },
  description: "Woodgrove Bank online banking: a reference implementation of step-up authentication with Microsoft Entra ID.",
  robots: { index: false, follow: false },
};

/**
 * `resizes-content`: the on-screen keyboard shrinks the layout viewport (and so `dvh`) instead of
 * covering the page, so a modal such as the step-up dialog stays above it, scrolling within it.
 */
export const viewport: Viewport = { themeColor: "#17613d", interactiveWidget: "resizes-content" };

export default async function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  // Every page renders per request, so Next.js can put proxy.ts's CSP nonce on its scripts
  // (a prerendered page would carry scripts no nonce matches).
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans antialiased">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
          Skip to content
        </a>
        {children}
      </body>
    </html>
  );
}
