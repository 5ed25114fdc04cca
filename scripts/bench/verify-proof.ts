/**
 * Proof verification cost, warm: the portal's own verifier (lib/step-up/server/verify-proof.ts,
 * discovery and the remote JWKS exactly as configured) checks one access token many times, and
 * every HTTP request it makes is counted. Run by `npm run bench` in a child process with the
 * portal's configuration and `BENCH_TOKEN`; prints one JSON line.
 *   node --import tsx --conditions=react-server scripts/bench/verify-proof.ts <iterations>
 */
export {};

const fetches: string[] = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
  fetches.push(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
  return realFetch(input, init);
};

const { getProofVerifier } = await import("../../lib/step-up/server/verify-proof");

const iterations = Number(process.argv[2] ?? 2000);
const token = process.env.BENCH_TOKEN;
if (!token) throw new Error("BENCH_TOKEN must hold an access token for the portal's API");
const verifier = getProofVerifier();

// Cold: discovery, the JWKS, the first signature check.
const coldStart = performance.now();
const first = await verifier.authenticate(token);
const coldMs = performance.now() - coldStart;
if (!first.ok) throw new Error(`the token was refused: ${first.reason}`);
const fetchesWhenWarm = fetches.length;

const samples: number[] = [];
for (let i = 0; i < iterations; i += 1) {
  const start = performance.now();
  const result = await verifier.authenticate(token);
  samples.push(performance.now() - start);
  if (!result.ok) throw new Error(`refused on iteration ${i}: ${result.reason}`);
}
samples.sort((a, b) => a - b);
const at = (p: number) => samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)]!;
console.log(
  JSON.stringify({
    iterations,
    coldMs,
    meanMs: samples.reduce((s, x) => s + x, 0) / samples.length,
    p50Ms: at(50),
    p95Ms: at(95),
    p99Ms: at(99),
    fetchesCold: fetchesWhenWarm,
    fetchesWarm: fetches.length - fetchesWhenWarm,
    urls: [...new Set(fetches.map((u) => new URL(u).pathname))],
  }),
);
