import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '@/lib/db/embedded';

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
});
