import { readFileSync } from "node:fs";
import { test, expect } from "../fixtures";
import { callAction } from "./support";

/**
 * Requests Next.js would answer badly, refused by proxy.ts first (lib/security/request-guard.ts):
 * malformed URLs are a 400 with the portal's headers, not a bare 500; server-action calls with an
 * unknown id, to a path whose page does not use the action, with a body React cannot decode, or
 * with a chunked body over the limit are a 404, 400 or 413. Every refusal is exactly one structured line in the portal's output, never a
 * stack trace (ASVS 5.0 V16.5.1 generic errors; an outsider cannot fill the log).
 */
test.describe("refused before Next.js @security", () => {
  const stackFrame = /^\s+at /;

  test("malformed URLs are answered 400 with the usual security headers, signed out", async ({ request }) => {
    for (const path of ["/finance/accounts/%E0%A4%A", "/%", "/%C0%AF"]) {
      const answer = await request.get(path, { maxRedirects: 0 });
      expect(answer.status(), path).toBe(400);
      const headers = answer.headers();
      expect(headers["content-security-policy"], path).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
      expect(headers["x-content-type-options"], path).toBe("nosniff");
      expect(headers["x-frame-options"], path).toBe("DENY");
      expect(headers["referrer-policy"], path).toBe("same-origin");
      expect(headers["permissions-policy"], path).toMatch(/camera=\(\)/);
      expect(headers["cache-control"], path).toMatch(/no-store/);
      expect(await answer.text(), path).toBe("Bad request");
    }
  });

  test("unservable action calls and malformed URLs each write one log line and no stack trace", async ({ request, settings }) => {
    const file = process.env.E2E_PORTAL_LOG_FILE;
    expect(file, "the security config names the portal's log file").toBeTruthy();
    const logged = () => readFileSync(file!, "utf8").split("\n");
    // Every request below names this marker in its path, so the lines it causes can be told apart
    // from those of attacks running in parallel.
    const marker = `refusal-${crypto.randomUUID()}`;
    // The landing page's sign-in action: its id is in every signed-out visitor's HTML.
    const landing = await (await request.get("/")).text();
    const publicId = /\$ACTION_ID_([0-9a-f]+)/.exec(landing)?.[1];
    expect(publicId, "the landing page's form names its action").toBeTruthy();
    const call = (path: string, actionId: string, body: string) => callAction(request, { path, actionId }, body, { origin: settings.portalOrigin });
    const before = logged().length;

    // The sign-in action is also used by the account page, so `/finance/accounts/<marker>` is a
    // path where it may be called: only the body is wrong there.
    const answers = [
      ["a real id to an unknown path", await call(`/${marker}/no-such-page`, publicId!, "[]"), 404],
      ["a bogus id", await call(`/finance/accounts/${marker}`, "deadbeef", "[]"), 404],
      ["a well-formed unknown id", await call(`/finance/accounts/${marker}`, "00".padEnd(42, "f"), "[]"), 404],
      ["a body that is not JSON", await call(`/finance/accounts/${marker}`, publicId!, "{{{{"), 400],
      ["an empty body", await call(`/finance/accounts/${marker}`, publicId!, ""), 400],
      [
        "form data without the root argument",
        await callAction(request, { path: `/finance/accounts/${marker}`, actionId: publicId! }, '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n', {
          origin: settings.portalOrigin,
          headers: { "content-type": "multipart/form-data; boundary=b" },
        }),
        400,
      ],
    ] as const;
    for (const [label, answer, status] of answers) expect(answer.status, label).toBe(status);
    // A form posted without JavaScript names its action in a field; Next.js takes every multipart
    // POST to a page for one.
    const formPost = (path: string, multipart: Record<string, string>) => request.post(path, { headers: { origin: settings.portalOrigin }, multipart, maxRedirects: 0 });
    const formPosts = [
      ["a form naming no action", await formPost(`/finance/accounts/${marker}`, { name: "value" }), 400],
      ["a form naming a bogus action", await formPost(`/finance/accounts/${marker}`, { $ACTION_ID_deadbeef: "" }), 404],
      ["a form naming a real action, to an unknown path", await formPost(`/${marker}/no-such-page`, { [`$ACTION_ID_${publicId}`]: "" }), 404],
    ] as const;
    for (const [label, answer, status] of formPosts) expect(answer.status(), label).toBe(status);
    // A body over the action limit (64 kB) sent in chunks, so no Content-Length announces it.
    const chunks = Array.from({ length: 8 }, () => new TextEncoder().encode(" ".repeat(16 * 1024)));
    const chunked = await fetch(new URL(`/finance/accounts/${marker}`, settings.portalOrigin), {
      method: "POST",
      headers: { origin: settings.portalOrigin, "next-action": publicId!, "content-type": "text/plain;charset=UTF-8" },
      body: new ReadableStream({ pull: (controller) => (chunks.length ? controller.enqueue(chunks.pop()) : controller.close()) }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status, "a chunked body over the limit").toBe(413);
    for (const path of [`/finance/accounts/${marker}%E0%A4%A`, `/${marker}/%`, `/${marker}/%C0%AF`]) expect((await request.get(path)).status(), path).toBe(400);
    const refusals = answers.length + formPosts.length + 1 + 3;

    await expect.poll(() => logged().filter((line) => line.includes(marker)).length).toBeGreaterThanOrEqual(refusals);
    const added = logged().slice(before - 1);
    const mine = added.filter((line) => line.includes(marker));
    expect(mine).toHaveLength(refusals);
    for (const line of mine) expect(JSON.parse(line)).toMatchObject({ level: "warn", component: "proxy", event: "request.refused" });
    expect(added.filter((line) => stackFrame.test(line))).toEqual([]);
  });
});
