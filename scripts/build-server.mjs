// Compiles the server's own processes — server.ts, a management point of its own (mp.ts), the workers, the embedded database host and the
// ingest threads — from TypeScript to JavaScript in dist/server, so that production runs plain Node:
// no TypeScript compiler held in every process. Packages stay in node_modules (not bundled).
// `npm run build` and `npm start` (through scripts/ensure-build.mjs) run it.
import { build } from 'esbuild';

export const serverEntryPoints = ['server.ts', 'mp.ts', 'workers/run.ts', 'lib/db/embedded-host.ts', 'lib/ingest/5-ingest-thread.ts'];

export async function buildServer() {
  await build({
    entryPoints: serverEntryPoints,
    outdir: 'dist/server',
    outbase: '.',
    bundle: true,
    splitting: true,
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // next has no export map: from an ES module, its subpaths need their file name.
    alias: { 'next/server': 'next/server.js' },
    sourcemap: 'linked',
    logLevel: 'warning',
    // lib/entry-points.ts: compiled processes start their children from dist/server, without tsx.
    define: { SITEBOX_COMPILED: 'true' },
  });
}

// Run as a script (not imported): build now. No top-level await, so TypeScript benches can import it.
if (import.meta.url === `file://${process.argv[1]}`) {
  buildServer().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
