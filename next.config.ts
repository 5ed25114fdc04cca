import type { NextConfig } from "next";

/**
 * `npm run bench` builds the portal a second time with `BENCH_BASELINE=1`: only then do files
 * named `page.bench.tsx` count as pages (app/bench-baseline/, the dashboard without its session
 * and strength checks, the denominator of the throughput ratio), and that build goes to its own
 * folder. Any other build, the shipped one included, never sees those files as routes.
 * docs/performance.md explains why the baseline is a build-time route and not a runtime switch.
 */
const benchBaseline = process.env.BENCH_BASELINE === "1";

/**
 * Security headers that do not vary per request live here; the per-request nonce CSP,
 * COOP and Cache-Control are set in proxy.ts.
 */
const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  ...(benchBaseline ? { pageExtensions: ["tsx", "ts", "jsx", "js", "bench.tsx"], distDir: ".next-bench" } : {}),
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
