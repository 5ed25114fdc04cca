/**
 * Helpers for the step-up tests: a valid environment (the .env.example values, a random
 * AUTH_SECRET and a migrated temp SQLite database) set before any lib module is imported, and a
 * small jose token minter with a local RSA key, so proofs of every kind of wrong can be made.
 *
 * lib modules read lib/env.ts at import, so test files call `prepareEnvironment()` first and
 * import lib modules dynamically after it.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { REPO_ROOT, runTsx } from "../db/support";
import { createTestDatabaseUrl } from "../support/test-database";

/** The .env.example values the portal runs with against the emulator. */
export function exampleEnv(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of readFileSync(path.join(REPO_ROOT, ".env.example"), "utf8").split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) values[match[1]] = match[2];
  }
  return values;
}

/** The environment the tests run with, and the temp folder to remove at the end. */
export interface TestEnvironment {
  env: Record<string, string>;
  tenantId: string;
  issuer: string;
  cleanup(): void;
}

/**
 * Sets process.env for lib/env.ts and (unless `migrate: false`) applies the migrations to a
 * fresh database (SQLite, or PostgreSQL under `TEST_POSTGRES_URL`: test/support/test-database.ts). Call it before importing any lib module.
 */
export async function prepareEnvironment(options: { migrate?: boolean } = {}): Promise<TestEnvironment> {
  const dir = mkdtempSync(path.join(tmpdir(), "woodgrove-step-up-"));
  const databaseUrl = await createTestDatabaseUrl(dir);
  const env: Record<string, string> = {
    ...exampleEnv(),
    NODE_ENV: "test",
    AUTH_SECRET: randomBytes(33).toString("base64"),
    DATABASE_URL: databaseUrl,
    STEP_UP_POLICY_SET: "production",
  };
  Object.assign(process.env, env);
  if (options.migrate ?? true) {
    const deploy = await runTsx("scripts/db/migrate.ts", ["deploy"], { DATABASE_URL: databaseUrl });
    if (deploy.code !== 0) throw new Error(`migrations failed: ${deploy.stderr}`);
  }
  const issuer = env.AUTH_MICROSOFT_ENTRA_ID_ISSUER ?? "";
  const tenantId = new URL(issuer).pathname.split("/")[1] ?? "";
  return { env, tenantId, issuer, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A signing key pair and the JWKS a verifier trusts. */
export interface TestKeys {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicPem: string;
  kid: string;
  jwks: JWTVerifyGetKey;
}

/** A fresh RS256 key pair, published as a local JWKS. */
export async function createTestKeys(kid = `test-${randomUUID()}`): Promise<TestKeys> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const spki = Buffer.from(await crypto.subtle.exportKey("spki", publicKey)).toString("base64");
  const publicPem = `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g)?.join("\n")}\n-----END PUBLIC KEY-----\n`;
  return { privateKey, publicKey, publicPem, kid, jwks: createLocalJWKSet({ keys: [jwk] }) };
}

/** Who the proofs are for and what they are issued to. */
export interface ProofTemplate {
  issuer: string;
  tenantId: string;
  objectId: string;
  audience: string;
  spaClientId: string;
  scope: string;
}

/**
 * Claims of a good v2.0 access token for the portal API (the emulator's shape), at `now`.
 * Override or delete (`undefined`) members to make bad ones.
 */
export function proofClaims(template: ProofTemplate, now: Date, overrides: Record<string, unknown> = {}): JWTPayload {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: Record<string, unknown> = {
    aud: template.audience,
    iss: template.issuer,
    iat,
    nbf: iat,
    exp: iat + 3600,
    azp: template.spaClientId,
    azpacr: "0",
    tid: template.tenantId,
    oid: template.objectId,
    sub: "pairwise-subject",
    scp: template.scope,
    name: "Megan Bowen",
    preferred_username: "megan@woodgrove.test",
    uti: randomBytes(16).toString("base64url"),
    ver: "2.0",
    acrs: ["c1"],
    auth_time: iat - 30,
    ...overrides,
  };
  for (const [key, value] of Object.entries(claims)) if (value === undefined) delete claims[key];
  return claims as JWTPayload;
}

/** Signs claims with RS256 (or another header) using the test key. */
export async function signProof(keys: TestKeys, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", kid: keys.kid, ...header }).sign(keys.privateKey);
}

/** An unsigned token (`alg: none`). */
export function unsignedToken(claims: JWTPayload): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "none", typ: "JWT" })}.${encode(claims)}.`;
}

/** The algorithm-confusion forgery: HS256 "signed" with the RSA public key's PEM as the HMAC secret. */
export async function hs256WithPublicKey(keys: TestKeys, claims: JWTPayload): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: keys.kid })
    .sign(new TextEncoder().encode(keys.publicPem));
}
