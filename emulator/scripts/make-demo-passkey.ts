/**
 * Regenerates the seeded demo passkeys of the passkey personas in emulator/directory.json
 * (adele, alex). Run: `npx tsx emulator/scripts/make-demo-passkey.ts [--force]`.
 * Without --force, users who already have a passkey keep it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createDemoPasskey } from "../mfa.js";

const PASSKEY_UPNS = ["adele@woodgrove.test", "alex@woodgrove.test"];

interface RawUser {
  oid: string;
  userPrincipalName: string;
  methods: { type: string }[];
}

const file = fileURLToPath(new URL("../directory.json", import.meta.url));
const force = process.argv.includes("--force");
const doc = JSON.parse(readFileSync(file, "utf8")) as { users: RawUser[] };
let changed = 0;
for (const user of doc.users) {
  if (!PASSKEY_UPNS.includes(user.userPrincipalName)) continue;
  if (!force && user.methods.some((m) => m.type === "fido2")) continue;
  user.methods = user.methods.filter((m) => m.type !== "fido2");
  const { method } = createDemoPasskey(user.oid);
  user.methods.push({
    $comment: "DEMO/TEST ONLY: testPrivateKeyPkcs8 lets tests load this credential into a virtual authenticator. Never do this with a real passkey.",
    ...method,
  } as { type: string });
  changed += 1;
}
if (changed) {
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`Wrote ${changed} demo passkey(s) to ${file}`);
}
