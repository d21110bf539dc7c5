import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/health/route';
import { pool } from '@/lib/db/pool';
import { runtime } from '@/lib/runtime';
import { useTestDatabase } from '../../support/database';

describe('GET /api/health', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });

  it('reports the database, migrations and a live worker as ok', async () => {
    await pool().query(
      `INSERT INTO worker_heartbeat (name, instance, pid, host, started_at, last_beat_at) VALUES ('collection-evaluator', 'h:1', 1, 'h', now(), now())`,
    );
    runtime().supervisorStatus = () => [{ name: 'collection-evaluator', pid: 1, state: 'running', restarts: 0, lastExit: null }];
    const response = await GET();
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.status).toBe('ok');
    expect(body.database.reachable).toBe(true);
    expect(body.migrations.pending).toEqual([]);
    expect(body.migrations.applied).toBeGreaterThan(0);
    expect(body.workers).toEqual([expect.objectContaining({ name: 'collection-evaluator', alive: true })]);
  });

  it('is degraded when a supervised worker has stopped beating', async () => {
    await pool().query(`UPDATE worker_heartbeat SET last_beat_at = now() - interval '5 minutes'`);
    const body = await (await GET()).json();
    expect(body.status).toBe('degraded');
    expect(body.workers[0].alive).toBe(false);
  });

  it('answers 503 when the database cannot be reached', async () => {
    process.env.DATABASE_URL = 'postgresql://nobody:x@127.0.0.1:1/none';
    const { resetConfig } = await import('@/lib/config');
    const { closePool } = await import('@/lib/db/pool');
    await closePool();
    resetConfig();
    const response = await GET();
    expect(response.status).toBe(503);
    expect((await response.json()).database.reachable).toBe(false);
  });
});
