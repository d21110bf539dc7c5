// Builds the client agent into one self-contained file for a client machine's own Node:
//   npm run agent:build   →   dist/sitebox-agent.cjs
// Everything it imports (socket.io-client, zod, pino) is inside; nothing of the repository is needed.
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'dist', 'sitebox-agent.cjs');

await build({
  entryPoints: [path.join(root, 'scripts', 'agent.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
  // ws's optional native speed-ups: it falls back to plain JavaScript without them.
  external: ['bufferutil', 'utf-8-validate'],
  legalComments: 'none',
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
console.log(`built ${path.relative(process.cwd(), outfile)}`);
