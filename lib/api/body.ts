import "server-only";
import { apiError } from "@/lib/api/responses";

/** The largest JSON body the API reads. A transfer is a few hundred bytes. */
const MAX_JSON_BODY_BYTES = 16 * 1024;

/** The parsed body, or the response that refuses it. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; response: Response };

/** `application/json` or a `+json` type, with or without parameters (charset). */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;.*)?$/i;

/**
 * Reads a JSON request body: 415 unless it is declared JSON, 413 past `maxBytes` (counted while
 * reading, so a missing or false Content-Length cannot make the server buffer more), 400 for
 * bytes that are not UTF-8 JSON. The value is `unknown`: the operation's schema decides.
 */
export async function readJsonBody(request: Request, correlationId: string, maxBytes = MAX_JSON_BODY_BYTES): Promise<JsonBody> {
  if (!JSON_MEDIA_TYPE.test(request.headers.get("content-type") ?? "")) {
    return { ok: false, response: apiError(415, "unsupported_media_type", "Send the request body as JSON (Content-Type: application/json).", correlationId) };
  }
  const tooLarge = (): JsonBody => ({
    ok: false,
    response: apiError(413, "payload_too_large", `The request body is larger than ${maxBytes} bytes.`, correlationId),
  });
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge();

  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return { ok: true, value: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) };
  } catch {
    return { ok: false, response: apiError(400, "invalid_json", "The request body is not valid JSON.", correlationId) };
  }
}
