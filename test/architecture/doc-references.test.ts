/**
 * Docs that are true about where things are: every relative link in the repository's Markdown
 * resolves, and every repository path it names (`lib/step-up/client/msal.ts`, `e2e/scale/`,
 * `scripts/test.ts:120`) exists, with the line where one is given. Source comments name files too
 * ("see lib/step-up/client/verification-window.ts"); those are checked the same way, so moving a file
 * fails here until every mention follows it.
 *
 * A path in prose is read from the repository root; a Markdown link from its file's folder, as
 * GitHub renders it.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** The repository's tracked files (what a fresh clone has), relative to the root. */
const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
const trackedSet = new Set(tracked);
const trackedDirs = new Set(tracked.flatMap((file) => file.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))));

/**
 * Top-level folders whose paths prose names. Paths under them that the repository creates when it
 * runs (build output, certificates, test results) are not in a clone and are not named as files.
 */
const ROOTS = ["app", "components", "docs", "e2e", "emulator", "lib", "prisma", "public", "scripts", "test", ".ci"];
const PATH_IN_PROSE = new RegExp(String.raw`(?<![\w./@-])((?:${ROOTS.map((r) => r.replace(".", "\\.")).join("|")})/[\w.@()\[\]/-]*)(?::(\d+)(?:-\d+)?)?`, "g");
const MARKDOWN_LINK = /\]\(([^)\s]+)\)/g;

/** Made by `npm run db:generate` (named in the docs, never committed). */
const GENERATED = ["lib/generated"];

/**
 * Whether `relative` names a tracked file or folder. A trailing slash or dot is prose, not path;
 * a module named without its extension (`lib/db`, a route's `page`) counts when its file exists.
 */
function resolves(relative: string): boolean {
  const clean = relative.replace(/[/.]+$/, "");
  if (GENERATED.some((dir) => clean === dir || clean.startsWith(`${dir}/`))) return true;
  return [clean, `${clean}.ts`, `${clean}.tsx`].some((name) => trackedSet.has(name)) || trackedDirs.has(clean);
}

/**
 * The path a prose mention names, or null when it is not one: prose closes parentheses and
 * sentences around paths, so trailing `)`, `.` and `,` not part of an existing path are dropped.
 */
function candidate(raw: string): string {
  // `[docs/step-up.md](docs/step-up.md)`: the link target is checked as a link.
  let text = raw.split("](")[0]!;
  while (text.length > 0) {
    if (resolves(text)) return text;
    if (!/[).,]$/.test(text)) break;
    text = text.slice(0, -1);
  }
  return raw.split("](")[0]!;
}

/** A prose path from the repository root, else from the folder of the file that names it. */
function located(file: string, raw: string): string | null {
  const named = candidate(raw);
  if (resolves(named)) return named;
  const local = candidate(path.posix.join(path.posix.dirname(file), raw));
  return resolves(local) ? local : null;
}

function lineCount(file: string): number {
  return readFileSync(path.join(ROOT, file), "utf8").split("\n").length;
}

interface Problem {
  where: string;
  reference: string;
  why: string;
}

function checkProse(file: string, text: string, problems: Problem[]) {
  text.split("\n").forEach((line, index) => {
    for (const match of line.matchAll(PATH_IN_PROSE)) {
      const [, raw, lineNumber] = match;
      // A template ("lib/<folder>/"), a glob ("test/**/*.test.ts") or a URL path is not a file name.
      const start = match.index;
      const next = line.charAt(start + raw!.length);
      if (next === "<" || next === "*" || next === "{") continue;
      // A URL's path, or another repository's issue (`prisma/orm#123`).
      if (/\/\/\S*$/.test(line.slice(0, start)) || next === "#") continue;
      const named = located(file, raw!);
      const where = `${file}:${index + 1}`;
      if (!named) {
        problems.push({ where, reference: raw!, why: "no such file or folder" });
      } else if (lineNumber && trackedSet.has(named) && Number(lineNumber) > lineCount(named)) {
        problems.push({ where, reference: `${named}:${lineNumber}`, why: `${named} has ${lineCount(named)} lines` });
      }
    }
  });
}

function checkLinks(file: string, text: string, problems: Problem[]) {
  text.split("\n").forEach((line, index) => {
    for (const [, target] of line.matchAll(MARKDOWN_LINK)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target!) || target!.startsWith("#")) continue;
      const [pathPart] = target!.split("#");
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURI(pathPart!)));
      if (!resolves(resolved)) problems.push({ where: `${file}:${index + 1}`, reference: target!, why: `resolves to ${resolved}, which does not exist` });
    }
  });
}

const report = (problems: Problem[]) => problems.map((p) => `${p.where}: ${p.reference} (${p.why})`).join("\n");

describe("references to files in the repository", () => {
  it("README, SECURITY.md and every Markdown file: relative links and named paths resolve", () => {
    const problems: Problem[] = [];
    for (const file of tracked.filter((f) => f.endsWith(".md") && !f.startsWith("node_modules/"))) {
      const text = readFileSync(path.join(ROOT, file), "utf8");
      checkLinks(file, text, problems);
      checkProse(file, text, problems);
    }
    assert.equal(report(problems), "", "every reference resolves");
  });

  it("source comments name files that exist", () => {
    const problems: Problem[] = [];
    const sources = tracked.filter((f) => /\.(ts|tsx|mjs|js|css)$/.test(f) && !f.startsWith("lib/generated/") && existsSync(path.join(ROOT, f)));
    for (const file of sources) {
      const text = readFileSync(path.join(ROOT, file), "utf8");
      // Only comments: string literals name paths the code builds or tests on purpose.
      const comments = text.replace(/("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|(\/\*[\s\S]*?\*\/|\/\/[^\n]*)|[^\n]/g, (all, literal, comment) =>
        comment ? comment : literal ? literal.replace(/[^\n]/g, " ") : all === "\n" ? "\n" : " ",
      );
      checkProse(file, comments, problems);
    }
    assert.equal(report(problems), "", "every reference resolves");
  });

  it("the checker finds what it is meant to find", () => {
    const problems: Problem[] = [];
    checkProse("example.md", "See lib/step-up/no-such-file.ts and scripts/test.ts:999999, not lib/<folder>/.", problems);
    checkLinks("docs/example.md", "[gone](missing.md) and [fine](step-up.md#the-client) and [web](https://learn.microsoft.com/)", problems);
    checkProse("example.md", "(app/(portal)/layout.tsx) and e2e/scale/, lib/step-up/client/msal.ts.", problems);
    assert.deepEqual(
      problems.map((p) => p.reference),
      ["lib/step-up/no-such-file.ts", "scripts/test.ts:999999", "missing.md"],
    );
  });
});
