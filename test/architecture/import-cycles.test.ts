/**
 * No import cycle between the portal's `lib/` folders (every folder and subfolder, and each file
 * directly in lib/, counts as a folder of its own): each folder can be read after the folders it
 * imports. Type-only
 * imports count. The emulator checks its own files in `emulator/test/import-graph.test.ts`.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";
import { importCycles } from "../../scripts/architecture/import-cycles";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const LIB = path.join(ROOT, "lib");
/** Prisma's generated client imports only itself. */
const SKIPPED = new Set(["generated"]);

/**
 * The folder imports that close cycles today, to be removed by moving files (not here), and
 * never added to: folder → the folders it imports inside its cycle. Every import between two
 * folders of one cycle must be listed, so a new cycle, or a new import inside an existing one,
 * fails; when an import listed here stops closing a cycle, the test asks for it to be removed.
 * Today two groups remain: auth, data, finance, validation and step-up/server (shortest loops
 * auth ↔ data, data ↔ finance, finance ↔ validation, and auth ↔ step-up/server: lib/auth/actions.ts
 * is built with `authedAction`), and rate-limit ↔ security.
 */
const KNOWN_CYCLE_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  auth: ["data", "step-up/server", "validation"],
  data: ["auth", "finance", "validation"],
  finance: ["data", "validation"],
  "rate-limit": ["security"],
  security: ["rate-limit"],
  "step-up/server": ["auth", "data", "validation"],
  validation: ["finance"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/**
 * `lib/step-up/policy.ts` → `step-up`; `lib/step-up/server/enforce.ts` → `step-up/server`;
 * `lib/db.ts` → `db.ts`. A subfolder is a folder of its own, so a cycle between two subfolders
 * (or between a subfolder and its parent) counts like any other.
 */
function folderOf(file: string): string {
  const relative = path.relative(LIB, file);
  return path.dirname(relative) === "." ? relative : path.dirname(relative).split(path.sep).join("/");
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = spec.startsWith("@/") ? path.join(ROOT, spec.slice(2)) : spec.startsWith(".") ? path.resolve(path.dirname(from), spec) : undefined;
  if (!base) return undefined;
  const stem = base.replace(/\.js$/, "");
  return [stem, `${stem}.ts`, `${stem}.tsx`, path.join(stem, "index.ts"), path.join(stem, "index.tsx")].find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

/** Folder → the other lib folders its files import. */
function folderGraph(): Map<string, string[]> {
  const files = readdirSync(LIB)
    .filter((entry) => !SKIPPED.has(entry))
    .flatMap((entry) => (statSync(path.join(LIB, entry)).isDirectory() ? sourceFiles(path.join(LIB, entry)) : [path.join(LIB, entry)]));
  const graph = new Map<string, Set<string>>(files.map((file) => [folderOf(file), new Set()]));
  for (const file of files) {
    const folder = folderOf(file);
    for (const { fileName } of ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles) {
      const target = resolveImport(file, fileName);
      if (!target || !target.startsWith(LIB + path.sep)) continue;
      const targetFolder = folderOf(target);
      if (targetFolder !== folder && graph.has(targetFolder)) graph.get(folder)!.add(targetFolder);
    }
  }
  return new Map([...graph].map(([folder, targets]) => [folder, [...targets].sort()]));
}


/** `from → to` for every import between two folders of the same cycle. */
function importsInCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  return importCycles(graph).flatMap((cycle) => cycle.flatMap((from) => (graph.get(from) ?? []).filter((to) => cycle.includes(to)).map((to) => `${from} → ${to}`)));
}

describe("lib folder import graph", () => {
  const graph = folderGraph();
  const inCycles = importsInCycles(graph);
  const known = Object.entries(KNOWN_CYCLE_IMPORTS).flatMap(([from, targets]) => targets.map((to) => `${from} → ${to}`));

  it("reads lib's folders and their imports", () => {
    assert.ok(graph.get("step-up/server")?.includes("auth"), "the graph should see lib/step-up/server import lib/auth");
  });

  it("keeps step-up's sides apart: the shared files import neither side, the server never the client", () => {
    // The client reaches the server only through a server action (lib/step-up/server/actions.ts).
    assert.deepEqual(graph.get("step-up")?.filter((to) => to.startsWith("step-up/")), []);
    assert.ok(!graph.get("step-up/server")?.includes("step-up/client"), "lib/step-up/server imports lib/step-up/client");
  });

  it("adds no folder import that closes a cycle", () => {
    const added = inCycles.filter((edge) => !known.includes(edge));
    assert.deepEqual(added, [], "new import(s) closing a folder cycle in lib/; move code so the folders stop depending on each other");
  });

  it("lists only known cycle imports that still close a cycle", () => {
    const gone = known.filter((edge) => !inCycles.includes(edge));
    assert.deepEqual(gone, [], "these imports no longer close a cycle: remove them from KNOWN_CYCLE_IMPORTS");
  });

  it("finds a cycle when there is one", () => {
    const looped = new Map([["a", ["b"]], ["b", ["a", "c"]], ["c", []]]);
    assert.deepEqual(importsInCycles(looped), ["a → b", "b → a"]);
  });
});
