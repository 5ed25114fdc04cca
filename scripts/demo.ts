/**
 * `npm run demo` (built portal) and `npm run dev` (hot reload, with --dev): one process that
 * takes a fresh clone to a running portal. It writes .env when missing, creates the dev
 * certificates, migrates and seeds the database, builds, then runs the emulator and the portal
 * together with prefixed logs until Ctrl-C.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { ROOT, CERT_DIR, nodeTrustEnv, readEnvFile, stackEnv } from "./lib/stack-env";
import { isPortInUse, mustRun, startProcess, waitForUrl, type ManagedProcess } from "./lib/processes";

const dev = process.argv.includes("--dev");
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

function ensureDotEnv() {
  const file = path.join(ROOT, ".env");
  if (existsSync(file)) return;
  copyFileSync(path.join(ROOT, ".env.example"), file);
  const secret = randomBytes(33).toString("base64");
  writeFileSync(file, readFileSync(file, "utf8").replace(/^AUTH_SECRET=.*$/m, `AUTH_SECRET=${secret}`));
  console.log("Wrote .env from .env.example with a freshly generated AUTH_SECRET.");
}

ensureDotEnv();
const fileEnv = readEnvFile(path.join(ROOT, ".env"));
const portalPort = Number(new URL(fileEnv.AUTH_URL ?? "http://localhost:3000").port || 80);
const emulatorPort = Number(fileEnv.EMULATOR_PORT ?? 8443);
const env = { ...process.env, ...stackEnv({ portalPort, emulatorPort, includeDotEnv: true }), ...nodeTrustEnv() };

for (const [what, port, variable] of [["portal", portalPort, "AUTH_URL and PORTAL_ORIGIN"], ["emulator", emulatorPort, "EMULATOR_PORT (and the issuer URL)"]] as const) {
  if (await isPortInUse(port)) {
    console.error(`Port ${port} (the ${what}) is already in use. Stop whatever runs there, or choose another port in .env (${variable}).`);
    process.exit(1);
  }
}

await mustRun(process.execPath, ["--import", "tsx", "emulator/certs.ts"], { cwd: ROOT, env });
await mustRun(bin("prisma"), ["generate"], { cwd: ROOT, env });
await mustRun(process.execPath, ["--import", "tsx", "scripts/db/migrate.ts", "deploy"], { cwd: ROOT, env });
await mustRun(process.execPath, ["--import", "tsx", "prisma/seed.ts"], { cwd: ROOT, env });
if (!dev) await mustRun(bin("next"), ["build"], { cwd: ROOT, env });

const processes: ManagedProcess[] = [
  startProcess("emulator", process.execPath, ["--import", "tsx", "emulator/main.ts"], { cwd: ROOT, env }),
  startProcess("portal", bin("next"), [dev ? "dev" : "start", "--hostname", "localhost", "--port", String(portalPort)], { cwd: ROOT, env }),
];

let stopping = false;
async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping the portal and the emulator…");
  await Promise.all(processes.map((p) => p.stop()));
  process.exit(code);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));
for (const p of processes) {
  void p.exited.then((code) => {
    if (!stopping) {
      console.error(`[${p.name}] exited with code ${code}; stopping the rest.`);
      void stopAll(code || 1);
    }
  });
}

const portalUrl = `http://localhost:${portalPort}`;
const tenant = env.EMULATOR_TENANT_ID;
const isAlive = () => !stopping;
try {
  const ca = readFileSync(path.join(CERT_DIR, "ca.pem"));
  await waitForUrl(`https://localhost:${emulatorPort}/${tenant}/v2.0/.well-known/openid-configuration`, 60_000, { isAlive, ca });
  await waitForUrl(`${portalUrl}/api/auth/providers`, 120_000, { isAlive });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stopAll(1);
}

interface DirectoryUser {
  userPrincipalName: string;
  displayName: string;
  persona: string;
  password: string;
}
const directory = JSON.parse(readFileSync(path.join(ROOT, "emulator", "directory.json"), "utf8")) as { users: DirectoryUser[] };
const users = directory.users.map((u) => `    ${u.userPrincipalName.padEnd(24)} ${u.password.padEnd(16)} ${u.displayName} (${u.persona})`).join("\n");

console.log(`
────────────────────────────────────────────────────────────────────────────
  Woodgrove Bank portal   ${portalUrl}
  Entra ID emulator       https://localhost:${emulatorPort}  (tenant ${tenant})

  Demo users (username, password, who):
${users}

  Verification codes: add a user's TOTP secret (emulator/directory.json) to an
  authenticator app, or print the current code:  npm run totp -- megan@woodgrove.test

  Your browser must trust the emulator's dev CA (one time):
    ${path.join(CERT_DIR, "ca.pem")}
  See emulator/README.md ("Trusting the dev CA"). Press Ctrl-C to stop.
────────────────────────────────────────────────────────────────────────────
`);
