import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { ensureCerts } from "../certs.js";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../server.js";

export const TENANT = "60aa9999-b070-45a9-b57a-58ec086ab606";
export const WEB_CLIENT = "290dbd3e-8e36-4c9e-9c8c-a8c8f27ecdc1";
export const WEB_SECRET = "woodgrove-emulator-web-secret";
export const SPA_CLIENT = "115cbd24-ca1d-442e-b2d1-5e6e4995c1c1";
export const API_APP = "2d748872-b3e5-47e0-9d03-badcd26bf489";
export const PORTAL = "http://localhost:3000";
export const WEB_REDIRECT = `${PORTAL}/api/auth/callback/microsoft-entra-id`;
export const SPA_REDIRECT = `${PORTAL}/auth/redirect-bridge`;
export const API_SCOPE = "api://woodgrove-portal/access_as_user";
export const CONTROL_SECRET = "test-control-secret-0123456789abcdef";
export const MEGAN = { oid: "a7e59c2e-59a4-4040-9c4c-9c897ce9dfb9", upn: "megan@woodgrove.test", password: "Woodgrove#2026" };
export const PASSWORD = "Woodgrove#2026";

let certDir: string | undefined;

/** Creates (once per test process) a temp certificate directory. */
export async function testCerts(): Promise<{ dir: string; ca: string }> {
  if (!certDir) {
    const dir = mkdtempSync(join(tmpdir(), "emu-certs-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    certDir = dir;
  }
  const { paths } = await ensureCerts(certDir);
  return { dir: certDir, ca: readFileSync(paths.ca, "utf8") };
}

/** Request options the test fetch understands (a superset of what openid-client and jose pass). */
export interface TestRequestInit {
  method?: string;
  headers?: HeadersInit;
  body?: unknown;
  signal?: AbortSignal | null;
  redirect?: string;
}

/** A fetch-compatible function usable as openid-client's and jose's `customFetch`. */
export type TestFetch = (input: string | URL | Request, init?: TestRequestInit) => Promise<Response>;

/** A WHATWG `fetch` over node:https trusting only the dev CA; never follows redirects. */
export function caFetch(ca: string): TestFetch {
  return async (input: string | URL | Request, init: TestRequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    new Headers(init.headers).forEach((v, k) => headers.set(k, v));
    let body: Buffer | undefined;
    const raw = init.body ?? (input instanceof Request && input.body ? await input.arrayBuffer() : undefined);
    if (raw instanceof URLSearchParams) {
      body = Buffer.from(raw.toString());
      if (!headers.has("content-type")) headers.set("content-type", "application/x-www-form-urlencoded");
    } else if (typeof raw === "string") body = Buffer.from(raw);
    else if (raw instanceof ArrayBuffer) body = Buffer.from(raw);
    else if (raw instanceof Uint8Array) body = Buffer.from(raw);
    if (body) headers.set("content-length", String(body.length));
    const method = init.method ?? (input instanceof Request ? input.method : "GET");
    const plain: Record<string, string> = {};
    headers.forEach((v, k) => {
      plain[k] = v;
    });
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, { method, headers: plain, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (Array.isArray(v)) v.forEach((x) => h.append(k, x));
            else if (v !== undefined) h.set(k, v);
          }
          const status = res.statusCode ?? 500;
          resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: h }));
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      init.signal?.addEventListener("abort", () => req.destroy(new Error("aborted")));
      req.end(body);
    });
  };
}

/** A running in-process emulator plus helpers bound to it. */
export interface TestEmulator extends RunningEmulator {
  dataDir: string;
  certDir: string;
  fetch: TestFetch;
  logs: string[];
  control(path: string, body?: unknown, method?: string): Promise<Response>;
  restart(extra?: Partial<EmulatorOptions>): Promise<TestEmulator>;
}

/** Starts an emulator on a free port with a fresh data directory (control API enabled by default). */
export async function startTestEmulator(extra: Partial<EmulatorOptions> = {}, dataDir?: string): Promise<TestEmulator> {
  const certs = await testCerts();
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), "emu-data-"));
  const logs: string[] = [];
  const running = await startEmulator({ port: 0, dataDir: dir, certDir: certs.dir, controlSecret: CONTROL_SECRET, logger: (l) => logs.push(l), ...extra });
  const f = caFetch(certs.ca);
  const emu: TestEmulator = {
    ...running,
    dataDir: dir,
    certDir: certs.dir,
    fetch: f,
    logs,
    control: (path, body, method) =>
      f(`${running.origin}/__control/${path}`, {
        method: method ?? (body === undefined ? "GET" : "POST"),
        headers: { authorization: `Bearer ${CONTROL_SECRET}`, "content-type": "application/json" },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
    restart: async (more = {}) => {
      await running.close();
      return startTestEmulator({ ...extra, ...more }, dir);
    },
  };
  return emu;
}

/** Removes a test data directory. */
export function cleanup(emu: TestEmulator): void {
  rmSync(emu.dataDir, { recursive: true, force: true });
}

/** A suite's test emulator (`useTestEmulator`): call it inside tests and hooks registered after it. */
export interface TestEmulatorAccess {
  (): TestEmulator;
  /** Restarts it on the same data directory (`extra` adds options); the accessor then returns the new one. */
  restart(extra?: Partial<EmulatorOptions>): Promise<TestEmulator>;
}

/**
 * Starts a test emulator before the enclosing suite's tests and stops it, removing its data, after
 * them. `options` may be a function, read when the emulator starts (after earlier `before` hooks).
 */
export function useTestEmulator(options: Partial<EmulatorOptions> | (() => Partial<EmulatorOptions>) = {}): TestEmulatorAccess {
  let current: TestEmulator | undefined;
  before(async () => {
    current = await startTestEmulator(typeof options === "function" ? options() : options);
  });
  after(async () => {
    if (!current) return;
    await current.close();
    cleanup(current);
  });
  const running = () => {
    if (!current) throw new Error("the test emulator starts in before(): use it inside a test or a later hook");
    return current;
  };
  return Object.assign(running, {
    restart: async (extra?: Partial<EmulatorOptions>) => (current = await running().restart(extra)),
  });
}

/** A page as the test browser saw it. */
export interface Page {
  status: number;
  url: string;
  html: string;
  headers: Headers;
}

/** A tiny cookie-keeping browser for driving the emulator's HTML forms. */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  /** Every `Set-Cookie` header received, raw (attribute assertions). */
  readonly setCookieHeaders: string[] = [];
  /** Sent as `user-agent` on page requests when set (risk tests vary the browser). */
  userAgent?: string;
  constructor(
    readonly emu: TestEmulator,
    readonly origin?: string,
  ) {}

  #store(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      this.setCookieHeaders.push(c);
      const [pair] = c.split(";");
      const i = pair?.indexOf("=") ?? -1;
      if (!pair || i < 0) continue;
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (/max-age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Requests a URL, following redirects on the emulator's origin; stops at the portal. */
  async go(url: string, form?: Record<string, string>): Promise<Page> {
    let current = url;
    let body = form ? new URLSearchParams(form) : undefined;
    for (let hop = 0; hop < 10; hop++) {
      if (!current.startsWith(this.emu.origin)) return { status: 302, url: current, html: "", headers: new Headers() };
      const res = await this.emu.fetch(current, {
        method: body ? "POST" : "GET",
        headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "), accept: "text/html", ...(this.userAgent ? { "user-agent": this.userAgent } : {}) },
        ...(body ? { body } : {}),
      });
      this.#store(res);
      const location = res.headers.get("location");
      if (res.status === 302 && location) {
        current = new URL(location, current).toString();
        body = undefined;
        continue;
      }
      return { status: res.status, url: current, html: await res.text(), headers: res.headers };
    }
    throw new Error("too many redirects");
  }

  /** Submits the form whose action ends with `/login/{step}` on the page, adding fields. */
  async submit(page: Page, step: string, fields: Record<string, string> = {}): Promise<Page> {
    const flow = /name="flow" value="([^"]+)"/.exec(page.html)?.[1];
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)?.[1];
    if (!flow || !csrf) throw new Error(`no flow on page: ${page.html.slice(0, 500)}`);
    return this.go(`${this.emu.origin}/${TENANT}/login/${step}`, { flow, csrf, ...fields });
  }

  /** Posts JSON to a login step (passkey endpoints), with the page's flow. */
  async json(page: Page, step: string, extra: Record<string, unknown> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    // A page without a passkey button still names its transaction in its forms' hidden fields.
    const flow = (/data-flow="([^"]+)"/.exec(page.html) ?? /name="flow" value="([^"]+)"/.exec(page.html))?.[1];
    const csrf = (/data-csrf="([^"]+)"/.exec(page.html) ?? /name="csrf" value="([^"]+)"/.exec(page.html))?.[1];
    const res = await this.emu.fetch(`${this.emu.origin}/${TENANT}/login/${step}`, {
      method: "POST",
      headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "), "content-type": "application/json" },
      body: JSON.stringify({ flow, csrf, ...extra }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
}

/** Builds an authorize URL with sensible defaults for the web client. */
export function authorizeUrl(emu: TestEmulator, params: Record<string, string>): string {
  const url = new URL(`${emu.origin}/${TENANT}/oauth2/v2.0/authorize`);
  const all = { client_id: WEB_CLIENT, redirect_uri: WEB_REDIRECT, response_type: "code", scope: "openid profile offline_access", state: "s1", nonce: "n1", ...params };
  for (const [k, v] of Object.entries(all)) url.searchParams.set(k, v);
  return url.toString();
}

/** Current unused TOTP code for a user, via the control API. */
export async function totpCode(emu: TestEmulator, oid: string): Promise<string> {
  const res = await emu.control(`users/${oid}/totp`);
  const body = (await res.json()) as { code?: string };
  if (!body.code) throw new Error(`no totp code: ${JSON.stringify(body)}`);
  return body.code;
}

/** Parameters the emulator sent back to the redirect URI (query or fragment). */
export function returned(page: Page): URLSearchParams {
  const url = new URL(page.url);
  return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
}

/** Decodes a JWT's header and payload without verifying (shape assertions only). */
export function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split(".");
  return { header: JSON.parse(Buffer.from(h ?? "", "base64url").toString()), payload: JSON.parse(Buffer.from(p ?? "", "base64url").toString()) };
}

/** Web-client token request via client_secret_post. */
export async function redeem(emu: TestEmulator, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await emu.fetch(`${emu.origin}/${TENANT}/oauth2/v2.0/token`, {
    method: "POST",
    headers,
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** An app-only Microsoft Graph token for the web client (client credentials). */
export async function graphAppToken(emu: TestEmulator): Promise<string> {
  const res = await redeem(emu, { grant_type: "client_credentials", client_id: WEB_CLIENT, client_secret: WEB_SECRET, scope: "https://graph.microsoft.com/.default" });
  if (res.status !== 200) throw new Error(`client credentials failed: ${JSON.stringify(res.body)}`);
  return String(res.body.access_token);
}

/** A suite's app-only Graph token (`useGraphAppToken`). */
export interface GraphTokenAccess {
  (): string;
  /** Fetches a new one (after a restart, a reset or a clock change) and returns it. */
  renew(): Promise<string>;
}

/** Fetches the web client's app-only Graph token once `emu` runs (register it after `useTestEmulator`). */
export function useGraphAppToken(emu: () => TestEmulator): GraphTokenAccess {
  let token: string | undefined;
  const renew = async () => (token = await graphAppToken(emu()));
  before(renew);
  const current = () => {
    if (token === undefined) throw new Error("the Graph token is fetched in before(): use it inside a test or a later hook");
    return token;
  };
  return Object.assign(current, { renew });
}

/** GET on the emulator's Graph endpoint (`path` after `/v1.0/`), with a bearer token when given. */
export async function graphGet(emu: TestEmulator, path: string, token?: string, version: "v1.0" | "beta" = "v1.0"): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await emu.fetch(`${emu.origin}/${version}/${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}
