import path from 'node:path';

/**
 * How to start one of Sitebox's own processes (a worker, the database host, an ingest thread):
 * from dist/server with plain Node when this process runs the compiled build
 * (scripts/build-server.mjs sets SITEBOX_COMPILED in it), else from the TypeScript source through tsx.
 */
export function entryPoint(source: string): { file: string; execArgv: string[] } {
  if (process.env.SITEBOX_COMPILED === '1') {
    return { file: path.join(process.cwd(), 'dist', 'server', source.replace(/\.ts$/, '.mjs')), execArgv: [] };
  }
  return { file: path.join(process.cwd(), source), execArgv: ['--import', 'tsx'] };
}
