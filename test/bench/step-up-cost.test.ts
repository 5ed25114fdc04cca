/**
 * scripts/bench/lib/step-up-cost.ts: the step-up cost `npm run bench` prints is the two calls of a
 * stepped-up transfer against the one call of a transfer that needs none, by medians.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatStepUpCost, percentile, summarizeStepUpCost } from "../../scripts/bench/lib/step-up-cost";

test("medians, not means: one slow call on a shared machine does not move the ratio", () => {
  const cost = summarizeStepUpCost({ none: [10, 12, 11, 400], challenge: [8, 9, 10], commit: [13, 14, 15, 16, 500] });
  assert.equal(cost.none.medianMs, 11.5);
  assert.equal(cost.challenge.medianMs, 9);
  assert.equal(cost.commit.medianMs, 15);
  assert.equal(cost.addedMs, 9 + 15 - 11.5);
  assert.equal(cost.ratio, 24 / 11.5);
  assert.equal(cost.commit.p95Ms, 500);
});

test("percentile is nearest rank", () => {
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
  assert.ok(Number.isNaN(percentile([], 95)));
});

test("the printed lines name both kinds of transfer and the ratio", () => {
  const lines = formatStepUpCost(summarizeStepUpCost({ none: [10], challenge: [10], commit: [20] }), { transfers: 1, authContext: "c1" });
  assert.match(lines.join("\n"), /needs none.*submit → commit/);
  assert.match(lines.join("\n"), /needs c1.*submit → challenge/);
  assert.match(lines.at(-1)!, /adds 20\.0 ms.*3\.00× a transfer that needs none/);
});
