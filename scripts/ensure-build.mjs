// `npm start` runs this first: compiles the server's own processes (scripts/build-server.mjs),
// and builds the console with `next build` when there is no build yet or when a source file is
// newer than it, so a fresh clone and an updated one both start.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { buildServer } from './build-server.mjs';

const root = process.cwd();
const buildId = path.join(root, '.next', 'BUILD_ID');
const sources = ['app', 'components', 'lib', 'public', 'proxy.ts', 'next.config.js', 'postcss.config.mjs', 'package.json', 'tsconfig.json'];

function newestMtime(entry) {
  const full = path.join(root, entry);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const child of readdirSync(full, { withFileTypes: true })) {
    if (child.name === 'generated' || child.name === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(path.join(entry, child.name)));
  }
  return newest;
}

function isCurrent() {
  const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  return { built, current: built > 0 && built >= Math.max(...sources.map(newestMtime)) };
}

// The server's own processes compile in well under a second: always from the current sources.
await buildServer();
if (isCurrent().current) process.exit(0);

// Two test runs (or a test run and `npm start`) in one checkout must not build into .next at
// once; the second waits for the first and then finds the build current.
const release = await lockfile.lock(root, {
  lockfilePath: path.join(root, '.next-build.lock'),
  retries: { retries: 600, minTimeout: 1000, maxTimeout: 1000 },
  stale: 30_000,
});
const { built, current } = isCurrent();
if (current) {
  await release();
  process.exit(0);
}
console.log(built ? 'Sources changed since the last build; rebuilding the console…' : 'Building the console (first start)…');
// Spawned asynchronously: the lock's holder must keep refreshing it while the build runs, or after
// `stale` a waiting process would take it over and start a second build into the same .next.
const startedAt = new Date();
const status = await new Promise((resolve) => {
  const child = spawn(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  child.once('exit', (code) => resolve(code ?? 1));
  child.once('error', () => resolve(1));
});
// The build reflects the sources as they were when it started: a file saved during the build
// must count as newer than it, so the next run rebuilds.
if (status === 0 && existsSync(buildId)) utimesSync(buildId, startedAt, startedAt);
await release();
process.exit(status);
