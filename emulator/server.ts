import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { withPolicyStates } from "./admin.js";
import { buildApps, IDS, TENANT_DOMAIN } from "./apps.js";
import { ensureCerts } from "./certs.js";
import type { Emulator } from "./context.js";
import { consoleRoute, createConsoleState } from "./console.js";
import { control } from "./control.js";
import { loadDirectory } from "./directory.js";
import { authorize } from "./endpoints/authorize.js";
import { instanceDiscovery, jwks, openidConfiguration, type TenantSegment } from "./endpoints/discovery.js";
import { getDirectoryAudit, getSignIn, listAuthenticationContexts, listAuthenticationMethods, listConditionalAccessPolicies, listDirectoryAudits, listSignIns } from "./endpoints/graph.js";
import { loginStep } from "./endpoints/login/index.js";
import { logout } from "./endpoints/logout.js";
import { sendErrorPage } from "./endpoints/respond.js";
import { corsHeaders, preflight, token } from "./endpoints/token.js";
import { AadError, aadErrorBody, ERROR_CODE_MEANINGS, errors } from "./errors.js";
import { createContext, RequestRejected, Router, sendJson, type RequestContext } from "./http.js";
import { KeyStore } from "./keys.js";
import { loadPolicySets, type PolicySetName } from "./policy.js";
import { loadNetworkTable } from "./risk.js";
import { SignInLogStore } from "./signin-log.js";
import { StateStore } from "./state.js";
import { sendPage } from "./ui/html.js";
import { errorLookupPage } from "./ui/pages.js";

const HERE = dirname(fileURLToPath(import.meta.url));

/** Options for `startEmulator`; `main.ts` fills them from the environment. */
export interface EmulatorOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Host name in the origin and issuer; `localhost` listens on 127.0.0.1 and ::1. */
  host?: string;
  tenantId?: string;
  portalOrigin?: string;
  dataDir: string;
  certDir: string;
  directoryFile?: string;
  /** Directory holding `production.json` and `staging.json` (default `emulator/policies`). */
  policyDir?: string;
  /** Active Conditional Access policy set (default `production`). */
  policySet?: PolicySetName;
  /** Simulated IP → location table and anonymiser ranges (default `emulator/ip-locations.json`). */
  networkFile?: string;
  /** Start from directory.json, discarding persisted state (and signing keys). */
  reset?: boolean;
  /** Enables `/__control` with this bearer secret. */
  controlSecret?: string;
  /** Receives one JSON line per event; defaults to silence. */
  logger?: (line: string) => void;
}

/** A running emulator. */
export interface RunningEmulator {
  /** e.g. `https://localhost:8443`. */
  origin: string;
  tenantId: string;
  close(): Promise<void>;
}

function webauthnBundle(): Buffer {
  const require = createRequire(import.meta.url);
  // The package exports only its modules; the UMD bundle sits beside them in the package root.
  const entry = require.resolve("@simplewebauthn/browser", { paths: [HERE] });
  return readFileSync(join(dirname(entry), "..", "dist/bundle/index.umd.min.js"));
}


/**
 * Starts the emulator over HTTPS. Resolves once it listens; `close()` stops it and drops open
 * connections (including requests a scripted "hang" holds).
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const host = options.host ?? "localhost";
  const tenantId = options.tenantId ?? IDS.tenantId;
  const portalOrigin = (options.portalOrigin ?? "http://localhost:3000").replace(/\/+$/, "");
  const { paths } = await ensureCerts(options.certDir);
  const tls = {
    key: readFileSync(paths.leafKey),
    // Leaf plus CA, so clients pinning or trusting the CA can build the chain.
    cert: Buffer.concat([readFileSync(paths.leaf), Buffer.from("\n"), readFileSync(paths.ca)]),
  };
  const directory = loadDirectory(options.directoryFile ?? join(HERE, "directory.json"));
  const policySets = loadPolicySets(options.policyDir ?? join(HERE, "policies"));
  const initialPolicySet = options.policySet ?? "production";
  const network = loadNetworkTable(options.networkFile ?? join(HERE, "ip-locations.json"));
  const store = new StateStore(options.dataDir, directory, options.reset ?? false);
  const signIns = new SignInLogStore(options.dataDir, options.reset ?? false);
  const keys = new KeyStore(store);
  await keys.init();
  const logger = options.logger;

  const emu: Emulator = {
    origin: "",
    tenantId,
    issuer: "",
    portalOrigin,
    store,
    keys,
    apps: buildApps(portalOrigin),
    // State changes made in the console persist across restarts (state.json).
    policy: withPolicyStates(policySets[initialPolicySet], store.state.policyStates, store.state.policyModified),
    policySets,
    initialPolicySet,
    pending: new Map(),
    network,
    signIns,
    console: createConsoleState(readFileSync(paths.ca)),
    ...(options.controlSecret ? { controlSecret: options.controlSecret } : {}),
    webauthnBundle: webauthnBundle(),
    log: (event, fields = {}) => logger?.(JSON.stringify({ t: new Date().toISOString(), event, ...fields })),
  };

  const T = "([^/]+)";
  // The tenant id or its verified domain, `organizations` and `common` all resolve to the one
  // emulated tenant; metadata says which of them was asked for.
  const tenantOf = (segment: string): TenantSegment | undefined => {
    const s = segment.toLowerCase();
    if (s === tenantId.toLowerCase() || s === TENANT_DOMAIN) return { kind: "tenant" };
    return s === "common" || s === "organizations" ? { kind: "multi", name: s } : undefined;
  };
  const tenantRoute = (handler: (ctx: RequestContext, tenant: TenantSegment) => Promise<void> | void) => async (ctx: RequestContext) => {
    const tenant = ctx.params[0] ?? "";
    const resolved = tenantOf(tenant);
    if (!resolved) {
      const err = new AadError("invalid_tenant", 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
      if (ctx.url.pathname.includes("/authorize") || ctx.url.pathname.includes("/logout")) return sendErrorPage(emu, ctx, err);
      return sendJson(ctx.res, 400, aadErrorBody(err, emu.origin, undefined, new Date()), corsHeaders(emu, ctx, true));
    }
    return handler(ctx, resolved);
  };
  const router = new Router()
    .on("GET|OPTIONS", new RegExp(`^/${T}/v2\\.0/\\.well-known/openid-configuration$`), tenantRoute((ctx, tenant) => (ctx.req.method === "OPTIONS" ? preflight(emu, ctx) : openidConfiguration(emu, ctx, tenant))))
    .on("GET|OPTIONS", new RegExp(`^/${T}/discovery/v2\\.0/keys$`), tenantRoute((ctx, tenant) => (ctx.req.method === "OPTIONS" ? preflight(emu, ctx) : jwks(emu, ctx, tenant))))
    .on("GET|OPTIONS", /^\/common\/discovery\/instance$/, (ctx) => (ctx.req.method === "OPTIONS" ? preflight(emu, ctx) : instanceDiscovery(emu, ctx)))
    .on("GET|POST", new RegExp(`^/${T}/oauth2/v2\\.0/authorize$`), tenantRoute((ctx) => authorize(emu, ctx)))
    .on("POST|OPTIONS", new RegExp(`^/${T}/oauth2/v2\\.0/token$`), tenantRoute((ctx) => (ctx.req.method === "OPTIONS" ? preflight(emu, ctx) : token(emu, ctx))))
    .on("GET|POST", new RegExp(`^/${T}/oauth2/v2\\.0/logout$`), tenantRoute((ctx) => logout(emu, ctx)))
    .on("POST", new RegExp(`^/${T}/login/([a-z]+(?:-[a-z]+)?(?:/[a-z]+){0,2})$`), tenantRoute((ctx) => loginStep(emu, ctx)))
    .on("GET", /^\/static\/simplewebauthn-browser\.js$/, (ctx) => {
      ctx.res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff" });
      ctx.res.end(emu.webauthnBundle);
    })
    // Microsoft Graph's sign-in and directory audit logs, Conditional Access and authentication methods, served on the
    // emulator's origin (app-only token required).
    .on("GET", /^\/v1\.0\/auditLogs\/signIns$/, (ctx) => listSignIns(emu, ctx, "v1.0"))
    .on("GET", /^\/v1\.0\/auditLogs\/signIns\/([^/]+)$/, (ctx) => getSignIn(emu, ctx, "v1.0"))
    // Beta: the only version that lists non-interactive sign-ins (signInEventTypes filter).
    .on("GET", /^\/beta\/auditLogs\/signIns$/, (ctx) => listSignIns(emu, ctx, "beta"))
    .on("GET", /^\/beta\/auditLogs\/signIns\/([^/]+)$/, (ctx) => getSignIn(emu, ctx, "beta"))
    .on("GET", /^\/v1\.0\/auditLogs\/directoryAudits$/, (ctx) => listDirectoryAudits(emu, ctx))
    .on("GET", /^\/v1\.0\/auditLogs\/directoryAudits\/([^/]+)$/, (ctx) => getDirectoryAudit(emu, ctx))
    .on("GET", /^\/v1\.0\/identity\/conditionalAccess\/policies$/, (ctx) => listConditionalAccessPolicies(emu, ctx))
    .on("GET", /^\/v1\.0\/identity\/conditionalAccess\/authenticationContextClassReferences$/, (ctx) => listAuthenticationContexts(emu, ctx))
    .on("GET", /^\/v1\.0\/users\/([^/]+)\/authentication\/methods$/, (ctx) => listAuthenticationMethods(emu, ctx))
    // The admin console: its own sign-in, session and CSRF checks (console.ts).
    .on("GET|POST", /^\/console(?:\/.*)?$/, (ctx) => consoleRoute(emu, ctx))
    // Where every error_uri points (Entra: https://login.microsoftonline.com/error?code=n).
    .on("GET", /^\/error$/, (ctx) => {
      const code = ctx.query().code?.replace(/^AADSTS/i, "").trim();
      const known = code !== undefined && /^\d{1,9}$/.test(code) ? ERROR_CODE_MEANINGS[Number(code)] : undefined;
      sendPage(ctx.res, 200, errorLookupPage(ctx.nonce, { ...(code ? { code } : {}), ...(known ? { meaning: known } : {}) }), ctx.nonce, []);
    })
    .on("GET", /^\/health$/, (ctx) => sendJson(ctx.res, 200, { ok: true, tenantId, issuer: emu.issuer }));
  if (options.controlSecret) router.on("GET|POST|DELETE", /^\/__control\/(.+)$/, (ctx) => control(emu, ctx));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let ctx: RequestContext | undefined;
    try {
      const url = new URL(req.url ?? "/", emu.origin);
      const match = router.match(req.method ?? "GET", url.pathname);
      if (!match.handler) {
        const status = match.methodMismatch ? 405 : 404;
        sendJson(res, status, { error: status === 405 ? "invalid_request" : "not_found", error_description: status === 405 ? "Method not allowed." : "Not found." });
        return;
      }
      ctx = createContext(req, res, url, match.params);
      await match.handler(ctx);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const known = err instanceof AadError ? err : err instanceof RequestRejected ? errors.invalidRequest(900144, `The request was rejected: ${err.reason}.`) : undefined;
      if (!known) emu.log("unhandled_error", { path: req.url?.split("?")[0], error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      const aad = known ?? errors.serverError();
      const status = err instanceof RequestRejected ? err.status : aad.status;
      const wantsHtml = String(req.headers.accept ?? "").includes("text/html") && req.method !== "OPTIONS";
      if (ctx && wantsHtml) return sendErrorPage(emu, ctx, aad, undefined, status);
      sendJson(res, status, aadErrorBody(aad, emu.origin, undefined, new Date()));
    }
  };

  const servers: Server[] = [];
  const listen = (server: Server, port: number, address: string) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, address, () => {
        server.off("error", reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const make = () => {
    const server = createServer({ ...tls, requestTimeout: 0, headersTimeout: 30_000 }, (req, res) => void handle(req, res));
    servers.push(server);
    return server;
  };
  let port: number;
  if (host === "localhost") {
    // "localhost" resolves to 127.0.0.1 or ::1 depending on the client; answer on both.
    port = await listen(make(), options.port, "127.0.0.1");
    try {
      await listen(make(), port, "::1");
    } catch {
      servers.pop()?.close();
    }
  } else {
    port = await listen(make(), options.port, host);
  }
  emu.origin = `https://${host}:${port}`;
  emu.issuer = `${emu.origin}/${tenantId}/v2.0`;
  // The console's redirect URI names the port, known only now; its secret never leaves the process.
  emu.apps = buildApps(portalOrigin, { origin: emu.origin, secret: randomBytes(32).toString("base64url") });
  emu.log("started", { origin: emu.origin, tenantId, policySet: initialPolicySet, control: Boolean(options.controlSecret) });

  return {
    origin: emu.origin,
    tenantId,
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}
