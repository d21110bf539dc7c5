import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '@/lib/db/embedded';
import { freePort } from '@/lib/net/free-port';

describe('embedded PostgreSQL', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('says why it did not start, with what PostgreSQL printed, when its port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-embedded-'));
    dirs.push(dir);
    try {
      const started = startEmbeddedPostgres({ dataDir: path.join(dir, 'pgdata'), port, database: 'sitebox' });
      await expect(started).rejects.toThrow(new RegExp(`PostgreSQL start failed in .*pgdata on port ${port}[\\s\\S]*in use`));
    } finally {
      blocker.close();
    }
  }, 120_000);

  it('stopped after its supervisor crashed, lets connected clients finish before it ends', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-embedded-'));
    dirs.push(dir);
    const db = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pgdata'), port: await freePort(), database: 'sitebox' });
    const worker = new pg.Client({ connectionString: db.url });
    await worker.connect();
    const stopped = db.stop({ waitForClients: true });
    // No new session once the stop is under way...
    await expect
      .poll(
        async () => {
          const late = new pg.Client({ connectionString: db.url });
          return late.connect().then(
            () => late.end().then(() => 'accepted'),
            (error: { code?: string }) => error.code,
          );
        },
        { timeout: 30_000 },
      )
      .toBe('57P03');
    // ...but the connected worker is not cut off: it finishes its work and leaves.
    expect((await worker.query('SELECT 42 AS answer')).rows).toEqual([{ answer: 42 }]);
    await worker.end();
    await stopped;
  }, 120_000);
});
