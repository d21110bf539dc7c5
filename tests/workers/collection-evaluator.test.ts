import { spawn, type ChildProcess } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { notifyCollectionsChanged } from '@/lib/collections/membership-repo';
import { pool } from '@/lib/db/pool';
import { registerDevice } from '@/lib/devices/register-device';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../support/database';

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('worker process: collection-evaluator', () => {
  let url: string;
  beforeAll(async () => {
    ({ url } = await useTestDatabase());
    await seedDemoSite({ devices: 200 });
  });

  it('beats, re-evaluates on NOTIFY, and stops cleanly on SIGTERM', async () => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'workers/run.ts', 'collection-evaluator'], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', SITEBOX_WORKER_HEARTBEAT_SECONDS: '1' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const beat = await until('a heartbeat', async () => {
        const { rows } = await pool().query(`SELECT * FROM worker_heartbeat WHERE name = 'collection-evaluator' AND pid = $1`, [child.pid]);
        return rows[0];
      });
      expect(beat.stopped_at).toBeNull();

      // A device added behind the evaluator's back shows up in All Systems after a NOTIFY.
      await pool().query(
        `INSERT INTO device (site_id, name, os_name, os_version, os_kind, updated_at)
         SELECT id, 'NEW-WS-0001', 'Windows 11 Enterprise', '10.0.26100', 'WORKSTATION', now() FROM site WHERE code = 'S01'`,
      );
      // The first full pass after start-up may still be running; NOTIFY until the member appears.
      await until('the new device in All Systems', async () => {
        await notifyCollectionsChanged(pool());
        const { rows } = await pool().query(`SELECT member_count FROM collection WHERE collection_id = 'SMS00001'`);
        return rows[0].member_count === 201;
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const { rows } = await pool().query(`SELECT stopped_at FROM worker_heartbeat WHERE pid = $1`, [child.pid]);
    expect(rows[0].stopped_at).not.toBeNull();
  });

  it('takes a newly registered device into All Systems within seconds, not at the next scheduled pass', async () => {
    const { spawnedAt } = (await pool().query(`SELECT now() AS "spawnedAt"`)).rows[0];
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'workers/run.ts', 'collection-evaluator'], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const allSystems = async () =>
      (await pool().query(`SELECT member_count, last_evaluated_at FROM collection WHERE collection_id = 'SMS00001'`)).rows[0];
    try {
      // After its start-up pass the worker's next scheduled look is a minute away.
      const before = await until('the start-up pass', async () => {
        const row = await allSystems();
        return row.last_evaluated_at >= spawnedAt && row;
      });
      await registerDevice({
        siteCode: 'S01',
        input: {
          name: 'NEW-WS-0002',
          osName: 'Windows 11 Enterprise',
          osVersion: '10.0.26100',
          osKind: 'WORKSTATION',
          clientVersion: '5.00.9132.1000',
        },
        address: '10.10.16.41',
        approvalMode: 'automatic',
      });
      await until('the registered device in All Systems', async () => (await allSystems()).member_count === before.member_count + 1, 15_000);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('refuses an unknown worker name and lists the known ones', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/run.ts', 'no-such-worker'], {
      env: { ...process.env, DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('collection-evaluator');
  });
});
