/**
 * Loads Prisma's schema engine compiled to WebAssembly and runs it against a
 * database through a driver adapter.
 *
 * Why not the CLI: Prisma 7's `prisma migrate *` spawns a native schema-engine
 * binary downloaded from binaries.prisma.sh, which is unreachable here. The Wasm
 * build (@prisma/schema-engine-wasm, pinned to the CLI's engine commit) is the
 * same engine, shipped on npm, and talks to the database through the same driver
 * adapters as the app. It leans on Prisma internals: keep prisma, the adapters and
 * @prisma/schema-engine-wasm pinned together; test/db/migrations.test.ts covers it.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";

export type { SchemaEngine };

/** The wasm-bindgen glue module (schema_engine_bg.js) as this file uses it. */
interface WasmBindgenGlue {
  SchemaEngine: typeof SchemaEngine;
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
}

let engineClass: Promise<typeof SchemaEngine> | undefined;

/**
 * Instantiates the Wasm module once per process. The package's own entry point
 * imports the `.wasm` file as an ES module, which only bundlers understand, so
 * this repeats what @prisma/internals' wasm loader does: compile the bytes, hand
 * the glue module in as the import object, then start it.
 */
function loadSchemaEngineClass(): Promise<typeof SchemaEngine> {
  engineClass ??= (async () => {
    const glue = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as unknown as WasmBindgenGlue;
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
    const wasmModule = await WebAssembly.compile(await readFile(path.join(dir, "schema_engine_bg.wasm")));
    const instance = await WebAssembly.instantiate(wasmModule, {
      "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue.SchemaEngine;
  })();
  return engineClass;
}

/** A Prisma schema file as the engine takes it. */
export interface SchemaFile {
  path: string;
  content: string;
}

/** Reads a schema file into the shape the engine wants. */
export async function readSchemaFile(file: string): Promise<SchemaFile> {
  return { path: file, content: await readFile(file, "utf8") };
}

/** Thrown when the engine fails; carries the driver's own error when there is one. */
export class SchemaEngineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SchemaEngineError";
  }
}

/**
 * Runs `work` with a fresh engine bound to `factory` and the given schema, then
 * frees the engine and closes every connection it opened (a pg pool left open
 * would keep the process alive).
 */
export async function withSchemaEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  schemaFiles: SchemaFile[],
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const tracked = trackConnections(factory);
  const bound = bindMigrationAwareSqlAdapterFactory(tracked.factory);
  const debug = process.env.DEBUG_SCHEMA_ENGINE ? (m: string) => console.error(m) : () => {};
  let engine: SchemaEngine | undefined;
  try {
    const SchemaEngineClass = await loadSchemaEngineClass();
    engine = await SchemaEngineClass.new(
      { datamodels: schemaFiles.map((f): [string, string] => [f.path, f.content]) },
      debug,
      bound,
    );
    return await work(engine);
  } catch (error) {
    throw explain(error, bound.errorRegistry);
  } finally {
    engine?.free();
    await tracked.disposeAll();
  }
}

/**
 * Errors raised inside the JS driver adapter reach us as "External error id#N";
 * the original error waits in the bound factory's registry.
 */
function explain(error: unknown, registry: { consumeError(id: number): unknown }): Error {
  const message = error instanceof Error ? error.message : String(error);
  const external = /External error id#(\d+)/.exec(message);
  if (!external) return new SchemaEngineError(message, { cause: error });
  const cause = registry.consumeError(Number(external[1]));
  return new SchemaEngineError(`${message}: ${JSON.stringify(cause)}`, { cause });
}

/** Wraps a factory so every connection it hands out can be disposed exactly once at the end. */
function trackConnections(factory: SqlMigrationAwareDriverAdapterFactory) {
  const open = new Set<{ dispose(): Promise<void> }>();
  const track = <A extends { dispose(): Promise<void> }>(adapter: A): A => {
    const dispose = adapter.dispose.bind(adapter);
    let disposed = false;
    adapter.dispose = async () => {
      if (disposed) return;
      disposed = true;
      open.delete(adapter);
      await dispose();
    };
    open.add(adapter);
    return adapter;
  };
  const wrapped: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => track(await factory.connect()),
    connectToShadowDb: async () => track(await factory.connectToShadowDb()),
  };
  return {
    factory: wrapped,
    disposeAll: async () => {
      await Promise.allSettled([...open].map((adapter) => adapter.dispose()));
    },
  };
}
