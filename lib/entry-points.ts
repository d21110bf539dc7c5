import path from 'node:path';

// Replaced by `true` in the compiled build (scripts/build-server.mjs); undeclared in the sources.
declare const SITEBOX_COMPILED: boolean | undefined;
const compiled = typeof SITEBOX_COMPILED !== 'undefined' && SITEBOX_COMPILED;

/**
 * How to start one of Sitebox's own processes (a worker, the database host, an ingest thread):
 * from dist/server with plain Node when this process runs the compiled build
 * (scripts/build-server.mjs), else from the TypeScript source through tsx.
 */
export function entryPoint(source: string): { file: string; execArgv: string[] } {
  if (compiled) {
    return { file: path.join(process.cwd(), 'dist', 'server', source.replace(/\.ts$/, '.mjs')), execArgv: [] };
  }
  // Resolved at run time, never bundled: the ignore comment keeps Next's tracer from taking the whole tree.
  return { file: path.join(/*turbopackIgnore: true*/ process.cwd(), source), execArgv: ['--import', 'tsx'] };
}
