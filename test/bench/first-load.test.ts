/**
 * scripts/bench/lib/first-load.ts: what counts as a route's first-load JavaScript, read from a
 * build's manifests as each bundler writes them, and where MSAL is found.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { test } from "node:test";
import { measureBuild } from "../../scripts/bench/lib/first-load";

/** A fake build folder: chunk files with the given contents and the manifests naming them. */
function fakeBuild(options: { chunks: Record<string, string>; manifests: Record<string, unknown>; rootMain: string[] }): string {
  const dir = mkdtempSync(path.join(tmpdir(), "first-load-"));
  for (const [file, text] of Object.entries(options.chunks)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  writeFileSync(path.join(dir, "build-manifest.json"), JSON.stringify({ rootMainFiles: options.rootMain }));
  const routes: Record<string, string> = {};
  for (const [entry, manifest] of Object.entries(options.manifests)) {
    routes[entry] = entry === "/page" ? "/" : entry.replace(/\/page$/, "").replace(/\/\([^)]+\)/g, "");
    const file = path.join(dir, "server", "app", `${entry}_client-reference-manifest.js`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `globalThis.__RSC_MANIFEST=(globalThis.__RSC_MANIFEST||{});globalThis.__RSC_MANIFEST[${JSON.stringify(entry)}]=${JSON.stringify(manifest)};`);
  }
  writeFileSync(path.join(dir, "app-path-routes-manifest.json"), JSON.stringify(routes));
  return dir;
}

const gz = (text: string) => gzipSync(Buffer.from(text)).length;

test("turbopack: root files plus the layouts on the page's path and the page; other entries and lazy chunks are not first load", (t) => {
  const chunks = {
    "static/chunks/runtime.js": "runtime();".repeat(50),
    "static/chunks/layout.js": "layout();",
    "static/chunks/portal-layout.js": "portal();",
    "static/chunks/dash.js": "dashboard();",
    "static/chunks/other.js": "other();",
    "static/chunks/msal.js": 'const sku="msal.js.browser";',
    // A chunk of MSAL's performance helper only (Turbopack splits it off): no SKU, no error class.
    "static/chunks/msal-perf.js": "static makeMeasureName(e,a){return`msal.measure.${e}.${a}`}",
  };
  const dir = fakeBuild({
    chunks,
    rootMain: ["static/chunks/runtime.js"],
    manifests: {
      "/(portal)/dashboard/page": {
        entryJSFiles: {
          "[project]/app/layout": ["static/chunks/layout.js"],
          "[project]/app/(portal)/layout": ["static/chunks/portal-layout.js"],
          "[project]/app/(portal)/dashboard/page": ["static/chunks/dash.js", "static/chunks/layout.js"],
          "[project]/app/other/page": ["static/chunks/other.js"],
        },
      },
      "/page": { entryJSFiles: { "[project]/app/layout": ["static/chunks/layout.js"], "[project]/app/page": [] } },
    },
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const figures = measureBuild(dir);
  const dashboard = figures.routes.find((r) => r.route === "/dashboard");
  assert.ok(dashboard);
  assert.deepEqual(dashboard.files.map((f) => path.basename(f)).sort(), ["dash.js", "layout.js", "portal-layout.js", "runtime.js"]);
  assert.equal(dashboard.gzipBytes, gz(chunks["static/chunks/runtime.js"]) + gz("layout();") + gz("portal();") + gz("dashboard();"));
  assert.equal(dashboard.msalBytes, 0);
  assert.deepEqual(figures.routes.find((r) => r.route === "/")?.files.map((f) => path.basename(f)).sort(), ["layout.js", "runtime.js"]);
  assert.deepEqual(figures.lazyMsal.map((c) => c.file).sort(), ["static/chunks/msal-perf.js", "static/chunks/msal.js"]);
});

test("webpack: the chunks of the client modules whose chunk group ends in this page's own entry chunk (URL-encoded), MSAL found in them", (t) => {
  const dir = fakeBuild({
    chunks: {
      "static/chunks/webpack.js": "rt();",
      "static/chunks/12-0abc.js": 'throw new BrowserAuthError("x")',
      "static/chunks/app/(portal)/finance/[id]/page-0abc.js": "finance();",
      "static/chunks/app/layout-0def.js": "layout();",
      "static/chunks/34-0abc.js": "image();",
      "static/chunks/app/page-0fed.js": "home();",
    },
    rootMain: ["static/chunks/webpack.js"],
    manifests: {
      "/(portal)/finance/[id]/page": {
        clientModules: {
          "/repo/components/x.tsx": { chunks: ["12", "static/chunks/12-0abc.js", "5", "static/chunks/app/(portal)/finance/%5Bid%5D/page-0abc.js"] },
          "/repo/app/layout-client.tsx": { chunks: ["7", "static/chunks/app/layout-0def.js"] },
          // Rendered by another page only: not this page's first load.
          "/repo/node_modules/next/image.js": { chunks: ["34", "static/chunks/34-0abc.js", "9", "static/chunks/app/page-0fed.js"] },
          "/repo/y.tsx": { chunks: [] },
        },
      },
    },
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [route] = measureBuild(dir).routes;
  assert.equal(route?.route, "/finance/[id]");
  assert.deepEqual(route?.files.map((f) => path.basename(f)).sort(), ["12-0abc.js", "layout-0def.js", "page-0abc.js", "webpack.js"]);
  assert.equal(route?.msalBytes, gz('throw new BrowserAuthError("x")'));
});
