/**
 * CLI entry: `npm run emulator [-- --reset] [-- --test-control]`.
 * Configuration comes from the environment (see README); a bad value stops with one message
 * naming the variable.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { IDS } from "./apps.js";
import { POLICY_SET_NAMES } from "./policy.js";
import { startEmulator } from "./server.js";

const envSchema = z.object({
  EMULATOR_PORT: z.coerce.number().int().min(1).max(65535).default(8443),
  EMULATOR_HOST: z.string().regex(/^[a-z0-9.-]+$/i, "must be a host name such as localhost").default("localhost"),
  EMULATOR_TENANT_ID: z.uuid().default(IDS.tenantId),
  PORTAL_ORIGIN: z.url({ protocol: /^https?$/ }).default("http://localhost:3000"),
  EMULATOR_DATA_DIR: z.string().min(1).default(".data/emulator"),
  EMULATOR_CERT_DIR: z.string().min(1).default(".data/certs"),
  EMULATOR_CONTROL_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  EMULATOR_LOG: z.enum(["json", "off"]).default("json"),
  EMULATOR_POLICY_SET: z.enum(POLICY_SET_NAMES).default("production"),
});

function fatal(message: string): never {
  console.error(`Entra ID emulator: ${message}`);
  process.exit(1);
}

async function main(): Promise<void> {
  let flags;
  try {
    flags = parseArgs({ options: { reset: { type: "boolean", default: false }, "test-control": { type: "boolean", default: false } }, strict: true }).values;
  } catch (err) {
    fatal(err instanceof Error ? err.message : String(err));
  }
  const raw = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => k in envSchema.shape && v !== ""));
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fatal(`environment variable ${String(issue?.path[0] ?? "?")} is invalid: ${issue?.message ?? "bad value"}`);
  }
  const env = parsed.data;
  if (flags["test-control"] && !env.EMULATOR_CONTROL_SECRET) {
    fatal("environment variable EMULATOR_CONTROL_SECRET is required with --test-control (at least 32 characters)");
  }
  const emulator = await startEmulator({
    port: env.EMULATOR_PORT,
    host: env.EMULATOR_HOST,
    tenantId: env.EMULATOR_TENANT_ID,
    portalOrigin: env.PORTAL_ORIGIN,
    dataDir: env.EMULATOR_DATA_DIR,
    certDir: env.EMULATOR_CERT_DIR,
    policySet: env.EMULATOR_POLICY_SET,
    reset: flags.reset ?? false,
    ...(flags["test-control"] && env.EMULATOR_CONTROL_SECRET ? { controlSecret: env.EMULATOR_CONTROL_SECRET } : {}),
    ...(env.EMULATOR_LOG === "json" ? { logger: (line: string) => console.log(line) } : {}),
  });
  console.log(`Entra ID emulator listening on ${emulator.origin} (tenant ${emulator.tenantId}, policy set ${env.EMULATOR_POLICY_SET}${flags["test-control"] ? ", test control enabled" : ""})`);
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  const code = (err as { code?: string }).code;
  if (code === "EADDRINUSE") fatal("the port is already in use (set EMULATOR_PORT)");
  fatal(err instanceof Error ? err.message : String(err));
});
