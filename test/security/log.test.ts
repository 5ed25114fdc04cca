import { test } from "node:test";
import assert from "node:assert/strict";
import { createLogger, redactText, redactValue, REDACTED, type LogLevel } from "@/lib/log";

const jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

function capture() {
  const lines: Array<{ level: LogLevel; line: string }> = [];
  const logger = createLogger("test", { write: (level, line) => lines.push({ level, line }) }, () => new Date("2026-11-29T12:00:00Z"));
  return { logger, lines, parsed: () => lines.map(({ line }) => JSON.parse(line) as Record<string, unknown>) };
}

test("a line is one JSON object with time, level, component, event and the fields", () => {
  const { logger, lines, parsed } = capture();
  logger.info("transfer.executed", { userId: "u1", amountMinor: 1250, ok: true });
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.line.includes("\n"), false);
  assert.deepEqual(parsed()[0], { time: "2026-11-29T12:00:00.000Z", level: "info", component: "test", event: "transfer.executed", userId: "u1", amountMinor: 1250, ok: true });
});

test("fields named like secrets are replaced whole, whatever their value looks like", () => {
  const value = redactValue({ token: "short", Authorization: "x", "set-cookie": ["a=b"], nested: { session_token: "abc", fullNumber: "1234" }, code: "x1" }) as Record<string, unknown>;
  assert.deepEqual(value, { token: REDACTED, Authorization: REDACTED, "set-cookie": REDACTED, nested: { session_token: REDACTED, fullNumber: REDACTED }, code: REDACTED });
});

test("JWTs, bearer credentials, cookies, codes and account numbers are scrubbed from free text", () => {
  assert.equal(redactText(`proof ${jwt} rejected`), "proof [redacted:jwt] rejected");
  assert.equal(redactText("Authorization: Bearer abcdefgh.ijk"), "Authorization: Bearer [redacted]");
  assert.equal(redactText("cookie __Secure-authjs.session-token=abc123; other=1"), "cookie __Secure-authjs.session-token=[redacted]; other=1");
  assert.equal(redactText("GET /api/auth/callback/x?code=AQAB-secret&state=s1"), "GET /api/auth/callback/x?code=[redacted]&state=[redacted]");
  assert.equal(redactText("account 4000123412344821 and 4000 1234 1234 4821"), "account [redacted:number] and [redacted:number]");
  assert.equal(redactText("your code is 123456."), "your code is [redacted:code].");
  // Correlation ids keep their digits.
  assert.equal(redactText("correlation abc92796-86bd-4123-9876-123456789012"), "correlation abc92796-86bd-4123-9876-123456789012");
  // Times, dates and amounts are not codes.
  assert.equal(redactText("at 2026-11-29T12:00:00Z moved 1250.00"), "at 2026-11-29T12:00:00Z moved 1250.00");
});

test("control characters cannot forge a second line or hide text", () => {
  const { logger, lines, parsed } = capture();
  logger.warn("csp.violation", { blocked: 'x\n{"level":"info","event":"forged"}\u001b[31m\u202e' });
  assert.equal(lines.length, 1);
  assert.equal(parsed()[0]!.blocked, 'x\\u000a{"level":"info","event":"forged"}\\u001b[31m\\u202e');
});

test("errors are logged by name and message only, scrubbed; never their stack or cause", () => {
  const { logger, parsed } = capture();
  const error = new Error(`token ${jwt} was bad`, { cause: { accessToken: jwt } });
  logger.error("step_up.unexpected", { correlationId: "c-1" }, error);
  const line = parsed()[0]!;
  assert.deepEqual(line.error, { name: "Error", message: "token [redacted:jwt] was bad" });
  assert.equal(JSON.stringify(line).includes("eyJ"), false);
  assert.equal(JSON.stringify(line).includes("stack"), false);
});

test("errors go to the error stream, the rest to the standard one", () => {
  const { logger, lines } = capture();
  logger.info("a");
  logger.error("b");
  assert.deepEqual(lines.map((l) => l.level), ["info", "error"]);
});
