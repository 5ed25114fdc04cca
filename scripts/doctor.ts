/**
 * `npm run doctor`: checks the portal's configuration against its identity provider (the
 * emulator or a real Entra ID tenant) and says what is wrong and how to fix it. The checks are
 * in scripts/doctor/checks.ts; this file picks the configuration the way `next start` would
 * (the environment, then .env.local, then .env; .env.example when neither file exists) and
 * prints the report. Exit code 1 when any check fails.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { NODE_CA_BUNDLE, ROOT, readEnvFile } from "./lib/stack-env";
import { runDoctor, type Status } from "./doctor/checks";

// Node reads NODE_EXTRA_CA_CERTS only at start: run again trusting the emulator's dev CA. The
// bundle holds the system's CAs too, so a real tenant is trusted as before.
if (process.env.NODE_EXTRA_CA_CERTS !== NODE_CA_BUNDLE && existsSync(NODE_CA_BUNDLE)) {
  const rerun = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: NODE_CA_BUNDLE },
  });
  process.exit(rerun.status ?? 1);
}

const files = [".env", ".env.local"].filter((name) => existsSync(path.join(ROOT, name)));
const sources = files.length > 0 ? files : [".env.example"];
const fileValues = Object.assign({}, ...sources.map((name) => readEnvFile(path.join(ROOT, name)))) as Record<string, string>;
const configuration = { ...fileValues, ...process.env };

console.log(`Checking the configuration from ${sources.join(" + ")} and the environment.`);
console.log(`Identity provider: ${configuration.AUTH_MICROSOFT_ENTRA_ID_ISSUER ?? "(AUTH_MICROSOFT_ENTRA_ID_ISSUER not set)"}\n`);

const mark: Record<Status, string> = { ok: "ok  ", warn: "WARN", fail: "FAIL" };
const findings = await runDoctor(configuration);
for (const finding of findings) {
  console.log(`${mark[finding.status]}  ${finding.check}: ${finding.detail}`);
  if (finding.fix) console.log(`      fix: ${finding.fix}`);
}
const failed = findings.filter((finding) => finding.status === "fail").length;
const warned = findings.filter((finding) => finding.status === "warn").length;
console.log(`\n${failed ? `${failed} problem(s)` : "No problems"}${warned ? `, ${warned} warning(s)` : ""}.`);
process.exit(failed ? 1 : 0);
