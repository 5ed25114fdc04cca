import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";

/** Largest request body accepted; Entra's own limits are larger, but nothing legitimate here comes close. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Largest single parameter value (a `claims` JSON or a WebAuthn response fits easily). */
export const MAX_PARAM_CHARS = 8 * 1024;

/** Raised for input the transport refuses before any handler sees it. */
export class RequestRejected extends Error {
  constructor(
    readonly status: number,
    readonly reason: "body_too_large" | "param_too_large" | "bad_body",
  ) {
    super(reason);
  }
}

/** What a route handler receives. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Path parameters captured by the route pattern, in order. */
  params: string[];
  /** A per-response nonce for Content-Security-Policy. */
  nonce: string;
  /** Reads and decodes the body (form or JSON) once; enforces the size caps. */
  body(): Promise<Record<string, unknown>>;
  /** Query parameters as a plain object (last value wins), size-capped. */
  query(): Record<string, string>;
  cookies(): Record<string, string>;
}

/** A route handler; it must write the response itself. */
export type Handler = (ctx: RequestContext) => Promise<void> | void;

interface Route {
  methods: ReadonlySet<string>;
  pattern: RegExp;
  handler: Handler;
}

/** A minimal method + regular-expression router; the first match wins. */
export class Router {
  readonly #routes: Route[] = [];

  /** Registers `handler` for the methods (e.g. `"GET|POST"`) and an anchored path pattern. */
  on(methods: string, pattern: RegExp, handler: Handler): this {
    this.#routes.push({ methods: new Set(methods.split("|")), pattern, handler });
    return this;
  }

  /** Finds the handler for a request; `methodMismatch` is true when only the method was wrong. */
  match(method: string, path: string): { handler: Handler; params: string[] } | { handler: null; methodMismatch: boolean } {
    let methodMismatch = false;
    for (const route of this.#routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      if (!route.methods.has(method)) {
        methodMismatch = true;
        continue;
      }
      return { handler: route.handler, params: m.slice(1).map((p) => decodeURIComponent(p ?? "")) };
    }
    return { handler: null, methodMismatch };
  }
}

function capParams(entries: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (v.length > MAX_PARAM_CHARS || k.length > 256) throw new RequestRejected(400, "param_too_large");
    out[k] = v;
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > MAX_BODY_BYTES) throw new RequestRejected(413, "body_too_large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new RequestRejected(413, "body_too_large");
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Builds the per-request context the handlers use. */
export function createContext(req: IncomingMessage, res: ServerResponse, url: URL, params: string[]): RequestContext {
  let bodyPromise: Promise<Record<string, unknown>> | undefined;
  return {
    req,
    res,
    url,
    params,
    nonce: randomBytes(16).toString("base64"),
    body() {
      bodyPromise ??= (async () => {
        if (req.method === "GET" || req.method === "HEAD") return {};
        const raw = await readBody(req);
        const type = String(req.headers["content-type"] ?? "").toLowerCase();
        if (type.startsWith("application/json")) {
          if (!raw.trim()) return {};
          try {
            const parsed: unknown = JSON.parse(raw);
            if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
            return parsed as Record<string, unknown>;
          } catch {
            throw new RequestRejected(400, "bad_body");
          }
        }
        return capParams(new URLSearchParams(raw));
      })();
      return bodyPromise;
    },
    query() {
      return capParams(url.searchParams);
    },
    cookies() {
      const out: Record<string, string> = {};
      for (const part of String(req.headers.cookie ?? "").split(/;\s*/)) {
        const i = part.indexOf("=");
        if (i <= 0) continue;
        try {
          out[part.slice(0, i)] = decodeURIComponent(part.slice(i + 1));
        } catch {
          // A cookie another app on localhost set with bad escaping is not ours to reject.
        }
      }
      return out;
    },
  };
}

/** Returns a string body parameter, or undefined when absent or not a string. */
export function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === "string" ? v : undefined;
}

const CLIENT_REQUEST_ID = /^[\w-]{1,64}$/;

/**
 * The caller's correlation id: the `client-request-id` header, else the `client-request-id` query
 * parameter, else the same field in `params` (a form body). MSAL.js sends it as a query parameter
 * on authorize, token and logout requests and never as a header there (a custom header would cost
 * the token request a CORS preflight); other clients send the header. Either way Entra files the
 * request under that id, so the emulator reads all three on every endpoint. Malformed values are
 * ignored (the caller then gets an id of the emulator's own).
 *
 * @see https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/dev/lib/msal-common/src/protocol/Token.ts (`createTokenQueryParameters`)
 */
export function clientRequestIdOf(ctx: Pick<RequestContext, "req" | "url">, params: Record<string, unknown> = {}): string | undefined {
  const header = ctx.req.headers["client-request-id"];
  const candidates = [typeof header === "string" ? header : undefined, ctx.url.searchParams.get("client-request-id") ?? undefined, str(params, "client-request-id")];
  return candidates.find((value): value is string => value !== undefined && CLIENT_REQUEST_ID.test(value));
}

/** Sends JSON with Entra's no-cache headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store, no-cache",
    Pragma: "no-cache",
    "X-Content-Type-Options": "nosniff",
    ...headers,
  });
  res.end(JSON.stringify(body));
}

/** Sends a redirect. */
export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(302, { Location: location, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", ...headers });
  res.end();
}

/** True for loopback peers (IPv4 127/8, IPv6 ::1, and IPv4-mapped loopback). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith("::ffff:") ? address.slice(7) : address;
  return a === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}
