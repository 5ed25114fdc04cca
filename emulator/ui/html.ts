import type { ServerResponse } from "node:http";

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Security headers for every emulator page; `formTargets` are the origins forms may reach. */
export function pageHeaders(nonce: string, formTargets: Iterable<string>): Record<string, string> {
  const targets = [...formTargets].join(" ");
  return {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    Pragma: "no-cache",
    "Content-Security-Policy": [
      "default-src 'none'",
      `script-src 'nonce-${nonce}' 'self'`,
      `style-src 'nonce-${nonce}'`,
      "img-src 'self' data:",
      "connect-src 'self'",
      // Chromium applies form-action to the redirect that follows a post, so the apps' origins
      // must be listed or the final redirect back to the app would be blocked.
      `form-action 'self' ${targets}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join("; "),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
  };
}

/** Writes an HTML page with the security headers (plus any extra, e.g. Set-Cookie). */
export function sendPage(
  res: ServerResponse,
  status: number,
  html: string,
  nonce: string,
  formTargets: Iterable<string>,
  extra: Record<string, string | string[]> = {},
): void {
  res.writeHead(status, { ...pageHeaders(nonce, formTargets), ...extra });
  res.end(html);
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:"Segoe UI","Segoe UI Web",-apple-system,BlinkMacSystemFont,Roboto,"Helvetica Neue",Arial,sans-serif;background:#f2f2f2;color:#1b1b1b;font-size:15px}
main{max-width:440px;margin:48px auto;padding:44px;background:#fff;box-shadow:0 2px 6px rgba(0,0,0,.2)}
.brand{display:flex;justify-content:space-between;align-items:center;gap:8px;margin-bottom:16px;font-size:13px;color:#505050}
.badge{border:1px solid #8a8886;border-radius:2px;padding:1px 6px;font-size:12px;color:#323130;background:#faf9f8}
h1{font-size:24px;font-weight:600;margin:8px 0 16px}
p{line-height:1.45}
label{display:block;margin:12px 0 4px;font-weight:600}
input[type=text],input[type=password],input[type=email]{width:100%;padding:6px 2px;font-size:15px;border:0;border-bottom:1px solid #666;background:transparent}
input:focus,button:focus,a:focus{outline:2px solid #0067b8;outline-offset:2px}
.actions{display:flex;justify-content:flex-end;gap:8px;margin-top:24px}
button{font-size:15px;min-width:108px;padding:6px 12px;border:1px solid #8a8886;background:#fff;color:#1b1b1b;cursor:pointer}
button.primary{background:#0067b8;border-color:#0067b8;color:#fff}
button:disabled{opacity:.6;cursor:default}
button.link{min-width:0;padding:0;border:0;background:none;color:#0067b8;text-decoration:underline;font-size:13px}
.method{display:block;width:100%;text-align:left;margin:8px 0;padding:12px}
.accounts{list-style:none;margin:0;padding:0}
.error{color:#a4262c;margin:8px 0}
.warning{color:#8a5100;margin:8px 0}
.muted{color:#605e5c;font-size:13px}
code,.secret{font-family:Consolas,Menlo,monospace;word-break:break-all;background:#f3f2f1;padding:2px 4px}
.details{margin-top:24px;font-size:13px;color:#605e5c}
`;

/** The shared page frame: tenant branding, emulator badge, one card. */
export function layout(opts: { title: string; nonce: string; body: string; scripts?: string[] }): string {
  const scripts = (opts.scripts ?? []).map((s) => (s.startsWith("/") ? `<script nonce="${opts.nonce}" src="${esc(s)}"></script>` : `<script nonce="${opts.nonce}">${s}</script>`));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(opts.title)}</title>
<style nonce="${opts.nonce}">${STYLE}</style>
</head>
<body>
<main>
<div class="brand"><span>Woodgrove (emulated Entra ID)</span><span class="badge">Local Entra ID emulator</span></div>
${opts.body}
</main>
${scripts.join("\n")}
</body>
</html>`;
}
