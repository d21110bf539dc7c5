import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { checkHealth } from '@/lib/health/check-health';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { issueSiteSystemCredential } from '@/lib/sites/site-system-credentials';
import { registerThisServer } from '@/lib/sites/register-this-server';
import { useTestDatabase } from '../../support/database';

const SERVER = 'p01-ss01.corp.example.com';

describe('a fresh install with a site code other than S01', () => {
  let url: string;
  beforeAll(async () => {
    Object.assign(process.env, {
      SITEBOX_SERVER_NAME: SERVER,
      SITEBOX_SITE_CODE: 'P01',
      SITEBOX_SITE_NAME: 'Primary',
      SITEBOX_SITE_TIME_ZONE: 'Europe/Berlin',
    });
    resetConfig();
    ({ url } = await useTestDatabase());
  });
  afterAll(() => {
    for (const name of ['SITEBOX_SERVER_NAME', 'SITEBOX_SITE_CODE', 'SITEBOX_SITE_NAME', 'SITEBOX_SITE_TIME_ZONE']) delete process.env[name];
    resetConfig();
  });

  it('sets up the configured site, registers this server under it and issues credentials for it', async () => {
    const db = pool();
    expect(await seedDemoSite({ devices: 3 })).toEqual({ created: true, devices: 3 });
    const { rows: sites } = await db.query(`SELECT code, name, time_zone FROM site`);
    expect(sites).toEqual([{ code: 'P01', name: 'Primary', time_zone: 'Europe/Berlin' }]);
    const { rows: systems } = await db.query(`SELECT s.code FROM site_system y JOIN site s ON s.id = y.site_id WHERE y.name = $1`, [SERVER]);
    expect(systems).toEqual([{ code: 'P01' }]);
    const { rows: collections } = await db.query(`SELECT collection_id FROM collection WHERE collection_id LIKE 'P01%'`);
    expect(collections.length).toBeGreaterThan(0);
    expect(await registerThisServer({ workers: ['hierarchy-manager'] })).toMatchObject({ retired: [] });
    const issued = await issueSiteSystemCredential({ siteCode: 'P01', name: 'c01-ss01.corp.example.com' });
    expect(issued.credential).toMatch(/^SiteSystem \d+\./);
  });

  it('reports a worker that cannot start as down with an Error status message, never alive', async () => {
    // A site code this database does not serve: Hierarchy Manager cannot start.
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/run.ts', 'hierarchy-manager'], {
      env: { ...process.env, DATABASE_URL: url, SITEBOX_SITE_CODE: 'Z99', LOG_LEVEL: 'silent', SITEBOX_WORKER_HEARTBEAT_SECONDS: '1' },
      stdio: 'ignore',
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    const { rows: beats } = await pool().query(`SELECT 1 FROM worker_heartbeat WHERE pid = $1`, [child.pid]);
    expect(beats).toHaveLength(0);
    const { rows } = await pool().query<{ m: { messageId: number; severity: string; component: string; insertionStrings: string[] } }>(
      `SELECT json_array_elements(messages::json) AS m FROM status_inbox`,
    );
    const failed = rows.map((r) => r.m).find((m) => m.messageId === 502);
    expect(failed).toMatchObject({ severity: 'ERROR', component: 'SMS_HIERARCHY_MANAGER' });
    expect(failed?.insertionStrings[2]).toMatch(/Z99/);
    const health = await checkHealth({
      db: pool(),
      heartbeatSeconds: 1,
      supervised: [{ name: 'hierarchy-manager', pid: null, state: 'waiting-to-restart', restarts: 3, lastExit: null }],
    });
    expect(health.status).toBe('degraded');
    expect(health.workers.filter((w) => w.name === 'hierarchy-manager' && w.alive)).toHaveLength(0);
  });
});
