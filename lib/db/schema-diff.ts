import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

/** A Prisma schema as text, or nothing (an empty database). */
export type SchemaSource = { path: string; content: string } | null;

interface Engine {
  diff(params: unknown): Promise<{ stdout: string; exitCode: number }>;
}

// Resolved from the project root so the module works under tsx, vitest and Next alike.
const require = createRequire(path.join(process.cwd(), 'package.json'));
let enginePromise: Promise<{ new: (...args: unknown[]) => Promise<Engine> }> | undefined;

/**
 * Loads Prisma's WASM schema engine by hand: Node cannot import `.wasm` as an ES module,
 * so the JS glue is wired to an instance we build ourselves.
 */
function loadEngine() {
  enginePromise ??= (async () => {
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue = await import(pathToFileURL(gluePath).href);
    const dir = path.dirname(gluePath);
    const bytes = await readFile(path.join(dir, 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
    return glue.SchemaEngine;
  })();
  return enginePromise;
}

/**
 * PostgreSQL DDL that turns a database built from `from` into one built from `to`.
 * A schema-to-schema diff: the engine opens a connection to `connectionString` (any reachable
 * PostgreSQL) but reads nothing from it.
 */
export async function diffSchemas(options: { from: SchemaSource; to: SchemaSource; connectionString: string }): Promise<string> {
  const SchemaEngine = await loadEngine();
  const target = options.to ?? options.from;
  if (!target) return '';
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString: options.connectionString }) as never);
  const engine = await SchemaEngine.new({ datamodels: [[target.path, target.content]] }, () => undefined, adapter);
  const side = (s: SchemaSource) => (s ? { tag: 'schemaDatamodel', files: [s] } : { tag: 'empty' });
  const result = await engine.diff({
    from: side(options.from),
    to: side(options.to),
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  return result.stdout;
}
