import { readFileSync } from "node:fs";
import path from "node:path";
import { createLogger } from "@/lib/log";

/**
 * Requests the portal refuses in proxy.ts before any route or Next.js's server-action handler
 * sees them, because Next.js would answer them badly:
 *
 * - A path that does not percent-decode (`/%`, `/%C0%AF`, `/finance/accounts/%E0%A4%A`): Next.js
 *   answers a bare 500 without the portal's headers when a dynamic route meets one. Answered 400.
 * - A server-action call (a POST with a `Next-Action` header) that no page at that path hosts: an
 *   id that is not one of this build's actions, or a real one (every visitor can read the landing
 *   page's sign-in action id) posted to a path whose page does not use it. Next.js looks the id
 *   up in one table for the whole app, so without this it runs the action on any path, and it logs
 *   an unknown id as an error with stack frames. Answered 404.
 * - A server-action call whose body React cannot decode (not JSON; form data without the root
 *   argument): Next.js throws while decoding, answers 500 and logs the exception with its stack.
 *   Answered 400.
 * - A form post without that header (how a form calls its action before JavaScript has loaded)
 *   that names no action of the page, or an unknown one: Next.js treats every multipart POST to
 *   a page as such a call, and logs each one it cannot match as an error with a stack frame.
 *   Answered 400 or 404 like the calls above.
 * - A call whose body is larger than the action body limit. proxy.ts refuses a declared one by
 *   its Content-Length; a chunked one has none, and Next.js would meet it by throwing (a 500).
 *   The body is read here up to the limit and no further. Answered 413.
 *
 * Each refusal is one structured log line (lib/log.ts), so a client sending these cannot fill the
 * log with stack traces. This is hygiene, not authorization: every action still checks the
 * session and its input itself (lib/step-up/server/protected-action.ts).
 *
 * No `server-only` import: proxy.ts and the unit tests load it outside React's server graph.
 */

/** Why a request was refused; the log line's `reason`. */
export type RefusalReason = "malformed_url" | "unknown_action" | "action_not_on_page" | "undecodable_action_body" | "body_too_large";

/** A refusal: the status to answer and the reason to log. */
export interface Refusal {
  status: 400 | 404 | 413;
  reason: RefusalReason;
}

/** True when every percent-escape of `pathname` decodes to UTF-8 (what Next.js's route matcher needs). */
export function isDecodablePath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/**
 * The build's server actions: each action id with the paths of the pages that use it. Read from
 * Next.js's `server-reference-manifest.json`, whose `node` table maps an id to its `workers`, the
 * app entries that import it ("app/(portal)/finance/accounts/[accountId]/page").
 */
export type ActionTable = ReadonlyMap<string, readonly RegExp[]>;

/**
 * The page path pattern of an app entry: route groups dropped, each dynamic segment one path
 * segment, catch-all segments any rest. "app/(portal)/finance/accounts/[accountId]/page" matches
 * "/finance/accounts/abc"; "app/page" matches "/". Undefined for entries that are not pages.
 */
export function pagePathPattern(entry: string): RegExp | undefined {
  const match = /^app((?:\/[^/]+)*)\/page$/.exec(entry);
  if (!match) return undefined;
  const segments = (match[1] ?? "")
    .split("/")
    .filter((segment) => segment !== "" && !/^\(.*\)$/.test(segment) && !segment.startsWith("@"));
  const source = segments
    .map((segment) => {
      if (/^\[\[\.\.\..+\]\]$/.test(segment)) return "(?:/[^/]+)*";
      if (/^\[\.\.\..+\]$/.test(segment)) return "(?:/[^/]+)+";
      if (/^\[.+\]$/.test(segment)) return "/[^/]+";
      return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
    })
    .join("");
  return new RegExp(`^${source === "" ? "/" : source}/?$`);
}

/** The action table of a parsed `server-reference-manifest.json` (only its `node` ids and workers are read). */
export function actionTableOf(manifest: unknown): ActionTable {
  const table = new Map<string, RegExp[]>();
  const node = (manifest as { node?: Record<string, { workers?: Record<string, unknown> }> } | null)?.node ?? {};
  for (const [id, entry] of Object.entries(node)) {
    const pages = Object.keys(entry.workers ?? {})
      .map(pagePathPattern)
      .filter((pattern): pattern is RegExp => pattern !== undefined);
    table.set(id, pages);
  }
  return table;
}

let loaded: ActionTable | undefined;

/**
 * This build's action table, read once from the build output: `.next` under `next start`, or
 * `.next-bench` for the benchmark baseline (next.config.ts chooses it by the same variable).
 * Undefined in development, where pages compile on demand and the manifest is never complete.
 * A production build without a readable manifest yields an empty table, logged once: every action
 * call is then refused, which a test notices at once, rather than the check silently passing
 * everything.
 */
export function buildActionTable(): ActionTable | undefined {
  // eslint-disable-next-line no-restricted-properties
  if (process.env.NODE_ENV !== "production") return undefined;
  if (loaded) return loaded;
  // eslint-disable-next-line no-restricted-properties
  const distDir = process.env.BENCH_BASELINE === "1" ? ".next-bench" : ".next";
  const file = path.join(distDir, "server", "server-reference-manifest.json");
  try {
    loaded = actionTableOf(JSON.parse(readFileSync(path.join(process.cwd(), file), "utf8")));
  } catch (error) {
    createLogger("proxy").error("action_manifest.unreadable", { file }, error);
    loaded = new Map();
  }
  return loaded;
}

/** A refusal for a server-action call to `pathname` naming `actionId`, or undefined if a page there uses that action. */
export function checkActionTarget(table: ActionTable, actionId: string, pathname: string): Refusal | undefined {
  const pages = table.get(actionId);
  if (!pages) return { status: 404, reason: "unknown_action" };
  if (!pages.some((page) => page.test(pathname))) return { status: 404, reason: "action_not_on_page" };
  return undefined;
}

/** At most `limit` bytes of `request`'s body (from a clone), or undefined when it holds more. */
async function boundedBody(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const reader = request.clone().body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    size += next.value.byteLength;
    if (size > limit) {
      // Not awaited: a clone's stream is one branch of a tee, and cancelling a branch settles
      // only once the other (the request Next.js keeps) is cancelled too.
      void reader.cancel();
      return undefined;
    }
    chunks.push(next.value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

const undecodable: Refusal = { status: 400, reason: "undecodable_action_body" };
const tooLarge: Refusal = { status: 413, reason: "body_too_large" };

/** The body as form data, or a refusal: too large, or not form data at all. */
async function formDataOf(request: Request, maxBodyBytes: number): Promise<FormData | Refusal> {
  const body = await boundedBody(request, maxBodyBytes);
  if (!body) return tooLarge;
  try {
    return await new Response(body, { headers: { "content-type": request.headers.get("content-type") ?? "" } }).formData();
  } catch {
    return undecodable;
  }
}

/**
 * A refusal for a server-action body React's reply decoder would throw on, or undefined. A fetch
 * action's arguments arrive as one JSON text, or as form data whose field "0" is the JSON root
 * (React's `encodeReply`); anything else cannot be an action call.
 */
async function checkActionBody(request: Request, maxBodyBytes: number): Promise<Refusal | undefined> {
  if ((request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    const form = await formDataOf(request, maxBodyBytes);
    if (!(form instanceof FormData)) return form;
    const root = form.get("0");
    return typeof root === "string" && isJson(root) ? undefined : undecodable;
  }
  const body = await boundedBody(request, maxBodyBytes);
  if (!body) return tooLarge;
  return isJson(new TextDecoder().decode(body)) ? undefined : undecodable;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Form fields that name an action in a form post made without JavaScript (React's `$ACTION_` encoding). */
const ACTION_ID_FIELD = "$ACTION_ID_";
const ACTION_REF_FIELD = "$ACTION_REF_";

/**
 * A refusal for a multipart form post without a `Next-Action` header, or undefined when it names
 * at least one action (by `$ACTION_ID_<id>`, or `$ACTION_REF_<n>` with its `$ACTION_<n>:0`
 * descriptor) and, with a `table`, every action it names is one a page at `pathname` uses.
 */
async function checkFormAction(request: Request, pathname: string, table: ActionTable | undefined, maxBodyBytes: number): Promise<Refusal | undefined> {
  const form = await formDataOf(request, maxBodyBytes);
  if (!(form instanceof FormData)) return form;
  const ids: string[] = [];
  for (const key of form.keys()) {
    if (key.startsWith(ACTION_ID_FIELD)) ids.push(key.slice(ACTION_ID_FIELD.length));
    else if (key.startsWith(ACTION_REF_FIELD)) {
      const descriptor = form.get(`$ACTION_${key.slice(ACTION_REF_FIELD.length)}:0`);
      const id = typeof descriptor === "string" ? descriptorId(descriptor) : undefined;
      if (id === undefined) return undecodable;
      ids.push(id);
    }
  }
  if (ids.length === 0) return undecodable;
  if (!table) return undefined;
  for (const id of ids) {
    const refusal = checkActionTarget(table, id, pathname);
    if (refusal) return refusal;
  }
  return undefined;
}

/** The action id of a bound action's descriptor (`{"id":"…","bound":…}`), or undefined. */
function descriptorId(descriptor: string): string | undefined {
  try {
    const id = (JSON.parse(descriptor) as { id?: unknown } | null)?.id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A refusal for a request Next.js would take for a server-action call and fail on, or undefined
 * for any other request. Only POSTs are action calls, by `Next-Action` header or as a multipart
 * form; and none under `/api/`, which holds route handlers only (Auth.js, the JSON API, CSP
 * reports), where Next.js runs no action whatever the request carries. `table` is the build's
 * (`buildActionTable`); without one (development) only the body is checked. At most
 * `maxBodyBytes` of the body are read (the action body limit).
 */
export async function checkActionRequest(
  request: Request,
  pathname: string,
  { table, maxBodyBytes }: { table: ActionTable | undefined; maxBodyBytes: number },
): Promise<Refusal | undefined> {
  if (request.method !== "POST" || pathname.startsWith("/api/")) return undefined;
  const actionId = request.headers.get("next-action");
  if (actionId !== null) return (table && checkActionTarget(table, actionId, pathname)) ?? (await checkActionBody(request, maxBodyBytes));
  if ((request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) return checkFormAction(request, pathname, table, maxBodyBytes);
  return undefined;
}
