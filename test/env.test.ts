/**
 * lib/env.ts: a bad configuration stops the portal with one message naming each bad
 * variable, and a production start refuses the secrets published in .env.example.
 * Each case runs in a child process, because the configuration is parsed at import.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { parseEnv } from "node:util";
import { REPO_ROOT } from "./db/support";

const example = parseEnv(readFileSync(path.join(REPO_ROOT, ".env.example"), "utf8")) as Record<string, string>;
const goodSecret = "a-real-secret-that-is-long-enough-0123456789";

function loadEnv(vars: Record<string, string | undefined>) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "" };
  for (const [key, value] of Object.entries(vars)) if (value !== undefined) env[key] = value;
  const result = spawnSync(process.execPath, ["--import", "tsx", "--conditions=react-server", "--input-type=module", "-e", "await import('./lib/env.ts')"], {
    cwd: REPO_ROOT,
    env: env as NodeJS.ProcessEnv,
    encoding: "utf8",
  });
  return { code: result.status, stderr: result.stderr };
}

test("the example configuration loads in development", () => {
  const { code, stderr } = loadEnv({ ...example, NODE_ENV: "development" });
  assert.equal(code, 0, stderr);
});

test("a missing variable is named", () => {
  const { code, stderr } = loadEnv({ ...example, AUTH_MICROSOFT_ENTRA_ID_ISSUER: undefined });
  assert.notEqual(code, 0);
  assert.match(stderr, /Invalid portal configuration/);
  assert.match(stderr, /AUTH_MICROSOFT_ENTRA_ID_ISSUER/);
});

test("every wrong variable is named, with what is wrong", () => {
  const { code, stderr } = loadEnv({ ...example, ENTRA_SPA_CLIENT_ID: "not-a-guid", DATABASE_URL: "mysql://x", AUTH_SECRET: "short" });
  assert.notEqual(code, 0);
  assert.match(stderr, /ENTRA_SPA_CLIENT_ID: must be a GUID/);
  assert.match(stderr, /DATABASE_URL: must be a file: \(SQLite\) or postgresql:\/\/ URL/);
  assert.match(stderr, /AUTH_SECRET: must be at least 32 characters/);
});

test("session limits cannot be configured above 30 minutes idle or 12 hours absolute", () => {
  const { code, stderr } = loadEnv({ ...example, SESSION_IDLE_MINUTES: "45", SESSION_ABSOLUTE_HOURS: "24" });
  assert.notEqual(code, 0);
  assert.match(stderr, /SESSION_IDLE_MINUTES/);
  assert.match(stderr, /SESSION_ABSOLUTE_HOURS/);
});

test("a production start refuses the example AUTH_SECRET", () => {
  const { code, stderr } = loadEnv({ ...example, NODE_ENV: "production" });
  assert.notEqual(code, 0);
  assert.match(stderr, /AUTH_SECRET: is the example value/);
  assert.equal(loadEnv({ ...example, NODE_ENV: "production", AUTH_SECRET: goodSecret }).code, 0);
});

test("a production start refuses the emulator's published client secret for a real tenant", () => {
  const realTenant = { ...example, NODE_ENV: "production", AUTH_SECRET: goodSecret, AUTH_MICROSOFT_ENTRA_ID_ISSUER: `https://login.microsoftonline.com/${example.EMULATOR_TENANT_ID}/v2.0` };
  const { code, stderr } = loadEnv(realTenant);
  assert.notEqual(code, 0);
  assert.match(stderr, /AUTH_MICROSOFT_ENTRA_ID_SECRET: is the local emulator's published secret/);
});

test("the API must be its own app registration (else every proof would look like an ID token)", () => {
  const { code, stderr } = loadEnv({ ...example, ENTRA_API_CLIENT_ID: example.ENTRA_SPA_CLIENT_ID });
  assert.notEqual(code, 0);
  assert.match(stderr, /ENTRA_API_CLIENT_ID: must be its own app registration/);
});
