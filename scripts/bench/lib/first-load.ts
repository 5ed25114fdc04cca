/**
 * First-load JavaScript of a finished Next.js App Router build, read from its manifests (both
 * bundlers write the same ones): scripts/bench/bundle.ts explains what counts.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { gzipSync } from "node:zlib";

/** Strings only MSAL's own code contains (its library SKU, error class names, performance mark prefix). */
const MSAL_MARKERS = ["msal.js.browser", "@azure/msal-react", "msal.js.common", "BrowserAuthError", "msal.measure."];

export interface RouteFigures {
  route: string;
  files: string[];
  gzipBytes: number;
  msalBytes: number;
}

export interface BuildFigures {
  routes: RouteFigures[];
  /** Chunks with MSAL code that no route loads up front. */
  lazyMsal: { file: string; gzipBytes: number }[];
}

const gzipCache = new Map<string, number>();
function gzipSize(file: string): number {
  let size = gzipCache.get(file);
  if (size === undefined) {
    size = gzipSync(readFileSync(file)).length;
    gzipCache.set(file, size);
  }
  return size;
}

function hasMsal(file: string): boolean {
  const text = readFileSync(file, "utf8");
  return MSAL_MARKERS.some((marker) => text.includes(marker));
}

interface ClientReferenceManifest {
  /** Turbopack: the chunks of each entry (layouts, the page). */
  entryJSFiles?: Record<string, string[]>;
  /** Both bundlers: every client component the entry can render, with its chunks (webpack: `[id, file, id, file…]`). */
  clientModules?: Record<string, { chunks?: unknown[] }>;
}

/** A page's client reference manifest (a script that assigns a global). */
function clientManifest(distDir: string, entry: string): ClientReferenceManifest {
  const file = path.join(distDir, "server", "app", `${entry}_client-reference-manifest.js`);
  if (!existsSync(file)) return {};
  const sandbox: { globalThis?: unknown; self?: unknown; __RSC_MANIFEST?: Record<string, ClientReferenceManifest> } = {};
  sandbox.globalThis = sandbox;
  sandbox.self = sandbox;
  vm.runInNewContext(readFileSync(file, "utf8"), sandbox);
  return sandbox.__RSC_MANIFEST?.[entry] ?? {};
}

/**
 * The chunks a page's HTML loads besides `rootMainFiles`, from the layouts on the page's path and
 * the page itself. Turbopack lists them per entry (`entryJSFiles`). Webpack lists, for every
 * client component of the app, the chunks of the entry that uses it, each group ending in that
 * entry's own chunk (`static/chunks/app/<segments>/page-<hash>.js`, or `layout-…`): a component
 * counts for this page when its group ends in one of this page's own entry chunks.
 */
function pageChunks(distDir: string, entry: string): string[] {
  const manifest = clientManifest(distDir, entry);
  const segments = entry.split("/").filter(Boolean).slice(0, -1);
  const layouts = Array.from({ length: segments.length + 1 }, (_, i) => ["", "app", ...segments.slice(0, i), "layout"].join("/"));
  const page = ["", "app", ...segments, "page"].join("/");
  if (manifest.entryJSFiles) {
    return Object.entries(manifest.entryJSFiles)
      .filter(([key]) => [...layouts, page].some((want) => key.endsWith(want)))
      .flatMap(([, chunks]) => chunks);
  }
  const own = new Set([...layouts, page].map((p) => `static/chunks${p}`));
  const ownEntryChunk = (chunk: string) => own.has(decodeURIComponent(chunk).replace(/-[0-9a-f]+\.js$/, ""));
  return Object.values(manifest.clientModules ?? {})
    .map((m) => (m.chunks ?? []).filter((c): c is string => typeof c === "string" && c.endsWith(".js")))
    .filter((chunks) => chunks.some(ownEntryChunk))
    .flat();
}

/** Measures every page route of a finished build in `distDir`. */
export function measureBuild(distDir: string): BuildFigures {
  const buildManifest = JSON.parse(readFileSync(path.join(distDir, "build-manifest.json"), "utf8")) as { rootMainFiles?: string[] };
  const rootMain = buildManifest.rootMainFiles ?? [];
  const appRoutes = JSON.parse(readFileSync(path.join(distDir, "app-path-routes-manifest.json"), "utf8")) as Record<string, string>;
  const routes: RouteFigures[] = [];
  const firstLoad = new Set<string>();
  for (const [entry, route] of Object.entries(appRoutes)) {
    if (!entry.endsWith("/page") || route.startsWith("/_")) continue;
    const files = new Set([...rootMain, ...pageChunks(distDir, entry)]);
    const list = [...files].filter((f) => f.endsWith(".js")).map((f) => path.join(distDir, decodeURIComponent(f)));
    for (const f of list) firstLoad.add(f);
    routes.push({
      route,
      files: list,
      gzipBytes: list.reduce((sum, f) => sum + gzipSize(f), 0),
      msalBytes: list.filter(hasMsal).reduce((sum, f) => sum + gzipSize(f), 0),
    });
  }
  const chunkDir = path.join(distDir, "static", "chunks");
  const allChunks: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".js")) allChunks.push(full);
    }
  };
  walk(chunkDir);
  const lazyMsal = allChunks.filter((f) => !firstLoad.has(f) && hasMsal(f)).map((f) => ({ file: path.relative(distDir, f), gzipBytes: gzipSize(f) }));
  return { routes: routes.sort((a, b) => a.route.localeCompare(b.route)), lazyMsal };
}

