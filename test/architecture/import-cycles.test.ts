/**
 * No import cycle between the portal's top-level `lib/*` folders (a file directly in lib/ counts
 * as a folder of its own): each folder can be read after the folders it imports. Type-only
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
 * Today the ten folders below form one strongly connected group; its shortest loops are
 * actions ↔ auth, actions ↔ rate-limit, actions ↔ step-up, auth ↔ data, data ↔ step-up,
 * data ↔ finance, finance ↔ validation, rate-limit ↔ security and env.ts ↔ step-up.
 */
const KNOWN_CYCLE_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  actions: ["auth", "rate-limit", "step-up"],
  auth: ["actions", "data", "db.ts", "env.ts", "rate-limit", "security", "validation"],
  data: ["actions", "auth", "db.ts", "env.ts", "finance", "step-up", "validation"],
  "db.ts": ["env.ts"],
  "env.ts": ["step-up"],
  finance: ["data", "validation"],
  "rate-limit": ["actions", "db.ts", "env.ts", "security"],
  security: ["rate-limit"],
  "step-up": ["actions", "auth", "data", "db.ts", "env.ts", "rate-limit", "security", "validation"],
  validation: ["finance"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** `lib/step-up/policy.ts` → `step-up`; `lib/db.ts` → `db.ts`. */
function folderOf(file: string): string {
  return path.relative(LIB, file).split(path.sep)[0]!;
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = spec.startsWith("@/") ? path.join(ROOT, spec.slice(2)) : spec.startsWith(".") ? path.resolve(path.dirname(from), spec) : undefined;
  if (!base) return undefined;
  const stem = base.replace(/\.js$/, "");
  return [stem, `${stem}.ts`, `${stem}.tsx`, path.join(stem, "index.ts"), path.join(stem, "index.tsx")].find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

/** Folder → the other lib folders its files import. */
function folderGraph(): Map<string, string[]> {
  const graph = new Map<string, Set<string>>();
  for (const entry of readdirSync(LIB)) if (!SKIPPED.has(entry)) graph.set(entry, new Set());
  for (const [folder, targets] of graph) {
    const full = path.join(LIB, folder);
    for (const file of statSync(full).isDirectory() ? sourceFiles(full) : [full]) {
      for (const { fileName } of ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles) {
        const target = resolveImport(file, fileName);
        if (!target || !target.startsWith(LIB + path.sep)) continue;
        const targetFolder = folderOf(target);
        if (targetFolder !== folder && graph.has(targetFolder)) targets.add(targetFolder);
      }
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
    assert.ok(graph.get("step-up")?.includes("auth"), "the graph should see lib/step-up import lib/auth");
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
