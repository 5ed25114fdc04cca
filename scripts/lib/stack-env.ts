import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";

/** Repository root (scripts/lib/..). */
export const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** Where `npm run certs` writes the dev CA, the localhost leaf, the Node bundle and the SPKI pin. */
export const CERT_DIR = path.join(ROOT, ".data", "certs");
export const NODE_CA_BUNDLE = path.join(CERT_DIR, "node-ca-bundle.pem");
export const SPKI_FILE = path.join(CERT_DIR, "spki.txt");

/** Reads a dotenv file into an object (Node's own parser; no dotenv dependency). */
export function readEnvFile(file: string): Record<string, string> {
  return existsSync(file) ? (parseEnv(readFileSync(file, "utf8")) as Record<string, string>) : {};
}

export interface StackOptions {
  portalPort: number;
  emulatorPort: number;
  databaseUrl?: string;
  /** Extra variables (e.g. a per-run AUTH_SECRET or control secret). */
  overrides?: Record<string, string>;
  /** Layer the developer's `.env` over `.env.example` (the demo does; tests stay hermetic). */
  includeDotEnv?: boolean;
}

/**
 * The environment for the portal and the emulator started together: `.env.example`, then
 * (for the demo) `.env`, then the ports and overrides. The two must agree on the portal origin and the issuer;
 * this is the one place that keeps them in step.
 */
export function stackEnv({ portalPort, emulatorPort, databaseUrl, overrides = {}, includeDotEnv = false }: StackOptions): Record<string, string> {
  const base = { ...readEnvFile(path.join(ROOT, ".env.example")), ...(includeDotEnv ? readEnvFile(path.join(ROOT, ".env")) : {}) };
  const tenant = base.EMULATOR_TENANT_ID;
  if (!tenant) throw new Error("EMULATOR_TENANT_ID is missing from .env.example/.env");
  const portalOrigin = `http://localhost:${portalPort}`;
  return {
    ...base,
    AUTH_URL: portalOrigin,
    PORTAL_ORIGIN: portalOrigin,
    EMULATOR_PORT: String(emulatorPort),
    AUTH_MICROSOFT_ENTRA_ID_ISSUER: `https://localhost:${emulatorPort}/${tenant}/v2.0`,
    ENTRA_GRAPH_URL: `https://localhost:${emulatorPort}`,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    NEXT_TELEMETRY_DISABLED: "1",
    ...overrides,
  };
}

/** The variables Node must see at process start to trust the emulator's dev CA. */
export function nodeTrustEnv(): Record<string, string> {
  return { NODE_EXTRA_CA_CERTS: NODE_CA_BUNDLE };
}
