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
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
