/** A Conditional Access result in words (Graph's `appliedConditionalAccessPolicies[].result`). */
export function policyResultLabel(result: string): string {
  const labels: Record<string, string> = {
    success: "satisfied",
    failure: "not satisfied",
    notApplied: "did not apply",
    notEnabled: "off",
    reportOnlySuccess: "report-only: would have been satisfied",
    reportOnlyFailure: "report-only: would have failed",
    reportOnlyNotApplied: "report-only: did not apply",
    reportOnlyInterrupted: "report-only: would have asked for more",
  };
  return labels[result] ?? result;
}
