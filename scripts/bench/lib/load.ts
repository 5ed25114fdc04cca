/**
 * A typed wrapper over autocannon (it ships no types): one load run, with every response's
 * status and latency recorded, so that p95 (which autocannon's summary lacks) and the status
 * distribution come from the run itself.
 */
import { createRequire } from "node:module";

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  pipelining?: number;
  timeout?: number;
  headers?: Record<string, string>;
  requests?: AutocannonRequest[];
}

interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: "response", listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  duration: number;
  errors: number;
  timeouts: number;
}

const autocannon = createRequire(import.meta.url)("autocannon") as (options: AutocannonOptions) => AutocannonInstance;

/** What one load run measured. */
export interface LoadFigures {
  label: string;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  responses: number;
  /** Responses by HTTP status. */
  statuses: Record<number, number>;
  /** Socket errors and timeouts (no HTTP response at all). */
  errors: number;
  seconds: number;
  /** Every response's latency in ms, ascending (to combine runs). */
  latencies: number[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs autocannon with `options` and summarises the responses. */
export async function load(label: string, options: AutocannonOptions): Promise<LoadFigures> {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const instance = autocannon({ timeout: 30, ...options });
  instance.on("response", (_client, statusCode, _bytes, responseTimeMs) => {
    latencies.push(responseTimeMs);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return {
    label,
    // Completed responses over the run's wall time (autocannon's average counts only whole seconds).
    requestsPerSecond: latencies.length / result.duration,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    responses: latencies.length,
    statuses,
    errors: result.errors + result.timeouts,
    seconds: result.duration,
    latencies,
  };
}

/** Several runs of the same load as one: responses over total time, percentiles over all latencies. */
export function combine(label: string, runs: LoadFigures[]): LoadFigures {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const statuses: Record<number, number> = {};
  for (const r of runs) for (const [status, n] of Object.entries(r.statuses)) statuses[Number(status)] = (statuses[Number(status)] ?? 0) + n;
  return {
    label,
    requestsPerSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    responses: latencies.length,
    statuses,
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    seconds,
    latencies,
  };
}

/** One line of a results table. */
export function formatLoad(f: LoadFigures): string {
  const statuses = Object.entries(f.statuses)
    .map(([status, n]) => `${status}×${n}`)
    .join(" ");
  return `${f.label.padEnd(46)}${f.requestsPerSecond.toFixed(1).padStart(9)} req/s   p50 ${f.p50Ms.toFixed(1).padStart(7)} ms   p95 ${f.p95Ms.toFixed(1).padStart(7)} ms   ${statuses}${f.errors ? `   errors ${f.errors}` : ""}`;
}
