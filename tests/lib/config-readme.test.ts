// The README's configuration table is the one list of what can be set: every variable lib/config.ts
// validates, and every other one Sitebox's code reads from its environment, has a row there.
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '@/lib/config';

// Read only to pass on unchanged to programs Sitebox starts, or by build tooling: not settings.
const passedThrough = new Set(['PATH', 'LANG', 'NODE_ENV', 'PRISMA_SCHEMA_ENGINE_BINARY']);

async function readmeVariables(): Promise<Set<string>> {
  const readme = await readFile('README.md', 'utf8');
  const section = readme.split(/^## Configuration$/m)[1].split(/^## /m)[0];
  const names = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]));
  return new Set(names);
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.(ts|tsx|mjs)$/.test(e.name) && !e.parentPath.includes(`${path.sep}generated`))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('README configuration table', () => {
  it('has a row for every variable lib/config.ts validates', async () => {
    const documented = await readmeVariables();
    expect(Object.keys(configSchema.shape).filter((name) => !documented.has(name))).toEqual([]);
  });

  it('has a row for every other environment variable the code reads, and none the code does not', async () => {
    const files = ['server.ts', ...(await Promise.all(['lib', 'app', 'workers', 'scripts', 'components'].map(sourceFiles))).flat()];
    const read = new Set<string>(Object.keys(configSchema.shape));
    for (const file of files) {
      for (const m of (await readFile(file, 'utf8')).matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) read.add(m[1]);
    }
    const documented = await readmeVariables();
    expect([...read].filter((name) => !passedThrough.has(name) && !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !read.has(name))).toEqual([]);
  });
});

// A data folder holds the database and the site authority's private key: one the README has a
// newcomer make inside the checkout must never show as a change git would commit.
describe('README data folders', () => {
  it('are all ignored by git', async () => {
    const readme = await readFile('README.md', 'utf8');
    const folders = [...new Set([...readme.matchAll(/SITEBOX_DATA_DIR=(\.[\w.-]+)/g)].map((m) => m[1]))];
    expect(folders.length).toBeGreaterThan(0);
    const paths = folders.flatMap((folder) => [`${folder}/tls/ca.key`, `${folder}/pgdata/PG_VERSION`]);
    const ignored = spawnSync('git', ['check-ignore', '--no-index', ...paths], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean);
    expect(ignored).toEqual(paths);
  });
});
