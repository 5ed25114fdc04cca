/**
 * `npm run totp -- <user>`: prints the current authenticator-app code of a demo user from
 * emulator/directory.json, for people trying the demo without adding the secret to a phone.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { TOTP } from "otpauth";
import { ROOT } from "./lib/stack-env";

interface DirectoryUser {
  userPrincipalName: string;
  methods?: Array<{ type: string; secret?: string }>;
}

const who = (process.argv[2] ?? "").toLowerCase();
const directory = JSON.parse(readFileSync(path.join(ROOT, "emulator", "directory.json"), "utf8")) as { users: DirectoryUser[] };
const user = directory.users.find((u) => u.userPrincipalName.toLowerCase() === who || u.userPrincipalName.toLowerCase().startsWith(`${who}@`));
const secret = user?.methods?.find((m) => m.type === "softwareOath")?.secret;
if (!user || !secret) {
  const known = directory.users.filter((u) => u.methods?.some((m) => m.type === "softwareOath")).map((u) => u.userPrincipalName);
  console.error(`usage: npm run totp -- <user>; users with an authenticator app: ${known.join(", ")}`);
  process.exit(1);
}
const totp = new TOTP({ secret, digits: 6, period: 30, algorithm: "SHA1" });
const remaining = 30 - (Math.floor(Date.now() / 1000) % 30);
console.log(`${totp.generate()}  (${user.userPrincipalName}, valid for ${remaining} more seconds)`);
