/**
 * The emulator's modules form no import cycle, type-only imports included: each file can be read,
 * and copied, after the files it imports. `types.ts` is the shared vocabulary at the bottom of the
 * graph and imports nothing from the emulator. Import edges are read with the TypeScript
 * compiler's own pre-processor, so multi-line, `export … from` and dynamic imports all count.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { importCycles } from "../../scripts/architecture/import-cycles.js";

const EMULATOR = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** Each file (relative to emulator/) → the emulator files it imports. Packages are left out. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const targets = importedFiles
      .map(({ fileName }) => fileName)
      .filter((spec) => spec.startsWith("."))
      .map((spec) => resolve(dirname(file), spec.replace(/\.js$/, ".ts")))
      .filter((target) => target.endsWith(".ts") && existsSync(target))
      .map((target) => relative(EMULATOR, target));
    graph.set(relative(EMULATOR, file), [...new Set(targets)]);
  }
  return graph;
}

describe("emulator import graph", () => {
  const graph = importGraph(sourceFiles(EMULATOR));

  it("reads the emulator's modules", () => {
    assert.ok(graph.get("server.ts")?.includes("context.ts"), "the graph should see server.ts import context.ts");
  });

  it("has no import cycle among the emulator's files", () => {
    assert.deepEqual(importCycles(graph), [], "files that import each other, directly or through others");
  });

  it("keeps types.ts free of emulator imports", () => {
    assert.deepEqual(graph.get("types.ts"), []);
  });

  it("finds a cycle when there is one", () => {
    const looped = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]], ["d.ts", ["a.ts"]]]);
    assert.deepEqual(importCycles(looped), [["a.ts", "b.ts", "c.ts"]]);
  });
});
