import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { evaluate, intervalContexts, loadPolicySets, parsePolicySet, type PolicyResult, type PolicySet } from "../policy.js";
import type { AuthSnapshot } from "../types.js";
import { authorizeUrl, decode, MEGAN, redeem, returned, TestBrowser, totpCode, useTestEmulator, WEB_CLIENT, WEB_REDIRECT, WEB_SECRET } from "./helpers.js";

const NOW = 1_900_000_000_000;
const S = 1000;
const USER = { oid: "00000000-0000-4000-8000-000000000001", roles: [] as string[] };
/** Graph's signInFrequencySessionControl, every time for the second factor, as the shipped sets use it. */
const EVERY_TIME = { isEnabled: true, frequencyInterval: "everyTime", type: null, value: null, authenticationType: "secondaryAuthentication" } as const;
const hours = (value: number) => ({ isEnabled: true, frequencyInterval: "timeBased", type: "hours", value, authenticationType: "primaryAndSecondaryAuthentication" }) as const;
const STRENGTH = { mfa: "00000000-0000-0000-0000-000000000002", passwordlessMfa: "00000000-0000-0000-0000-000000000003", phishingResistantMfa: "00000000-0000-0000-0000-000000000004" } as const;
const sets = loadPolicySets(fileURLToPath(new URL("../policies", import.meta.url)));

/** Sessions proving one thing each, just now. */
const AUTH: Record<string, AuthSnapshot> = {
  none: {},
  password: { passwordAt: NOW },
  totp: { passwordAt: NOW, totpAt: NOW },
  sms: { passwordAt: NOW, smsAt: NOW },
  passkey: { passwordAt: NOW, passkeyAt: NOW },
  "totp without password": { totpAt: NOW },
};

let n = 0;
function policy(overrides: Record<string, unknown> = {}, conditions: Record<string, unknown> = {}): Record<string, unknown> {
  n += 1;
  return {
    id: `00000000-0000-4000-9000-${String(n).padStart(12, "0")}`,
    displayName: `policy ${n}`,
    state: "enabled",
    conditions: { users: { includeUsers: ["All"] }, applications: { includeAuthenticationContextClassReferences: ["c9"] }, ...conditions },
    grantControls: { builtInControls: ["mfa"] },
    ...overrides,
  };
}

function set(...policies: Record<string, unknown>[]): PolicySet {
  return parsePolicySet({
    name: "production",
    authenticationContextClassReferences: ["c1", "c2", "c9"].map((id) => ({ id, displayName: `Context ${id}` })),
    policies,
  });
}

const strengthGrant = (name: keyof typeof STRENGTH) => ({ grantControls: { authenticationStrength: { id: STRENGTH[name] } } });

describe("Conditional Access engine", () => {
  describe("each strength against each method (Entra's table)", () => {
    const table: [grant: string, overrides: Record<string, unknown>, satisfiedBy: string[]][] = [
      ["built-in mfa control", {}, ["totp", "sms", "passkey"]],
      ["strength mfa", strengthGrant("mfa"), ["totp", "sms", "passkey"]],
      ["strength passwordlessMfa", strengthGrant("passwordlessMfa"), ["passkey"]],
      ["strength phishingResistantMfa", strengthGrant("phishingResistantMfa"), ["passkey"]],
    ];
    for (const [grant, overrides, satisfiedBy] of table) {
      for (const [method, auth] of Object.entries(AUTH)) {
        const expected = satisfiedBy.includes(method);
        it(`${grant} ${expected ? "is" : "is not"} satisfied by ${method}`, () => {
          const result = evaluate(set(policy(overrides)), ["c9"], { user: USER, auth, now: NOW });
          assert.deepEqual(result.satisfied, expected ? ["c9"] : []);
          assert.deepEqual(result.missing, expected ? [] : ["c9"]);
          assert.equal(result.required.length, expected ? 0 : 1);
          assert.deepEqual(result.unenforced, []);
        });
      }
    }
  });

  describe("grant controls", () => {
    it("block refuses the context whatever was proven", () => {
      const result = evaluate(set(policy({ grantControls: { builtInControls: ["block"] } })), ["c9"], { user: USER, auth: AUTH.passkey ?? {}, now: NOW });
      assert.deepEqual(result.missing, ["c9"]);
      assert.equal(result.blocked?.control, "block");
      assert.deepEqual(result.required, []);
      assert.equal(result.policies[0]?.result, "failure");
    });

    const invalid: [string, Record<string, unknown>][] = [
      ["mfa combined with an authentication strength", policy({ grantControls: { builtInControls: ["mfa"], authenticationStrength: { id: STRENGTH.mfa } } })],
      ["block combined with mfa", policy({ grantControls: { builtInControls: ["block", "mfa"] } })],
      ["no grant control", policy({ grantControls: { builtInControls: [] } })],
      ["an unknown strength id", policy({ grantControls: { authenticationStrength: { id: "00000000-0000-0000-0000-000000000009" } } })],
      ["passwordChange with OR", policy({ grantControls: { operator: "OR", builtInControls: ["mfa", "passwordChange"] } }, { applications: { includeApplications: ["All"] }, userRiskLevels: ["high"] })],
      ["passwordChange without user risk", policy({ grantControls: { operator: "AND", builtInControls: ["mfa", "passwordChange"] } }, { applications: { includeApplications: ["All"] } })],
      ["an undefined context", policy({}, { applications: { includeAuthenticationContextClassReferences: ["c42"] } })],
      ["a context id out of range", policy({}, { applications: { includeAuthenticationContextClassReferences: ["c100"] } })],
      ["both all apps and contexts", policy({}, { applications: { includeApplications: ["All"], includeAuthenticationContextClassReferences: ["c9"] } })],
      ["no users", policy({}, { users: { includeUsers: [] } })],
      ["an unknown state", policy({ state: "on" })],
      ["the emulator's former frequency shape", policy({ sessionControls: { signInFrequency: { value: 1, unit: "hours" } } })],
      ["everyTime with a value", policy({ sessionControls: { signInFrequency: { ...EVERY_TIME, type: "hours", value: 1 } } })],
      ["timeBased without a type", policy({ sessionControls: { signInFrequency: { ...hours(1), type: null } } })],
      ["an unknown authenticationType", policy({ sessionControls: { signInFrequency: { ...EVERY_TIME, authenticationType: "primaryAuthentication" } } })],
      ["a frequency of 366 days", policy({ sessionControls: { signInFrequency: { ...hours(1), type: "days", value: 366 } } })],
      ["a narrowed clientAppTypes", policy({}, { clientAppTypes: ["browser"] })],
      ["an unknown field", policy({ grantControl: {} })],
    ];
    for (const [name, bad] of invalid) {
      it(`rejects a policy with ${name}`, () => assert.throws(() => set(bad)));
    }

    it("rejects duplicate policy ids", () => {
      const p = policy();
      assert.throws(() => set(p, { ...p }), /duplicate policy id/);
    });
  });

  describe("risk conditions (simulated Identity Protection)", () => {
    const signInMfa = (state = "enabled") =>
      policy({ state, sessionControls: { signInFrequency: EVERY_TIME } }, { applications: { includeApplications: ["All"] }, signInRiskLevels: ["medium", "high"] });
    const signInBlock = (state = "enabled") => policy({ state, grantControls: { builtInControls: ["block"] } }, { applications: { includeApplications: ["All"] }, signInRiskLevels: ["high"] });
    const userPasswordChange = (state = "enabled") =>
      policy({ state, grantControls: { operator: "AND", builtInControls: ["mfa", "passwordChange"] } }, { applications: { includeApplications: ["All"] }, userRiskLevels: ["high"] });
    type Row = [
      name: string,
      make: () => Record<string, unknown>,
      risk: { signIn: "none" | "low" | "medium" | "high"; user: "none" | "low" | "medium" | "high" },
      auth: keyof typeof AUTH,
      passwordChanged: boolean,
      expected: { result: PolicyResult; required: number; blocked?: boolean; passwordChange?: boolean },
    ];
    const none = { signIn: "none", user: "none" } as const;
    const table: Row[] = [
      ["sign-in risk none: MFA policy not applied", () => signInMfa(), none, "password", false, { result: "notApplied", required: 0 }],
      ["sign-in risk low: MFA policy (medium, high) not applied", () => signInMfa(), { signIn: "low", user: "none" }, "password", false, { result: "notApplied", required: 0 }],
      ["sign-in risk medium, password only: MFA required", () => signInMfa(), { signIn: "medium", user: "none" }, "password", false, { result: "failure", required: 1 }],
      ["sign-in risk medium after TOTP: success", () => signInMfa(), { signIn: "medium", user: "none" }, "totp", false, { result: "success", required: 0 }],
      ["sign-in risk high, MFA policy also applies", () => signInMfa(), { signIn: "high", user: "none" }, "sms", false, { result: "success", required: 0 }],
      ["sign-in risk medium: high-only block not applied", () => signInBlock(), { signIn: "medium", user: "none" }, "passkey", false, { result: "notApplied", required: 0 }],
      ["sign-in risk high: blocked whatever was proven", () => signInBlock(), { signIn: "high", user: "none" }, "passkey", false, { result: "failure", required: 0, blocked: true }],
      ["user risk medium: password-change policy (high) not applied", () => userPasswordChange(), { signIn: "none", user: "medium" }, "password", false, { result: "notApplied", required: 0 }],
      ["user risk high, password only: MFA then a password change", () => userPasswordChange(), { signIn: "none", user: "high" }, "password", false, { result: "failure", required: 1, passwordChange: true }],
      ["user risk high after TOTP: the password change remains", () => userPasswordChange(), { signIn: "none", user: "high" }, "totp", false, { result: "failure", required: 0, passwordChange: true }],
      ["user risk high, TOTP and password changed: success", () => userPasswordChange(), { signIn: "none", user: "high" }, "totp", true, { result: "success", required: 0 }],
      ["report-only MFA policy at medium: reportOnlyFailure, nothing enforced", () => signInMfa("enabledForReportingButNotEnforced"), { signIn: "medium", user: "none" }, "password", false, { result: "reportOnlyFailure", required: 0 }],
      ["report-only block at high: reportOnlyFailure, not blocked", () => signInBlock("enabledForReportingButNotEnforced"), { signIn: "high", user: "none" }, "password", false, { result: "reportOnlyFailure", required: 0 }],
      ["report-only MFA policy at none: reportOnlyNotApplied", () => signInMfa("enabledForReportingButNotEnforced"), none, "password", false, { result: "reportOnlyNotApplied", required: 0 }],
      ["report-only password change after TOTP: reportOnlyFailure", () => userPasswordChange("enabledForReportingButNotEnforced"), { signIn: "none", user: "high" }, "totp", false, { result: "reportOnlyFailure", required: 0 }],
    ];
    for (const [name, make, risk, auth, passwordChanged, expected] of table) {
      it(name, () => {
        const result = evaluate(set(make()), [], { user: USER, auth: AUTH[auth] ?? {}, now: NOW, risk, passwordChanged });
        assert.equal(result.policies[0]?.result, expected.result);
        assert.equal(result.required.length, expected.required);
        assert.equal(result.required.every((r) => r.riskBased), true, "requirements of risk policies are marked risk-based");
        assert.equal(result.blocked !== undefined, expected.blocked ?? false);
        assert.equal(result.passwordChange !== undefined, expected.passwordChange ?? false);
      });
    }

    it("an applied policy names its grant and session controls as the sign-in log shows them", () => {
      const [mfa, block, change] = [signInMfa(), signInBlock(), userPasswordChange()].map(
        (p) => evaluate(set(p), [], { user: USER, auth: AUTH.password ?? {}, now: NOW, risk: { signIn: "high", user: "high" } }).policies[0],
      );
      assert.deepEqual([mfa?.enforcedGrantControls, mfa?.enforcedSessionControls, mfa?.riskCondition], [["Mfa"], ["SignInFrequency"], "signInRisk"]);
      assert.deepEqual([block?.enforcedGrantControls, block?.userActionable], [["Block"], false]);
      assert.deepEqual([change?.enforcedGrantControls, change?.riskCondition, change?.userActionable], [["Mfa", "PasswordChange"], "userRisk", true]);
    });
  });

  describe("policy state", () => {
    const table: [state: string, auth: keyof typeof AUTH, result: PolicyResult, issued: boolean, unenforced: boolean][] = [
      ["enabled", "password", "failure", false, false],
      ["enabled", "totp", "success", true, false],
      ["disabled", "password", "notEnabled", true, true],
      ["enabledForReportingButNotEnforced", "password", "reportOnlyFailure", true, true],
      ["enabledForReportingButNotEnforced", "totp", "reportOnlySuccess", true, true],
    ];
    for (const [state, auth, result, issued, unenforced] of table) {
      it(`${state} with ${auth}: ${result}, ${issued ? "issued" : "not issued"}${unenforced ? ", recorded as unenforced" : ""}`, () => {
        const evaluation = evaluate(set(policy({ state })), ["c9"], { user: USER, auth: AUTH[auth] ?? {}, now: NOW });
        assert.equal(evaluation.policies[0]?.result, result);
        assert.deepEqual(evaluation.satisfied, issued ? ["c9"] : []);
        assert.deepEqual(evaluation.unenforced, unenforced ? ["c9"] : []);
      });
    }

    it("report-only on a context not requested is reportOnlyNotApplied", () => {
      const evaluation = evaluate(set(policy({ state: "enabledForReportingButNotEnforced" })), ["c1"], { user: USER, auth: {}, now: NOW });
      assert.equal(evaluation.policies[0]?.result, "reportOnlyNotApplied");
    });
  });

  describe("unenforced issuance", () => {
    it("issues a requested context no policy targets, and records it as unenforced", () => {
      const result = evaluate(sets.production, ["c1", "c7"], { user: USER, auth: AUTH.totp ?? {}, now: NOW });
      assert.deepEqual(result.satisfied, ["c1", "c7"]);
      assert.deepEqual(result.unenforced, ["c7"]);
    });

    it("ignores ids outside c1..c99 altogether", () => {
      const result = evaluate(sets.production, ["c0", "c100", "x1", "C1"], { user: USER, auth: AUTH.passkey ?? {}, now: NOW });
      assert.deepEqual([result.satisfied, result.missing, result.unenforced], [[], [], []]);
    });
  });

  describe("users condition", () => {
    const ADMIN = { oid: "00000000-0000-4000-8000-000000000002", roles: ["Portal.Admin"] };
    const table: [name: string, users: Record<string, unknown>, applies: typeof USER[]][] = [
      ["All", { includeUsers: ["All"] }, [USER, ADMIN]],
      ["one user id", { includeUsers: [USER.oid] }, [USER]],
      ["All but an excluded id", { includeUsers: ["All"], excludeUsers: [USER.oid] }, [ADMIN]],
      ["a role", { includeRoles: ["Portal.Admin"] }, [ADMIN]],
      ["All but an excluded role", { includeUsers: ["All"], excludeRoles: ["Portal.Admin"] }, [USER]],
    ];
    for (const [name, users, applies] of table) {
      it(`includes ${name}`, () => {
        const s = set(policy({}, { users }));
        for (const user of [USER, ADMIN]) {
          const result = evaluate(s, ["c9"], { user, auth: AUTH.password ?? {}, now: NOW });
          assert.equal(result.policies[0]?.result, applies.includes(user) ? "failure" : "notApplied", `${user.oid}`);
        }
      });
    }
  });

  describe("sign-in frequency", () => {
    const table: [name: string, frequency: Record<string, unknown>, ageSeconds: number, met: boolean][] = [
      ["every time", EVERY_TIME, 0, true],
      ["every time", EVERY_TIME, 299, true],
      ["every time", EVERY_TIME, 300, true],
      ["every time", EVERY_TIME, 301, false],
      ["1 hour", hours(1), 3599, true],
      ["1 hour", hours(1), 3600, true],
      ["1 hour", hours(1), 3601, false],
      ["8 hours", hours(8), 8 * 3600 + 1, false],
      ["1 day", { ...hours(1), type: "days" }, 86_400, true],
      ["1 day", { ...hours(1), type: "days" }, 86_401, false],
      ["a disabled 1-hour control", { ...hours(1), isEnabled: false }, 7 * 86_400, true],
    ];
    for (const [name, frequency, age, met] of table) {
      it(`${name}: a factor ${age} s old ${met ? "counts" : "does not count"}`, () => {
        const s = set(policy({ sessionControls: { signInFrequency: frequency } }));
        const result = evaluate(s, ["c9"], { user: USER, auth: { passwordAt: NOW - 7200 * S, totpAt: NOW - age * S }, now: NOW });
        assert.deepEqual(result.satisfied, met ? ["c9"] : []);
      });
    }

    // signInFrequencySessionControl: authenticationType says whether the whole sign-in or only the
    // second factor must be redone; the emulator honours it for everyTime (Graph: not for timeBased).
    it("every time for primary and secondary authentication: a fresh code after an old password does not count; a passkey alone does", () => {
      const whole = set(policy({ sessionControls: { signInFrequency: { ...EVERY_TIME, authenticationType: "primaryAndSecondaryAuthentication" } } }));
      const oldPassword = { passwordAt: NOW - 3600 * S, totpAt: NOW - 10 * S };
      assert.deepEqual(evaluate(whole, ["c9"], { user: USER, auth: oldPassword, now: NOW }).satisfied, []);
      assert.deepEqual(evaluate(whole, ["c9"], { user: USER, auth: { ...oldPassword, passwordAt: NOW - 20 * S }, now: NOW }).satisfied, ["c9"]);
      assert.deepEqual(evaluate(whole, ["c9"], { user: USER, auth: { passkeyAt: NOW - 10 * S }, now: NOW }).satisfied, ["c9"]);
      const secondOnly = set(policy({ sessionControls: { signInFrequency: EVERY_TIME } }));
      assert.deepEqual(evaluate(secondOnly, ["c9"], { user: USER, auth: oldPassword, now: NOW }).satisfied, ["c9"], "secondaryAuthentication: the factor alone");
    });

    it("without a frequency, a factor proven once in the session counts", () => {
      const result = evaluate(set(policy()), ["c9"], { user: USER, auth: { passwordAt: 0, totpAt: 0 }, now: NOW });
      assert.deepEqual(result.satisfied, ["c9"]);
    });
  });

  describe("seeded sets", () => {
    const table: [setName: "production" | "staging", auth: keyof typeof AUTH, ctx: string, issued: boolean, reportOnly?: PolicyResult][] = [
      ["production", "totp", "c1", true],
      ["production", "sms", "c1", true],
      ["production", "totp", "c2", false],
      ["production", "sms", "c2", false],
      ["production", "passkey", "c2", true],
      ["production", "sms", "c3", true],
      ["staging", "totp", "c2", true, "reportOnlyFailure"],
      ["staging", "sms", "c2", true, "reportOnlyFailure"],
      ["staging", "passkey", "c2", true, "reportOnlySuccess"],
      ["staging", "password", "c2", false, "reportOnlyFailure"],
    ];
    for (const [setName, auth, ctx, issued, reportOnly] of table) {
      it(`${setName}: ${ctx} with ${auth} is ${issued ? "issued" : "refused"}${reportOnly ? ` (${reportOnly})` : ""}`, () => {
        const result = evaluate(sets[setName], [ctx], { user: USER, auth: AUTH[auth] ?? {}, now: NOW });
        assert.deepEqual(result.satisfied, issued ? [ctx] : []);
        assert.deepEqual(result.unenforced, []);
        const ro = result.policies.find((p) => p.result.startsWith("reportOnly") && p.contexts.includes(ctx));
        assert.equal(ro?.result, reportOnly);
      });
    }

    const riskTable: [setName: "production" | "staging", signIn: "none" | "low" | "medium" | "high", user: "none" | "high", auth: keyof typeof AUTH, contexts: string[], outcome: string][] = [
      ["production", "low", "none", "password", [], "issued"],
      ["production", "medium", "none", "password", [], "mfa"],
      ["production", "medium", "none", "totp", [], "issued"],
      ["production", "medium", "none", "totp", ["c1"], "mfa"],
      ["production", "medium", "none", "passkey", ["c1"], "issued"],
      ["production", "none", "none", "totp", ["c1"], "issued"],
      ["production", "high", "none", "passkey", [], "blocked"],
      ["production", "none", "high", "totp", [], "passwordChange"],
      ["staging", "medium", "none", "password", [], "mfa"],
      ["staging", "medium", "none", "totp", ["c1"], "mfa"],
      ["staging", "high", "none", "passkey", ["c1"], "blocked"],
      ["staging", "none", "high", "password", [], "mfa"],
    ];
    for (const [setName, signIn, user, auth, contexts, outcome] of riskTable) {
      it(`${setName}: sign-in risk ${signIn}, user risk ${user}, ${auth}${contexts.length ? ` asking ${contexts.join()}` : ""} → ${outcome}`, () => {
        const result = evaluate(sets[setName], contexts, { user: USER, auth: AUTH[auth] ?? {}, now: NOW, risk: { signIn, user } });
        const actual = result.blocked ? "blocked" : result.required.length ? "mfa" : result.passwordChange ? "passwordChange" : "issued";
        assert.equal(actual, outcome);
        assert.deepEqual(result.satisfied, outcome === "issued" ? contexts : contexts.filter((c) => !result.missing.includes(c)));
      });
    }

    it("a bad or misnamed set file stops the start with the file named", () => {
      const dir = mkdtempSync(join(tmpdir(), "emu-policies-"));
      try {
        const shipped = fileURLToPath(new URL("../policies", import.meta.url));
        copyFileSync(join(shipped, "production.json"), join(dir, "production.json"));
        writeFileSync(join(dir, "staging.json"), JSON.stringify({ name: "staging", authenticationContextClassReferences: [], policies: [policy()] }));
        assert.throws(() => loadPolicySets(dir), /staging\.json.*context c9 is not defined/s);
        copyFileSync(join(shipped, "production.json"), join(dir, "staging.json"));
        assert.throws(() => loadPolicySets(dir), /is named "production"; expected "staging"/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("c3 is the only interval context (opportunistic acrs candidates)", () => {
      assert.deepEqual(intervalContexts(sets.production), ["c3"]);
      assert.deepEqual(intervalContexts(sets.staging), ["c3"]);
    });

    it("every time on c1 and c2, one hour on c3, in both sets", () => {
      for (const s of [sets.production, sets.staging]) {
        const enforced = s.policies.filter((p) => p.state === "enabled");
        const freq = (c: string) => enforced.find((p) => p.conditions.applications.includeAuthenticationContextClassReferences.includes(c))?.sessionControls?.signInFrequency;
        assert.deepEqual(freq("c1"), EVERY_TIME);
        assert.deepEqual(freq("c2"), EVERY_TIME);
        assert.deepEqual(freq("c3"), hours(1));
      }
    });
  });
});

describe("policy sets through the control API", () => {
  const emu = useTestEmulator();

  const claims = (...values: string[]) => JSON.stringify({ access_token: { acrs: { essential: true, values } } });

  async function signInWithTotp(contexts: string[]): Promise<{ status: number; acrs: unknown; html: string }> {
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { claims: claims(...contexts), scope: "openid offline_access api://woodgrove-portal/access_as_user" }));
    page = await browser.submit(page, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
    if (/<label for="otc">/.test(page.html)) page = await browser.submit(page, "totp", { otc: await totpCode(emu(), MEGAN.oid) });
    if (page.status !== 302) return { status: page.status, acrs: undefined, html: page.html };
    const res = await redeem(emu(), { grant_type: "authorization_code", code: returned(page).get("code") ?? "", client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return { status: 302, acrs: decode(String(res.body.access_token)).payload.acrs, html: "" };
  }

  it("starts on production, switches to staging, rejects unknown sets and resets to the start set", async () => {
    assert.deepEqual(await (await emu().control("policy-set")).json(), { set: "production", available: ["production", "staging"] });
    assert.equal((await emu().control("policy-set", { set: "test" })).status, 400);
    assert.equal(((await (await emu().control("policy-set", { set: "staging" })).json()) as { set: string }).set, "staging");
    await emu().control("reset", {});
    assert.equal(((await (await emu().control("policy-set")).json()) as { set: string }).set, "production");
  });

  it("records a context issued with no enforced policy, and the portal still gets it", async () => {
    await emu().control("reset", {});
    const { acrs } = await signInWithTotp(["c1", "c7"]);
    assert.deepEqual(acrs, ["c1", "c7"]);
    const { issuances } = (await (await emu().control("unenforced")).json()) as { issuances: { oid: string; contexts: string[]; grant: string; policySet: string }[] };
    assert.equal(issuances.length, 1);
    assert.deepEqual(issuances[0] && { oid: issuances[0].oid, contexts: issuances[0].contexts, grant: issuances[0].grant, policySet: issuances[0].policySet }, {
      oid: MEGAN.oid,
      contexts: ["c7"],
      grant: "authorization_code",
      policySet: "production",
    });
  });

  it("c2 with an app code: refused in production, issued in staging with the report-only failure recorded", async () => {
    await emu().control("reset", {});
    const production = await signInWithTotp(["c2"]);
    assert.equal(production.status, 200);
    assert.match(production.html, /More information required/);
    await emu().control("policy-set", { set: "staging" });
    const staging = await signInWithTotp(["c2"]);
    assert.deepEqual(staging.acrs, ["c2"]);
    const { results } = (await (await emu().control("report-only")).json()) as { results: { result: string; contexts: string[]; policySet: string }[] };
    assert.deepEqual(results.map((r) => [r.result, r.contexts, r.policySet]), [["reportOnlyFailure", ["c2"], "staging"]]);
    assert.deepEqual(((await (await emu().control("unenforced")).json()) as { issuances: unknown[] }).issuances, []);
  });
});

describe("a custom policy set wired through authorize and refresh", () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "emu-policies-"));
    const blockC5 = policy({ grantControls: { builtInControls: ["block"] } }, { applications: { includeAuthenticationContextClassReferences: ["c5"] } });
    const adminsOnC6 = policy({ ...strengthGrant("phishingResistantMfa") }, { users: { includeRoles: ["Portal.Admin"] }, applications: { includeAuthenticationContextClassReferences: ["c6"] } });
    for (const name of ["production", "staging"]) {
      writeFileSync(
        join(dir, `${name}.json`),
        JSON.stringify({ name, authenticationContextClassReferences: [{ id: "c5", displayName: "Closed" }, { id: "c6", displayName: "Admins only" }], policies: [blockC5, adminsOnC6] }),
      );
    }
  });
  const emu = useTestEmulator(() => ({ policyDir: dir }));
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
  });

  const claims = (ctx: string) => JSON.stringify({ access_token: { acrs: { essential: true, value: ctx } } });

  it("a block policy on a context answers access_denied 53003 after the password", async () => {
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { claims: claims("c5") }));
    page = await browser.submit(page, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
    const params = returned(page);
    assert.equal(params.get("error"), "access_denied");
    assert.match(params.get("error_description") ?? "", /AADSTS53003/);
  });

  it("a refresh asking for a blocked context answers 53003; a policy scoped to a role leaves others alone", async () => {
    const browser = new TestBrowser(emu());
    let page = await browser.go(authorizeUrl(emu(), { claims: claims("c6"), scope: "openid offline_access api://woodgrove-portal/access_as_user" }));
    page = await browser.submit(page, "username", { loginfmt: MEGAN.upn, passwd: MEGAN.password });
    const code = await redeem(emu(), { grant_type: "authorization_code", code: returned(page).get("code") ?? "", client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT });
    assert.equal(code.status, 200, JSON.stringify(code.body));
    assert.deepEqual(decode(String(code.body.access_token)).payload.acrs, ["c6"], "megan is not an admin: c6 is issued without a factor");
    const { issuances } = (await (await emu().control("unenforced")).json()) as { issuances: { contexts: string[] }[] };
    assert.deepEqual(issuances.map((i) => i.contexts), [["c6"]], "no enforced policy applied to this sign-in, so it is recorded");
    const refresh = await redeem(emu(), { grant_type: "refresh_token", refresh_token: String(code.body.refresh_token), client_id: WEB_CLIENT, client_secret: WEB_SECRET, claims: claims("c5") });
    assert.equal(refresh.body.error, "access_denied");
    assert.deepEqual(refresh.body.error_codes, [53003]);
  });
});
