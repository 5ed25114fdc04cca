import "server-only";
import { env } from "@/lib/env";
import { resolveRequirement } from "@/lib/step-up/policy";

/**
 * What one verification for statements grants, worded from the active policy so the two cannot
 * disagree: the step-up dialog's explanation for `finance.viewStatements` (full numbers, statements).
 */
export function statementsPurpose(): string {
  const resolution = resolveRequirement(env.STEP_UP_POLICY_SET, "finance.viewStatements");
  const seconds = resolution.kind === "required" && resolution.requirement.binding === "session" ? resolution.requirement.elevationSeconds : 0;
  const minutes = Math.round(seconds / 60);
  return minutes > 0 ? `Verify to see full account numbers and statements for ${minutes} minutes.` : "Verify to see full account numbers and statements.";
}
