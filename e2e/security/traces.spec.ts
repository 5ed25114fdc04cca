import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import { test, expect } from "../fixtures";

/**
 * A failing test's trace is kept and shared (a CI artifact, an attachment to a bug), so it must
 * not hold the passwords the tests type. The page objects type them with `fillSecret`
 * (e2e/support/secrets.ts); this test records a sign-in's trace, a wrong password and the right
 * one, and searches every file of it (actions, DOM snapshots, the network log and its bodies).
 */
// The test starts its own tracing; the runner's would already be running on the context.
test.use({ trace: "off" });

test.describe("what a trace keeps @security", () => {
  test("a sign-in's trace holds the username but no password, typed wrong or right", async ({ page, persona, home, identityProvider, dashboard }, testInfo) => {
    const user = await persona("totp");
    const wrongPassword = `Wrong#${randomBytes(9).toString("base64url")}`;
    const file = testInfo.outputPath("sign-in-trace.zip");

    await page.context().tracing.start({ snapshots: true });
    await home.goto();
    await home.startSignIn();
    await identityProvider.signIn({ ...user, password: wrongPassword });
    await identityProvider.expectError("AADSTS50126");
    await identityProvider.retryPassword(user.password);
    await dashboard.expectSignedInAs(user.displayName);
    await page.context().tracing.stop({ path: file });

    const entries = readZip(readFileSync(file));
    const trace = [...entries.values()].map((content) => content.toString("latin1")).join("\n");
    // The search looks where a password would be: both password posts and the username are there.
    expect(entries.get("trace.network")?.toString("utf8").match(/\/login\/password/g)?.length).toBeGreaterThanOrEqual(2);
    expect(trace).toContain(user.userPrincipalName);
    for (const secret of [wrongPassword, user.password]) {
      for (const encoded of [secret, new URLSearchParams({ v: secret }).toString().slice(2), Buffer.from(secret).toString("base64")]) {
        expect(trace.includes(encoded), "a password appears in the trace").toBe(false);
      }
    }
  });
});

/** The files of a zip archive (stored or deflated entries, as Playwright writes traces). */
function readZip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error("not a zip archive");
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    files.set(name, method === 8 ? inflateRawSync(data) : data);
    at += 46 + skip;
  }
  return files;
}
