import type { NextConfig } from "next";

/**
 * Security headers that do not vary per request live here; the per-request nonce CSP,
 * COOP and Cache-Control are set in proxy.ts.
 */
const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // better-sqlite3 and pg are native/Node-only, and pdfkit loads its standard fonts from its own
  // package folder: load them at run time, never bundle them.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "pg", "@prisma/adapter-pg", "pdfkit"],
  experimental: {
    serverActions: {
      // The largest action request is a transfer: well under 1 kB. Next's default (1 MB) would let
      // any signed-in client make the server decode a megabyte per call; the enforcement core
      // refuses inputs over 16 kB anyway (lib/security/input.ts), this stops them being read.
      bodySizeLimit: "64kb",
      // No `allowedOrigins`: Next then accepts an action only from the request's own host, and
      // proxy.ts refuses any state-changing request without the portal's exact origin before it.
    },
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          // Nothing the portal does needs these; a script that got in should not get them either.
          {
            key: "Permissions-Policy",
            value: "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()",
          },
        ],
      },
    ];
  },
};

export default nextConfig;
