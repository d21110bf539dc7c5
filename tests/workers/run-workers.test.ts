import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { ensureSiteControl } from '@/lib/sitecontrol/repo';
import { workerNames } from '@/workers/registry';
import { useTestDatabase } from '../support/database';

describe('every worker in one process (what npm start runs)', () => {
  let url: string;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    ({ url } = await useTestDatabase());
    await seedDemoSite({ devices: 0 });
    await ensureSiteControl(pool(), { siteCode: 'S01' });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('runs them all at a lower CPU priority, on one stop signal, without Node taking their waits for a listener leak', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'workers/run.ts', workerNames.join(',')], {
      // SITEBOX_WORKER_NICE unset: the default, which the other tests set to 0.
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', SITEBOX_WORKER_HEARTBEAT_SECONDS: '1', SITEBOX_WORKER_NICE: undefined },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    for (let until = Date.now() + 60_000; ; await sleep(200)) {
      const { rows } = await pool().query<{ n: number }>(`SELECT count(DISTINCT name)::int AS n FROM worker_heartbeat WHERE pid = $1`, [child.pid]);
      if (rows[0].n === workerNames.length) break;
      if (Date.now() > until || child.exitCode !== null) throw new Error(`the workers did not all start: ${stderr}`);
    }
    // Background work: five nice steps below whoever started it (SITEBOX_WORKER_NICE's default).
    expect(os.getPriority(child.pid)).toBe(Math.min(19, os.getPriority() + 5));
    // Every loop has run a cycle and sleeps on the shared signal by now.
    await sleep(3_000);
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/MaxListenersExceededWarning/);
  });
});
