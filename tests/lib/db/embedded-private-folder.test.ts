import { chmod, cp, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '@/lib/db/embedded';
import { bundledPostgresDir } from '@/lib/db/postgres-binaries';
import { freePort } from '@/lib/net/free-port';

// A checkout under /root, or in a folder made by `mktemp -d`, is closed to every other user. As
// root, PostgreSQL runs as the postgres system user, which must still reach its programs and data.
describe('embedded PostgreSQL started from a private (0700) folder', () => {
  const isRoot = os.userInfo().uid === 0;
  let privateDir: string;
  let reachableDir: string;
  let postgresDir: string;

  beforeAll(async () => {
    privateDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-private-'));
    await chmod(privateDir, 0o700);
    reachableDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-reachable-'));
    // The programs as a checkout in that folder would hold them.
    postgresDir = path.join(privateDir, 'checkout', 'node_modules', 'postgres-build');
    await cp(bundledPostgresDir(), postgresDir, { recursive: true, verbatimSymlinks: true });
  }, 120_000);
  afterAll(async () => {
    await rm(privateDir, { recursive: true, force: true });
    await rm(reachableDir, { recursive: true, force: true });
  });

  it('starts, answers queries, and starts again on the same data after a stop', async () => {
    expect((await stat(privateDir)).mode & 0o777).toBe(0o700);
    const dataDir = path.join(privateDir, 'checkout', '.sitebox', 'pgdata');
    const notices: string[] = [];
    const start = async () =>
      startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'sitebox', postgresDir, reachableDir, notice: (m) => notices.push(m) });

    const first = await start();
    try {
      await query(first.url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)');
    } finally {
      await first.stop();
    }
    const second = await start();
    try {
      expect(await query(second.url, 'SELECT id FROM kept')).toEqual([{ id: 42 }]);
      expect(second.dataDir).toBe(first.dataDir);
      if (isRoot) {
        expect(second.dataDir.startsWith(reachableDir)).toBe(true);
        expect(notices).toContainEqual(expect.stringContaining(`the database for ${dataDir} lives in ${second.dataDir}`));
        expect(notices).toContainEqual(expect.stringContaining(`cannot reach ${postgresDir}; PostgreSQL runs from a copy in ${reachableDir}`));
      } else {
        expect(second.dataDir).toBe(dataDir);
      }
    } finally {
      await second.stop();
    }
  }, 180_000);

  it.runIf(isRoot)(
    'names the folder and the fix when the place it would move to is out of reach too',
    async () => {
      const started = startEmbeddedPostgres({
        dataDir: path.join(privateDir, 'other', 'pgdata'),
        port: await freePort(),
        database: 'sitebox',
        postgresDir,
        reachableDir: path.join(privateDir, 'also-private'),
      });
      await expect(started).rejects.toThrow(
        new RegExp(
          `^The postgres system user cannot reach PostgreSQL's programs at ${privateDir}/also-private/.*: let it enter every folder on the way`,
        ),
      );
    },
    120_000,
  );
});

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const results = await client.query(sql);
    return (Array.isArray(results) ? results.at(-1) : results).rows;
  } finally {
    await client.end();
  }
}
