import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { settingLeaves } from '@/lib/sitecontrol/document-paths';
import { getAt } from '@/lib/sitecontrol/document-paths';
import { readSiteControl } from '@/lib/sitecontrol/read-site-settings';
import { ensureSiteControl } from '@/lib/sitecontrol/repo';
import { submitSiteControlChange } from '@/lib/sitecontrol/submit-site-control-change';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../support/database';
import { until, workerProcesses } from '../support/worker-processes';

const admin = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };

const deltaStates = async () =>
  Object.fromEntries((await pool().query(`SELECT state, count(*)::int n FROM site_control_delta GROUP BY state`)).rows.map((r) => [r.state, r.n]));

/** How many status messages with this ID name each delta (by its DeltaId property). */
const reportsPerDelta = async (messageId: number) =>
  (
    await pool().query(
      `SELECT m->'properties'->>'DeltaId' AS delta, count(*)::int n FROM status_inbox i, json_array_elements(i.messages::json) m
        WHERE (m->>'messageId')::int = $1 GROUP BY 1`,
      [messageId],
    )
  ).rows as { delta: string; n: number }[];

/** A valid new value for each number and on/off setting that can change on its own. */
function independentChanges(settings: unknown): Record<string, unknown>[] {
  const changes: Record<string, unknown>[] = [];
  for (const path of settingLeaves.keys()) {
    const value = getAt(settings, path);
    const next = typeof value === 'boolean' ? !value : typeof value === 'number' ? value + 1 : undefined;
    if (next === undefined || !settingLeaves.get(path)!.safeParse(next).success) continue;
    // Raising a warning threshold up to its critical one would break the rule between them.
    if (path.endsWith('.warningAt') || path.endsWith('freeSpaceCriticalMb')) continue;
    changes.push({ [path]: next });
  }
  return changes;
}

describe('worker processes: hierarchy-manager and site-control-manager', () => {
  let url: string;
  const { start, kill, killAll } = workerProcesses(() => url);

  beforeAll(async () => {
    ({ url } = await useTestDatabase());
    await seedDemoSite({ devices: 0 });
    await ensureSiteControl(pool(), { siteCode: 'S01' });
  });
  afterAll(killAll);

  it('carries a change from the console to a new serial with both workers running', async () => {
    const hm = await start('hierarchy-manager');
    const scm = await start('site-control-manager');
    const { serial } = await readSiteControl();
    const { delta } = await submitSiteControlChange({ actor: admin, baseSerial: serial, changes: { 'components.notificationServer.port': 10400 } });
    const applied = await until('the change applied', async () => {
      const { rows } = await pool().query(`SELECT state, applied_serial FROM site_control_delta WHERE id = $1`, [delta.id]);
      return rows[0].state === 'APPLIED' && rows[0];
    });
    expect(applied.applied_serial).toBe(serial + 1);
    expect((await readSiteControl()).settings.components.notificationServer.port).toBe(10400);
    await Promise.all([kill(hm), kill(scm)]);
  });

  it('loses nothing and applies each delta exactly once when the workers are killed between and during steps', async () => {
    const before = await readSiteControl();
    const wanted = independentChanges(before.settings);
    expect(wanted.length).toBeGreaterThanOrEqual(15);
    for (const changes of wanted) await submitSiteControlChange({ actor: admin, baseSerial: before.serial, changes });
    const ids = (await pool().query(`SELECT id FROM site_control_delta WHERE state = 'PENDING' ORDER BY id`)).rows.map((r) => r.id as number);
    expect(ids).toHaveLength(wanted.length);

    // Hierarchy Manager alone: everything handed off, then it dies.
    const hm = await start('hierarchy-manager');
    await until('all handed off', async () => (await deltaStates()).QUEUED === wanted.length);
    await kill(hm);

    // Site Control Manager dies while merging (as soon as the first serial is written), then again after it finished.
    let scm = await start('site-control-manager');
    await until('a first merge', async () => ((await deltaStates()).MERGED ?? 0) > 0);
    await kill(scm);
    const merged = (await deltaStates()).MERGED;
    expect(merged).toBeGreaterThan(0);
    scm = await start('site-control-manager');
    await until('all merged', async () => (await deltaStates()).MERGED === wanted.length);
    await kill(scm);
    expect(await deltaStates()).toEqual({ MERGED: wanted.length, APPLIED: 1 });

    // Hierarchy Manager again: it catches up on the merged deltas at start.
    await start('hierarchy-manager');
    await until('all applied', async () => (await deltaStates()).APPLIED === wanted.length + 1);

    const after = await readSiteControl();
    expect(after.serial).toBe(before.serial + wanted.length);
    for (const changes of wanted) {
      const [[path, value]] = Object.entries(changes);
      expect(getAt(after.settings, path)).toEqual(value);
    }
    const serials = (
      await pool().query(`SELECT applied_serial FROM site_control_delta WHERE id = ANY($1::int[]) ORDER BY applied_serial`, [ids])
    ).rows.map((r) => r.applied_serial);
    expect(serials).toEqual(wanted.map((_, i) => before.serial + 1 + i));
    const history = (await pool().query(`SELECT serial FROM site_control_history ORDER BY serial`)).rows.map((r) => r.serial);
    expect(history).toEqual(Array.from({ length: after.serial }, (_, i) => i));
    // Each step reported each delta once: handed off, merged, applied.
    for (const messageId of [2800, 2810, 2801]) {
      const reports = await reportsPerDelta(messageId);
      expect(reports.filter((r) => ids.includes(Number(r.delta))).map((r) => r.n)).toEqual(ids.map(() => 1));
    }
  }, 120_000);
});
