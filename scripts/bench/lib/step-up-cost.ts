/**
 * What a step-up adds on the portal's side, from timed calls (scripts/bench/server.ts takes
 * them): a transfer that needs one costs two calls, the submit answered with a challenge and the
 * retry with the proof that commits it, where a transfer that needs none costs one call. The
 * identity provider's part (the person verifying, MSAL's token request) is not the portal's and
 * is not in these figures.
 */

/** Milliseconds per call, one entry per transfer, in the order taken. */
export interface StepUpCostSamples {
  /** Transfers that need no step-up: submit → commit. */
  none: number[];
  /** Transfers that need one: submit → challenge. */
  challenge: number[];
  /** The same transfers: the retry with the proof → commit. */
  commit: number[];
}

/** Median and 95th percentile of one kind of call, in ms. */
export interface CallFigures {
  medianMs: number;
  p95Ms: number;
}

/** The summary a run prints. */
export interface StepUpCost {
  none: CallFigures;
  challenge: CallFigures;
  commit: CallFigures;
  /** Median challenge + median commit − median plain transfer: what the step-up adds, in ms. */
  addedMs: number;
  /** (median challenge + median commit) / median plain transfer. */
  ratio: number;
}

/** The value at percentile `p` (nearest rank) of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function figures(samples: readonly number[]): CallFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const medianMs = sorted.length === 0 ? Number.NaN : sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { medianMs, p95Ms: percentile(sorted, 95) };
}

/** Medians (robust to the odd slow call on a shared machine), p95s, and the ratio the targets quote. */
export function summarizeStepUpCost(samples: StepUpCostSamples): StepUpCost {
  const none = figures(samples.none);
  const challenge = figures(samples.challenge);
  const commit = figures(samples.commit);
  const stepUp = challenge.medianMs + commit.medianMs;
  return { none, challenge, commit, addedMs: stepUp - none.medianMs, ratio: stepUp / none.medianMs };
}

/** The lines `npm run bench` prints. */
export function formatStepUpCost(cost: StepUpCost, context: { transfers: number; authContext: string }): string[] {
  const row = (label: string, call: string, f: CallFigures) =>
    `  ${label.padEnd(30)}${call.padEnd(22)}median ${f.medianMs.toFixed(1).padStart(6)} ms   p95 ${f.p95Ms.toFixed(1).padStart(6)} ms`;
  return [
    `a step-up's cost on the portal's side (JSON API, ${context.transfers} transfers of each kind, interleaved):`,
    row("transfer that needs none", "submit → commit", cost.none),
    row(`transfer that needs ${context.authContext}`, "submit → challenge", cost.challenge),
    row("", "token → commit", cost.commit),
    `  → the step-up adds ${cost.addedMs.toFixed(1)} ms on the portal's side: its two calls take ${cost.ratio.toFixed(2)}× a transfer that needs none (the identity provider's part excluded)`,
  ];
}
