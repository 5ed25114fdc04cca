import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { CERT_DIR, ROOT, SPKI_FILE, readEnvFile } from "../../scripts/lib/stack-env";

/**
 * Settings shared by playwright.config.ts and the fixtures. Playwright evaluates the config in
 * the runner and again in every worker, so values chosen at random (free ports, the control
 * secret) are chosen once and handed down through the environment the workers inherit.
 */
export interface E2eSettings {
  portalPort: number;
  /** A second portal instance whose identity provider is down (nothing listens on its port). */
  idpDownPortalPort: number;
  emulatorPort: number;
  deadEmulatorPort: number;
  /** The staging stack: a portal with STEP_UP_POLICY_SET=staging and its emulator on the staging policy set. */
  stagingPortalPort: number;
  stagingEmulatorPort: number;
  controlSecret: string;
  databaseUrl: string;
  /** Folder for this run's files (SQLite database, emulator state). */
  runDir: string;
  tenantId: string;
  portalOrigin: string;
  emulatorOrigin: string;
  spki: string;
  caFile: string;
}

function freePortSync(): number {
  const script = 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})';
  return Number(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }));
}

function once(name: string, make: () => string): string {
  process.env[name] ??= make();
  return process.env[name]!;
}

/** Reads or chooses the run's settings (see the type). */
export function e2eSettings(): E2eSettings {
  const portalPort = Number(once("E2E_PORTAL_PORT", () => String(freePortSync())));
  const idpDownPortalPort = Number(once("E2E_IDP_DOWN_PORTAL_PORT", () => String(freePortSync())));
  const emulatorPort = Number(once("E2E_EMULATOR_PORT", () => String(freePortSync())));
  const deadEmulatorPort = Number(once("E2E_DEAD_EMULATOR_PORT", () => String(freePortSync())));
  const stagingPortalPort = Number(once("E2E_STAGING_PORTAL_PORT", () => String(freePortSync())));
  const stagingEmulatorPort = Number(once("E2E_STAGING_EMULATOR_PORT", () => String(freePortSync())));
  const controlSecret = once("E2E_CONTROL_SECRET", () => randomBytes(32).toString("base64url"));
  // Per-run folders (keyed by the portal's port), so two runs on one machine never share state.
  const runDir = once("E2E_RUN_DIR", () => path.join(ROOT, ".data", "e2e", `run-${portalPort}`));
  const databaseUrl = once("E2E_DATABASE_URL", () => `file:${path.join(runDir, "portal.db")}`);
  if (!existsSync(SPKI_FILE)) {
    execFileSync(process.execPath, ["--import", "tsx", path.join(ROOT, "emulator", "certs.ts")], { stdio: "inherit", cwd: ROOT });
  }
  const tenantId = readEnvFile(path.join(ROOT, ".env.example")).EMULATOR_TENANT_ID ?? "";
  return {
    portalPort,
    idpDownPortalPort,
    emulatorPort,
    deadEmulatorPort,
    stagingPortalPort,
    stagingEmulatorPort,
    controlSecret,
    databaseUrl,
    runDir,
    tenantId,
    portalOrigin: `http://localhost:${portalPort}`,
    emulatorOrigin: `https://localhost:${emulatorPort}`,
    spki: readFileSync(SPKI_FILE, "utf8").trim(),
    caFile: path.join(CERT_DIR, "ca.pem"),
  };
}

/** A policy set the end-to-end stacks run: `production` (the default stack) or `staging`. */
export type StackName = "production" | "staging";

/**
 * The settings as seen from one stack: the staging stack has its own portal and emulator (same
 * database, certificate and control secret), so fixtures and page objects work unchanged there.
 */
export function stackSettings(settings: E2eSettings, stack: StackName): E2eSettings {
  if (stack === "production") return settings;
  return {
    ...settings,
    portalPort: settings.stagingPortalPort,
    emulatorPort: settings.stagingEmulatorPort,
    portalOrigin: `http://localhost:${settings.stagingPortalPort}`,
    emulatorOrigin: `https://localhost:${settings.stagingEmulatorPort}`,
  };
}
