/**
 * Administrative operations shared by the admin console (console.ts) and the test control API
 * (control.ts), so a test's shortcut and a person's click change the emulator in the same way.
 */
import type { Emulator } from "./context.js";
import type { PolicySet, PolicySetName, PolicyState } from "./policy.js";

/**
 * A set with the states changed in the console applied (the files themselves never change), each
 * changed policy's `modifiedDateTime` the time of its last change, as Graph reports it.
 */
export function withPolicyStates(set: PolicySet, states: Readonly<Record<string, PolicyState>>, modified: Readonly<Record<string, string>> = {}): PolicySet {
  return {
    ...set,
    policies: set.policies.map((p) => ({ ...p, state: states[p.id] ?? p.state, modifiedDateTime: modified[p.id] ?? p.modifiedDateTime })),
  };
}

/**
 * Makes `name` the active set, with the persisted state changes applied. The choice of set itself
 * stays in memory (a restart returns to `EMULATOR_POLICY_SET`); state changes persist in state.json.
 */
export function activatePolicySet(emu: Emulator, name: PolicySetName): void {
  emu.policy = withPolicyStates(emu.policySets[name], emu.store.state.policyStates, emu.store.state.policyModified);
  emu.log("policy_set_active", { set: name });
}

/** The policy's state as its file defines it, for showing what the console changed. */
export function fileState(emu: Emulator, policyId: string): PolicyState | undefined {
  return emu.policySets[emu.policy.name].policies.find((p) => p.id === policyId)?.state;
}

/**
 * Sets a policy of the active set on, report-only or off (persisted; `POST /__control/reset`
 * forgets it). Returns false when the active set has no such policy.
 */
export function setPolicyState(emu: Emulator, policyId: string, state: PolicyState): boolean {
  const original = fileState(emu, policyId);
  if (!original) return false;
  if (state === original) delete emu.store.state.policyStates[policyId];
  else emu.store.state.policyStates[policyId] = state;
  emu.store.state.policyModified[policyId] = new Date(emu.store.now()).toISOString();
  emu.store.save();
  activatePolicySet(emu, emu.policy.name);
  emu.log("policy_state_set", { policyId, state });
  return true;
}

/** Lifts an authenticator-app lockout (and forgets the failures that led to it). */
export function unlockTotp(emu: Emulator, oid: string): void {
  delete emu.store.state.lockouts[oid];
  emu.store.save();
  emu.log("totp_unlocked", { oid });
}
