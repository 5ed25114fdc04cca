/**
 * Compile-time contracts of the step-up API, checked by `tsc` (npm run typecheck): the lines
 * marked @ts-expect-error must stay errors. The runtime test only keeps this file in the suite.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import type { ActionResult } from "../../lib/actions/result";

type ProtectedActionFn = typeof import("../../lib/step-up/server/protected-action").protectedAction;
type Success = typeof import("../../lib/actions/result").success;
type AssertNever = typeof import("../../lib/actions/result").assertNever;

export function compileTimeChecks(protectedAction: ProtectedActionFn, success: Success, assertNever: AssertNever): void {
  const schema = z.object({ payeeId: z.string() });
  const handler = async () => success({ done: true });

  protectedAction("security.update", schema, handler);
  // @ts-expect-error an operation the policy does not know does not compile
  protectedAction("security.delete", schema, handler);
  // @ts-expect-error transfer.create's rule needs its facts: policyInput is required
  protectedAction("transfer.create", schema, handler);
  // @ts-expect-error a rule without input takes no policyInput
  protectedAction("security.update", schema, handler, { policyInput: async () => success(undefined) });

  const action = protectedAction("finance.viewStatements", schema, handler);
  void (async () => {
    const result: ActionResult<{ done: boolean }> = await action({ payeeId: "p" }, { token: "t" });
    switch (result.status) {
      case "success":
      case "invalid":
      case "step_up_required":
      case "failed":
        return;
      default:
        assertNever(result);
    }
  });
}

test("the step-up API's compile-time contracts are checked by tsc", () => {
  assert.equal(typeof compileTimeChecks, "function");
});
