import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { config } from '@/lib/config';
import { isDatabaseGoingAway, logDatabaseFailure, logIdleConnectionErrors } from '@/lib/db/pool-errors';
import { useTestDatabase } from '../../support/database';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

describe('a database server going away', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });

  it('is logged as a warning with its SQLSTATE and no stack; any other failure as an error with its stack', async () => {
    // A session the server ends, as a stopping PostgreSQL ends every session (57P01).
    const victim = new pg.Client({ connectionString: config().databaseUrl });
    await victim.connect();
    victim.on('error', () => undefined);
    const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const killed = victim.query('SELECT pg_sleep(30)').catch((error: unknown) => error);
    const admin = new pg.Client({ connectionString: config().databaseUrl });
    await admin.connect();
    try {
      await expect
        .poll(async () => (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE '%pg_sleep%'`, [rows[0].pid])).rowCount)
        .toBe(1);
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      const terminated = await killed;
      const broken = await admin.query('SELECT FROM nowhere').catch((error: unknown) => error);
      expect(isDatabaseGoingAway(terminated)).toBe(true);
      expect(isDatabaseGoingAway(broken)).toBe(false);

      const { log, lines } = capture();
      logDatabaseFailure(log, terminated, 'worker cycle failed');
      logDatabaseFailure(log, broken, 'worker cycle failed');
      expect(lines[0]).toMatchObject({ level: 40, code: '57P01', msg: 'worker cycle failed: the database server is stopping or away' });
      expect(lines[0].reason).toMatch(/terminating connection/);
      expect(lines[0]).not.toHaveProperty('err');
      expect(lines[1]).toMatchObject({ level: 50, msg: 'worker cycle failed', err: { code: '42P01', stack: expect.stringContaining('error') } });
    } finally {
      await admin.end();
      await victim.end().catch(() => undefined);
    }
  });

  it('a connection ended while checked out between two queries fails its next query, not the process', async () => {
    const db = logIdleConnectionErrors(new pg.Pool({ connectionString: config().databaseUrl, max: 2 }), 'test');
    const admin = new pg.Client({ connectionString: config().databaseUrl });
    await admin.connect();
    try {
      // As inTransaction holds a client between its statements, or the inventory loader its lock.
      const client = await db.connect();
      await client.query('BEGIN');
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      // The server's 57P01 reaches the client while it runs no query: an unheard 'error' event would throw here.
      await expect.poll(async () => (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [rows[0].pid])).rowCount).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const failed = await client.query('SELECT 1').catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(Error);
      client.release();
      // What a worker's pass then fails with is the cut connection, logged as the server going away is: a warning without a stack.
      const { log, lines } = capture();
      logDatabaseFailure(log, failed, 'worker cycle failed');
      expect(lines[0]).toMatchObject({ level: 40, msg: 'worker cycle failed: its database connection was cut' });
      expect(lines[0].reason).toBe((failed as Error).message);
      expect(lines[0]).not.toHaveProperty('err');
      // The dead connection left the pool; the next query gets a live one.
      expect((await db.query<{ n: number }>('SELECT 1 AS n')).rows[0].n).toBe(1);
    } finally {
      await admin.end();
      await db.end();
    }
  });
});
