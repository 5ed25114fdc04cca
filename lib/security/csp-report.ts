import "server-only";
import { createLogger } from "@/lib/log";
import { clientIp, limitRequest } from "@/lib/rate-limit";

/**
 * Receives Content-Security-Policy violation reports: the legacy `report-uri` body
 * (`application/csp-report`, `{"csp-report":{...}}`) and the Reporting API's
 * (`application/reports+json`, an array of `{type:"csp-violation", body:{...}}`). Each violation
 * becomes one structured warning (`csp.violation`) with the directive, the blocked resource and
 * the page, without query strings or fragments (they can hold codes and tokens); the logger
 * scrubs the rest. Always 204, so the endpoint tells a prober nothing; per-address rate limited
 * like any request, since anyone can post here. Reports are read, never trusted: a violation log
 * is a hint for people, not an input to any decision.
 */

const MAX_REPORT_BYTES = 8 * 1024;
const log = createLogger("csp");

export async function cspReportResponse(request: Request): Promise<Response> {
  const noContent = new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
  if (!(await limitRequest(clientIp(request.headers))).allowed) return noContent;
  const text = await readLimited(request, MAX_REPORT_BYTES);
  if (text === null) return noContent;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return noContent;
  }
  for (const report of violationsOf(parsed).slice(0, 10)) log.warn("csp.violation", report);
  return noContent;
}

type Violation = { directive: string; blocked: string; page: string; sample?: string };

function violationsOf(value: unknown): Violation[] {
  const bodies: Record<string, unknown>[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isRecord(item) && item.type === "csp-violation" && isRecord(item.body)) bodies.push(item.body);
    }
  } else if (isRecord(value) && isRecord(value["csp-report"])) {
    bodies.push(value["csp-report"]);
  }
  return bodies.map((body) => ({
    directive: text(body.effectiveDirective ?? body["effective-directive"] ?? body["violated-directive"]),
    blocked: withoutQuery(text(body.blockedURL ?? body["blocked-uri"])),
    page: withoutQuery(text(body.documentURL ?? body["document-uri"])),
    ...(typeof (body.sample ?? body["script-sample"]) === "string" ? { sample: text(body.sample ?? body["script-sample"]).slice(0, 40) } : {}),
  }));
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === "string" ? value.slice(0, 300) : "");

/** A URL without query and fragment; non-URLs ("inline", "eval") as they are. */
function withoutQuery(value: string): string {
  try {
    const url = new URL(value);
    return `${url.origin}${url.pathname}`;
  } catch {
    return value.split(/[?#]/, 1)[0] ?? "";
  }
}

async function readLimited(request: Request, maxBytes: number): Promise<string | null> {
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes || !request.body) return null;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
