/**
 * Local development certificates: a dev CA and a `localhost` leaf it signs, written once to
 * `.data/certs/` (or `EMULATOR_CERT_DIR`). Run as `npm run certs`; quiet when nothing changes.
 */
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { rootCertificates } from "node:tls";
import { pathToFileURL } from "node:url";
import { generate } from "selfsigned";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Regenerate when a certificate has less than this left. */
const RENEW_BEFORE_MS = 30 * DAY_MS;
/** Browsers reject server certificates valid for more than 398 days; stay under it. */
const LEAF_VALIDITY_MS = 397 * DAY_MS;
const CA_VALIDITY_MS = 5 * 365 * DAY_MS;

/** Paths of the files `ensureCerts` maintains (names fixed by docs/contracts.md). */
export interface CertPaths {
  dir: string;
  ca: string;
  caKey: string;
  leaf: string;
  leafKey: string;
  nodeBundle: string;
  spki: string;
}

/** The file layout inside a certificate directory. */
export function certPaths(dir: string): CertPaths {
  const d = resolve(dir);
  return {
    dir: d,
    ca: join(d, "ca.pem"),
    caKey: join(d, "ca-key.pem"),
    leaf: join(d, "localhost.pem"),
    leafKey: join(d, "localhost-key.pem"),
    nodeBundle: join(d, "node-ca-bundle.pem"),
    spki: join(d, "spki.txt"),
  };
}

function writeAtomic(file: string, content: string, mode = 0o644): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}

function usable(certFile: string, keyFile: string, now: number): X509Certificate | undefined {
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  try {
    const cert = new X509Certificate(readFileSync(certFile));
    return new Date(cert.validTo).getTime() - now > RENEW_BEFORE_MS ? cert : undefined;
  } catch {
    return undefined;
  }
}

/** Base64 SHA-256 of a certificate's SubjectPublicKeyInfo: Chromium's `--ignore-certificate-errors-spki-list` format. */
export function spkiHash(cert: X509Certificate): string {
  return createHash("sha256").update(cert.publicKey.export({ type: "spki", format: "der" })).digest("base64");
}

/**
 * Creates or renews the dev CA, the localhost leaf, the Node CA bundle and the SPKI pin. Files that
 * are present and valid for more than 30 days are kept, so trusted CAs and pins stay stable.
 * Returns which files were (re)written.
 */
export async function ensureCerts(dir: string): Promise<{ paths: CertPaths; written: string[] }> {
  const paths = certPaths(dir);
  mkdirSync(paths.dir, { recursive: true });
  const now = Date.now();
  const written: string[] = [];
  const notBeforeDate = new Date(now - 60_000);

  let ca = usable(paths.ca, paths.caKey, now);
  if (!ca) {
    const pems = await generate(
      [
        { name: "commonName", value: "Woodgrove Entra Emulator Dev CA" },
        { name: "organizationName", value: "Woodgrove (local development only)" },
      ],
      {
        keyType: "ec",
        curve: "P-256",
        algorithm: "sha256",
        notBeforeDate,
        notAfterDate: new Date(now + CA_VALIDITY_MS),
        extensions: [
          { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
          { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
        ],
      },
    );
    writeAtomic(paths.caKey, pems.private, 0o600);
    writeAtomic(paths.ca, pems.cert);
    written.push(paths.ca, paths.caKey);
    ca = new X509Certificate(pems.cert);
  }

  let leaf = usable(paths.leaf, paths.leafKey, now);
  if (leaf && !leaf.checkIssued(ca)) leaf = undefined;
  if (!leaf) {
    const pems = await generate([{ name: "commonName", value: "localhost" }], {
      keyType: "ec",
      curve: "P-256",
      algorithm: "sha256",
      notBeforeDate,
      notAfterDate: new Date(now + LEAF_VALIDITY_MS - DAY_MS),
      ca: { key: readFileSync(paths.caKey, "utf8"), cert: readFileSync(paths.ca, "utf8") },
      extensions: [
        { name: "basicConstraints", cA: false, critical: true },
        { name: "keyUsage", digitalSignature: true, critical: true },
        { name: "extKeyUsage", serverAuth: true },
        {
          name: "subjectAltName",
          altNames: [
            { type: 2, value: "localhost" },
            { type: 7, ip: "127.0.0.1" },
            { type: 7, ip: "::1" },
          ],
        },
      ],
    });
    writeAtomic(paths.leafKey, pems.private, 0o600);
    writeAtomic(paths.leaf, pems.cert);
    written.push(paths.leaf, paths.leafKey);
    leaf = new X509Certificate(pems.cert);
  }

  const caPem = readFileSync(paths.ca, "utf8").trim();
  // NODE_EXTRA_CA_CERTS takes a single file, so the bundle carries Node's roots plus ours.
  const bundle = `${[...rootCertificates, caPem].join("\n")}\n`;
  if (!existsSync(paths.nodeBundle) || readFileSync(paths.nodeBundle, "utf8") !== bundle) {
    writeAtomic(paths.nodeBundle, bundle);
    written.push(paths.nodeBundle);
  }
  const spki = `${spkiHash(leaf)}\n`;
  if (!existsSync(paths.spki) || readFileSync(paths.spki, "utf8") !== spki) {
    writeAtomic(paths.spki, spki);
    written.push(paths.spki);
  }
  return { paths, written };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = process.env.EMULATOR_CERT_DIR ?? ".data/certs";
  ensureCerts(dir)
    .then(({ paths, written }) => {
      if (written.length) console.log(`Wrote ${written.length} certificate file(s) to ${paths.dir} (SPKI pin: ${readFileSync(paths.spki, "utf8").trim()})`);
    })
    .catch((err: unknown) => {
      console.error(`Could not create certificates in ${dir}: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    });
}
