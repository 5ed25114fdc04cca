import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import {
  browserFamily,
  detectSignInRisk,
  distanceKm,
  familiarIpKey,
  loadNetworkTable,
  parseNetworkTable,
  passwordProblem,
} from "../risk.js";
import type { SignInHistory, SignInLocation } from "../types.js";
import { authorizeUrl, graphGet, type Page, redeem, returned, TestBrowser, totpCode, useGraphAppToken, useTestEmulator, WEB_CLIENT, WEB_REDIRECT, WEB_SECRET } from "./helpers.js";

const table = loadNetworkTable(fileURLToPath(new URL("../ip-locations.json", import.meta.url)));
const CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";
const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:141.0) Gecko/20100101 Firefox/141.0";
const H = 3_600_000;
const T0 = 1_900_000_000_000;
const REDMOND = table.locate("127.0.0.1") as SignInLocation;

describe("simulated Identity Protection: detections", () => {
  it("locates loopback at home, the documentation ranges in their cities, and nothing else", () => {
    assert.equal(table.locate("127.0.0.1")?.city, "Redmond");
    assert.equal(table.locate("::1")?.city, "Redmond");
    assert.equal(table.locate("::ffff:127.0.0.1")?.city, "Redmond");
    assert.equal(table.locate("192.0.2.130")?.city, "London");
    assert.equal(table.locate("198.51.100.7")?.countryOrRegion, "AU");
    assert.equal(table.locate("2001:db8:2::42")?.city, "Sydney");
    assert.equal(table.locate("8.8.8.8"), undefined);
    assert.ok(table.isAnonymizer("203.0.113.200"));
    assert.ok(table.isAnonymizer("2001:db8:dead::1"));
    assert.ok(!table.isAnonymizer("203.0.113.5"));
  });

  it("rejects a table with a bad range or location", () => {
    assert.throws(() => parseNetworkTable({ locations: [{ cidr: "10.0.0.0/33", city: "X", countryOrRegion: "US", latitude: 0, longitude: 0 }], anonymizers: [] }));
    assert.throws(() => parseNetworkTable({ locations: [{ cidr: "10.0.0.0/8", city: "X", countryOrRegion: "USA", latitude: 0, longitude: 0 }], anonymizers: [] }));
    assert.throws(() => parseNetworkTable({ locations: [], anonymizers: [{ cidr: "not-an-ip/8", description: "x" }] }));
  });

  it("compares browsers by family and OS, and every loopback address as one", () => {
    assert.equal(browserFamily(CHROME_LINUX), "Chrome on Linux");
    assert.equal(browserFamily(CHROME_LINUX.replace("140.0.0.0", "141.0.0.0")), "Chrome on Linux");
    assert.equal(browserFamily(FIREFOX_WINDOWS), "Firefox on Windows");
    assert.equal(browserFamily(undefined), "unknown");
    assert.equal(familiarIpKey("127.0.0.1"), familiarIpKey("::1"));
    assert.notEqual(familiarIpKey("192.0.2.1"), familiarIpKey("192.0.2.2"));
  });

  it("measures great-circle distances", () => {
    const london = table.locate("192.0.2.130") as SignInLocation;
    assert.ok(Math.abs(distanceKm(REDMOND, london) - 7700) < 150, String(distanceKm(REDMOND, london)));
    assert.equal(Math.round(distanceKm(REDMOND, REDMOND)), 0);
  });

  const known: SignInHistory = { ips: ["loopback"], browsers: ["Chrome on Linux"], last: { at: T0, ip: "127.0.0.1", location: REDMOND } };
  const table_: [name: string, history: SignInHistory | undefined, ip: string, ua: string, hoursLater: number, level: string, types: string[]][] = [
    ["no history: the learning period flags nothing", undefined, "192.0.2.130", FIREFOX_WINDOWS, 0.1, "none", []],
    ["familiar IP and browser", known, "::1", CHROME_LINUX, 0.1, "none", []],
    ["a new browser only: low", known, "127.0.0.1", FIREFOX_WINDOWS, 0.1, "low", ["unfamiliarFeatures"]],
    ["a new nearby IP only: low (no travel)", known, "192.0.2.10", CHROME_LINUX, 0.1, "low", ["unfamiliarFeatures"]],
    ["a new IP and a new browser: medium", known, "192.0.2.10", FIREFOX_WINDOWS, 0.1, "medium", ["unfamiliarFeatures"]],
    ["London six minutes after Redmond: impossible travel, medium", known, "192.0.2.130", CHROME_LINUX, 0.1, "medium", ["unfamiliarFeatures", "unlikelyTravel"]],
    ["London twelve hours after Redmond: plausible", known, "192.0.2.130", CHROME_LINUX, 12, "low", ["unfamiliarFeatures"]],
    ["an unlocated IP cannot travel", known, "8.8.8.8", CHROME_LINUX, 0.1, "low", ["unfamiliarFeatures"]],
    ["an anonymising IP: high, even with no history", undefined, "203.0.113.200", CHROME_LINUX, 0.1, "high", ["anonymizedIPAddress"]],
    ["an anonymising IP for a known user: high", known, "203.0.113.200", CHROME_LINUX, 0.1, "high", ["anonymizedIPAddress", "unfamiliarFeatures"]],
  ];
  for (const [name, history, ip, ua, hours, level, types] of table_) {
    it(name, () => {
      const location = table.locate(ip);
      const result = detectSignInRisk(history, { ip, userAgent: ua, ...(location ? { location } : {}), at: T0 + hours * H }, table);
      assert.equal(result.level, level);
      assert.deepEqual(result.detections.map((d) => d.riskEventType), types);
    });
  }

  const passwords: [next: string, confirm: string, problem: RegExp | undefined][] = [
    ["Correct#Horse9", "Correct#Horse9", undefined],
    ["Correct#Horse9", "Correct#Horse8", /don't match/],
    ["", "", /Enter a new password/],
    ["Ab1#", "Ab1#", /between 8 and 256/],
    ["alllowercase", "alllowercase", /three of these/],
    ["Woodgrove#2026", "Woodgrove#2026", /reuse your current password/],
  ];
  for (const [next, confirm, problem] of passwords) {
    it(`password change: ${JSON.stringify(next)} / ${JSON.stringify(confirm)} ${problem ? "is refused" : "is accepted"}`, () => {
      const result = passwordProblem(next, confirm, "Woodgrove#2026");
      if (problem) assert.match(result ?? "", problem);
      else assert.equal(result, undefined);
    });
  }
});

interface TestUser {
  oid: string;
  userPrincipalName: string;
  password: string;
}

describe("simulated Identity Protection through the authorize flow", () => {
  const emu = useTestEmulator();
  const graphToken = useGraphAppToken(emu);

  async function newUser(methods: string[]): Promise<TestUser> {
    return (await (await emu().control("users", { methods })).json()) as TestUser;
  }

  async function startSignIn(user: TestUser, params: Record<string, string> = {}, userAgent = CHROME_LINUX): Promise<{ browser: TestBrowser; page: Page }> {
    const browser = new TestBrowser(emu());
    browser.userAgent = userAgent;
    let page = await browser.go(authorizeUrl(emu(), params));
    page = await browser.submit(page, "username", { loginfmt: user.userPrincipalName, passwd: user.password });
    return { browser, page };
  }

  async function latestEntry(oid: string): Promise<Record<string, unknown>> {
    const { body } = await graphGet(emu(), `auditLogs/signIns?$filter=${encodeURIComponent(`userId eq '${oid}'`)}&$top=1`, graphToken());
    const [entry] = body.value as Record<string, unknown>[];
    assert.ok(entry, "a sign-in log entry");
    return entry;
  }

  async function setNetwork(oid: string, ip: string | null): Promise<void> {
    const res = ip === null ? await emu().control(`users/${oid}/network`, undefined, "DELETE") : await emu().control(`users/${oid}/network`, { ip });
    assert.equal(res.status, 200);
  }

  it("a first sign-in establishes familiarity, so the same browser from loopback is never risky", async () => {
    const user = await newUser(["totp"]);
    for (let i = 0; i < 2; i++) {
      const { page } = await startSignIn(user);
      assert.ok(returned(page).get("code"), page.html.slice(0, 300));
      const entry = await latestEntry(user.oid);
      assert.deepEqual([entry.riskLevelDuringSignIn, entry.riskState, entry.riskEventTypes_v2], ["none", "none", []]);
      assert.equal((entry.location as { city: string }).city, "Redmond");
    }
  });

  it("impossible travel (medium) asks for MFA at sign-in; passing it remediates the sign-in risk", async () => {
    const user = await newUser(["totp"]);
    assert.ok(returned((await startSignIn(user)).page).get("code"));
    await setNetwork(user.oid, "192.0.2.130");
    const { browser, page } = await startSignIn(user);
    assert.match(page.html, /Enter code/);
    const done = await browser.submit(page, "totp", { otc: await totpCode(emu(), user.oid) });
    assert.ok(returned(done).get("code"));
    const entry = await latestEntry(user.oid);
    assert.equal(entry.ipAddress, "192.0.2.130");
    assert.deepEqual(entry.location, { city: "London", state: "England", countryOrRegion: "GB", geoCoordinates: { latitude: 51.5072, longitude: -0.1276 } });
    assert.deepEqual([entry.riskLevelDuringSignIn, entry.riskState, entry.riskDetail], ["medium", "remediated", "userPassedMFADrivenByRiskBasedPolicy"]);
    assert.deepEqual(entry.riskEventTypes_v2, ["unfamiliarFeatures", "unlikelyTravel"]);
    const policies = entry.appliedConditionalAccessPolicies as { displayName: string; result: string }[];
    assert.equal(policies.find((p) => p.displayName.startsWith("Sign-in risk medium"))?.result, "success");
    assert.equal(entry.authenticationRequirement, "multiFactorAuthentication");
    // Now familiar and at the same place: the next sign-in from London is not risky.
    const again = await startSignIn(user);
    assert.ok(returned(again.page).get("code"));
    await setNetwork(user.oid, null);
  });

  it("a new IP and a new browser (medium) at c1 raise it to phishing-resistant: a passkey, not the app", async () => {
    const user = await newUser(["totp", "passkey"]);
    const c1 = JSON.stringify({ access_token: { acrs: { essential: true, value: "c1" } } });
    assert.ok(returned((await startSignIn(user)).page).get("code"));
    await setNetwork(user.oid, "192.0.2.10");
    const { page } = await startSignIn(user, { claims: c1 }, FIREFOX_WINDOWS);
    assert.match(page.html, /Use a passkey/);
    assert.doesNotMatch(page.html, /authenticator app/);
    await setNetwork(user.oid, null);
  });

  it("risk that needs MFA from a user with no method ends in 53004, not in registration", async () => {
    const user = await newUser([]);
    assert.ok(returned((await startSignIn(user)).page).get("code"));
    await setNetwork(user.oid, "198.51.100.7");
    const { page } = await startSignIn(user);
    assert.equal(returned(page).get("error"), "access_denied");
    assert.match(returned(page).get("error_description") ?? "", /^AADSTS53004/);
    assert.equal(((await latestEntry(user.oid)).status as { errorCode: number }).errorCode, 53004);
    await setNetwork(user.oid, null);
  });

  it("an anonymising IP (high) is blocked with 53003 by the high-risk policy", async () => {
    const user = await newUser(["totp"]);
    await setNetwork(user.oid, "203.0.113.200");
    const { page } = await startSignIn(user);
    assert.match(returned(page).get("error_description") ?? "", /^AADSTS53003/);
    const entry = await latestEntry(user.oid);
    assert.equal((entry.status as { errorCode: number }).errorCode, 53003);
    assert.equal(entry.conditionalAccessStatus, "failure");
    assert.deepEqual([entry.riskLevelDuringSignIn, entry.riskState, entry.riskEventTypes_v2], ["high", "atRisk", ["anonymizedIPAddress"]]);
    const block = (entry.appliedConditionalAccessPolicies as { displayName: string; result: string; enforcedGrantControls: string[] }[]).find((p) => p.displayName === "Sign-in risk high: block");
    assert.deepEqual([block?.result, block?.enforcedGrantControls], ["failure", ["Block"]]);
    await setNetwork(user.oid, null);
  });

  it("high user risk: MFA, then the password change page; the new password works and the risk is remediated", async () => {
    const user = await newUser(["totp"]);
    const set = await emu().control(`users/${user.oid}/risk`, { userRisk: "high", reason: "leakedCredentials" });
    assert.deepEqual(
      (({ riskLevel, riskState, riskEventTypes }) => ({ riskLevel, riskState, riskEventTypes }))((await set.json()) as Record<string, unknown>),
      { riskLevel: "high", riskState: "atRisk", riskEventTypes: ["leakedCredentials"] },
    );
    const { browser, page } = await startSignIn(user);
    assert.match(page.html, /Enter code/, "MFA comes first");
    let next = await browser.submit(page, "totp", { otc: await totpCode(emu(), user.oid) });
    assert.match(next.html, /<h1>Update your password<\/h1>/);
    assert.match(next.html, /<label for="newPassword">New password<\/label>/);
    assert.match(next.html, /<label for="confirmPassword">Confirm password<\/label>/);
    next = await browser.submit(next, "password/change", { newPassword: "Fresh#Start42", confirmPassword: "Fresh#Start41" });
    assert.match(next.html, /role="alert">The passwords don&#39;t match/);
    next = await browser.submit(next, "password/change", { newPassword: "Fresh#Start42", confirmPassword: "Fresh#Start42" });
    assert.ok(returned(next).get("code"), next.html.slice(0, 300));
    const risk = (await (await emu().control(`users/${user.oid}/risk`)).json()) as Record<string, unknown>;
    assert.deepEqual([risk.riskLevel, risk.riskState, risk.riskDetail], ["none", "remediated", "userPerformedSecuredPasswordChange"]);
    const entry = await latestEntry(user.oid);
    assert.deepEqual([entry.riskLevelAggregated, entry.riskState, entry.riskDetail], ["high", "remediated", "userPerformedSecuredPasswordChange"]);
    assert.equal((entry.appliedConditionalAccessPolicies as { displayName: string; result: string }[]).find((p) => p.displayName.startsWith("User risk high"))?.result, "success");
    const old = await startSignIn(user);
    assert.match(old.page.html, /Your account or password is incorrect/);
    const fresh = await startSignIn({ ...user, password: "Fresh#Start42" });
    assert.ok(returned(fresh.page).get("code"), "no more password change once remediated");
  });

  it("high user risk stops a silent refresh: 50142 once MFA is fresh, 50076 before that; prompt=none likewise", async () => {
    const user = await newUser(["totp"]);
    const c1 = JSON.stringify({ access_token: { acrs: { essential: true, value: "c1" } } });
    const started = await startSignIn(user, { scope: "openid offline_access", claims: c1 });
    const { browser } = started;
    const page = await browser.submit(started.page, "totp", { otc: await totpCode(emu(), user.oid) });
    const tokens = await redeem(emu(), { grant_type: "authorization_code", code: returned(page).get("code") ?? "", client_id: WEB_CLIENT, client_secret: WEB_SECRET, redirect_uri: WEB_REDIRECT });
    await emu().control(`users/${user.oid}/risk`, { userRisk: "high" });
    const refresh = await redeem(emu(), { grant_type: "refresh_token", refresh_token: String(tokens.body.refresh_token), client_id: WEB_CLIENT, client_secret: WEB_SECRET });
    assert.deepEqual([refresh.body.error, refresh.body.error_codes, refresh.body.suberror], ["invalid_grant", [50142], "basic_action"]);
    // The policy's MFA is "every time": once the app code is older than 5 minutes, MFA is asked first.
    await emu().control(`users/${user.oid}/age-authentication`, { seconds: 400 });
    const stale = await redeem(emu(), { grant_type: "refresh_token", refresh_token: String(tokens.body.refresh_token), client_id: WEB_CLIENT, client_secret: WEB_SECRET });
    assert.deepEqual(stale.body.error_codes, [50076]);
    const silent = await browser.go(authorizeUrl(emu(), { prompt: "none" }));
    assert.equal(returned(silent).get("error"), "interaction_required");
    // Dismissing the risk (userRisk none) lets the same refresh token through: no policy applies any more.
    const dismissed = (await (await emu().control(`users/${user.oid}/risk`, { userRisk: "none" })).json()) as Record<string, unknown>;
    assert.deepEqual([dismissed.riskState, dismissed.riskDetail], ["dismissed", "adminDismissedAllRiskForUser"]);
    const ok = await redeem(emu(), { grant_type: "refresh_token", refresh_token: String(tokens.body.refresh_token), client_id: WEB_CLIENT, client_secret: WEB_SECRET });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it("the control routes validate input, and reset clears risk, networks and history", async () => {
    const user = await newUser([]);
    assert.equal((await emu().control(`users/${user.oid}/risk`, { userRisk: "severe" })).status, 400);
    assert.equal((await emu().control(`users/${user.oid}/network`, { ip: "not-an-ip" })).status, 400);
    assert.equal((await emu().control("users/00000000-0000-4000-8000-000000000000/risk", { userRisk: "high" })).status, 404);
    const located = (await (await emu().control(`users/${user.oid}/network`, { ip: "::ffff:198.51.100.200" })).json()) as Record<string, unknown>;
    assert.deepEqual([located.ip, (located.location as { city: string }).city, located.overridden], ["198.51.100.200", "Tokyo", true]);
    const custom = (await (await emu().control(`users/${user.oid}/network`, { ip: "10.1.2.3", location: { city: "Reykjavík", countryOrRegion: "IS", latitude: 64.1466, longitude: -21.9426 } })).json()) as Record<string, unknown>;
    assert.equal((custom.location as { city: string }).city, "Reykjavík");
    await emu().control(`users/${user.oid}/risk`, { userRisk: "medium" });
    const listed = (await (await emu().control("risky-users")).json()) as { value: { id: string; riskLevel: string }[] };
    assert.equal(listed.value.find((u) => u.id === user.oid)?.riskLevel, "medium");
    await emu().control("reset", {});
    await graphToken.renew();
    const megan = "a7e59c2e-59a4-4040-9c4c-9c897ce9dfb9";
    assert.equal(((await (await emu().control(`users/${megan}/network`)).json()) as { overridden: boolean }).overridden, false);
    assert.equal(((await (await emu().control("risky-users")).json()) as { value: { riskLevel: string }[] }).value.every((u) => u.riskLevel === "none"), true);
    const { body } = await graphGet(emu(), "auditLogs/signIns", graphToken());
    assert.deepEqual(body.value, []);
  });
});
