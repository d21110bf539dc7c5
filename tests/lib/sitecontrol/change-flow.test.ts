import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { AppError } from '@/lib/errors';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { reconcileSiteTables } from '@/lib/sitecontrol/hierarchy-manager';
import { readSiteControl } from '@/lib/sitecontrol/read-site-settings';
import { reportSiteControlHeartbeat } from '@/lib/sitecontrol/site-control-manager';
import { ensureSiteControl, findDelta, listHistory } from '@/lib/sitecontrol/repo';
import { submitSiteControlChange } from '@/lib/sitecontrol/submit-site-control-change';
import { watchSiteControl, type SiteControlChange } from '@/lib/sitecontrol/watch-site-control';
import { carryChanges } from './carry-changes';
import { useTestDatabase } from '../../support/database';

const alice = { principal: { userId: 1, userName: 'alice', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };
const bob = { principal: { userId: 2, userName: 'bob', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.2' };

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const inboxMessages = async (messageId: number) =>
  Number(
    (
      await pool().query(`SELECT count(*) n FROM status_inbox i, json_array_elements(i.messages::json) m WHERE (m->>'messageId')::int = $1`, [
        messageId,
      ])
    ).rows[0].n,
  );

describe('site control change flow', () => {
  // The workers' own connections, as separate processes would have.
  let workerDb: pg.Pool;
  beforeAll(async () => {
    const { url } = await useTestDatabase();
    workerDb = new pg.Pool({ connectionString: url, max: 3 });
    await seedDemoSite({ devices: 0 });
    await ensureSiteControl(pool(), { siteCode: 'S01' });
  });
  afterAll(() => workerDb.end());

  it('carries a change through both workers into a new serial, history and the site row', async () => {
    const before = await readSiteControl();
    const changes: SiteControlChange[] = [];
    const watcher = watchSiteControl({ paths: ['components.notificationServer'], onChange: (c) => void changes.push(c) });
    await watcher.ready;
    const { delta } = await submitSiteControlChange({
      actor: alice,
      baseSerial: before.serial,
      changes: { 'components.notificationServer.port': 10200, 'site.name': 'New York HQ' },
    });
    expect(delta.state).toBe('PENDING');
    await carryChanges();
    const after = await readSiteControl();
    expect(after.serial).toBe(before.serial + 1);
    expect(after.settings.components.notificationServer.port).toBe(10200);
    expect(await findDelta(pool(), delta.id)).toMatchObject({ state: 'APPLIED', appliedSerial: after.serial });
    const site = await pool().query(`SELECT name FROM site WHERE code = 'S01'`);
    expect(site.rows[0].name).toBe('New York HQ');
    const history = await listHistory(pool(), (await ensureSiteControl(pool(), { siteCode: 'S01' })).id);
    expect(history[0]).toMatchObject({ serial: after.serial, changedBy: 'alice', current: true });
    expect(history[0].properties.sort()).toEqual(['components.notificationServer.port', 'site.name']);
    expect(history[1]).toMatchObject({ serial: before.serial, current: false });
    // Each step reported once; the audit names the user and the properties.
    for (const id of [2800, 2810, 2801]) expect(await inboxMessages(id)).toBe(1);
    const audit = await pool().query(`SELECT m FROM status_inbox i, json_array_elements(i.messages::json) m WHERE (m->>'messageId')::int = 30001`);
    expect(audit.rows[0].m.insertionStrings[0]).toBe('alice');
    expect(audit.rows[0].m.insertionStrings[3]).toContain('components.notificationServer.port');
    // The watcher of the notification server's settings was told.
    await expect.poll(() => changes.length).toBe(1);
    expect(changes[0]).toMatchObject({ serial: after.serial });
    expect(changes[0].changedPaths).toContain('components.notificationServer.port');
    await watcher.close();
  });

  it('tells a watcher about a change applied while its connection was down', async () => {
    const changes: SiteControlChange[] = [];
    const watcher = watchSiteControl({ paths: ['clientAgent.inventory'], onChange: (c) => void changes.push(c) });
    await watcher.ready;
    await pool().query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'sitebox-listen'`,
    );
    const { serial } = await readSiteControl();
    await submitSiteControlChange({ actor: alice, baseSerial: serial, changes: { 'clientAgent.inventory.every': 3 } });
    await carryChanges();
    await expect.poll(() => changes.length, { timeout: 10_000 }).toBe(1);
    expect(changes[0]).toMatchObject({ serial: serial + 1, changedPaths: ['clientAgent.inventory.every'] });
    await watcher.close();
  });

  it('applies two changes to different properties made from the same serial', async () => {
    const { serial } = await readSiteControl();
    await submitSiteControlChange({ actor: alice, baseSerial: serial, changes: { 'clientAgent.policyPollingMinutes': 30 } });
    await submitSiteControlChange({ actor: bob, baseSerial: serial, changes: { 'clientAgent.softwareMetering': false } });
    await carryChanges();
    const after = await readSiteControl();
    expect(after.serial).toBe(serial + 2);
    expect(after.settings.clientAgent).toMatchObject({ policyPollingMinutes: 30, softwareMetering: false });
  });

  it('refuses a property that moved since the base serial, showing the other change', async () => {
    const { serial } = await readSiteControl();
    await submitSiteControlChange({ actor: alice, baseSerial: serial, changes: { 'components.notificationServer.keepAliveMinutes': 20 } });
    // Still on its way: refused at once.
    const pending = await refusal(
      submitSiteControlChange({ actor: bob, baseSerial: serial, changes: { 'components.notificationServer.keepAliveMinutes': 25 } }),
    );
    expect(pending.code).toBe('CONFLICT');
    expect(pending.userMessage).toMatch(/alice changed Notification Server: Keep-alive interval from 15 to 20/);
    await carryChanges();
    // Applied: refused naming the serial.
    const moved = await refusal(
      submitSiteControlChange({ actor: bob, baseSerial: serial, changes: { 'components.notificationServer.keepAliveMinutes': 25 } }),
    );
    expect(moved.code).toBe('CONFLICT');
    expect(moved.details).toMatchObject({
      conflicts: [{ path: 'components.notificationServer.keepAliveMinutes', serial: serial + 1, changedBy: 'alice', before: 15, after: 20 }],
    });
    expect(moved.userMessage).toContain(`serial 0000000${(serial + 1).toString(16).toUpperCase()}`);
    expect((await readSiteControl()).settings.components.notificationServer.keepAliveMinutes).toBe(20);
  });

  it('refuses values that break a rule, naming the field', async () => {
    const { serial } = await readSiteControl();
    const error = await refusal(
      submitSiteControlChange({ actor: alice, baseSerial: serial, changes: { 'summarizers.siteSystemStatus.freeSpaceCriticalMb': 20_000 } }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.details).toEqual({
      fields: [{ path: 'summarizers.siteSystemStatus.freeSpaceCriticalMb', message: 'must be lower than the warning free space (10240 MB)' }],
    });
  });

  it('loses no update under 100 concurrent edits', async () => {
    const path = 'summarizers.componentStatus.informational.criticalAt';
    const start = (await readSiteControl()).settings.summarizers.componentStatus.informational.criticalAt;
    let carrying = true;
    const carrier = (async () => {
      while (carrying) {
        await carryChanges(workerDb);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    let refusals = 0;
    // Each editor adds one: reads the document, submits from its serial, and on a refusal reads again.
    const editor = async () => {
      for (let attempt = 0; ; attempt++) {
        const { serial, settings } = await readSiteControl();
        try {
          await submitSiteControlChange({
            actor: alice,
            baseSerial: serial,
            changes: { [path]: settings.summarizers.componentStatus.informational.criticalAt + 1 },
          });
          return;
        } catch (error) {
          if (!(error instanceof AppError) || error.code !== 'CONFLICT') throw error;
          refusals++;
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(2000, 20 * 2 ** attempt)));
        }
      }
    };
    await Promise.all(Array.from({ length: 100 }, editor));
    carrying = false;
    await carrier;
    await carryChanges();
    expect((await readSiteControl()).settings.summarizers.componentStatus.informational.criticalAt).toBe(start + 100);
    expect(refusals).toBeGreaterThan(0);
    const states = await pool().query(`SELECT state, count(*)::int n FROM site_control_delta GROUP BY state`);
    expect(states.rows).toEqual([{ state: 'APPLIED', n: expect.any(Number) }]);
  }, 120_000);

  it('puts back a site row changed outside the flow on the cycle, and reports the heartbeat', async () => {
    const { settings, serial } = await readSiteControl();
    await pool().query(`UPDATE site SET name = 'Renamed behind its back' WHERE code = 'S01'`);
    expect(await reconcileSiteTables({ db: pool(), siteCode: 'S01' })).toBe(true);
    expect((await pool().query(`SELECT name FROM site WHERE code = 'S01'`)).rows[0].name).toBe(settings.site.name);
    expect(await reconcileSiteTables({ db: pool(), siteCode: 'S01' })).toBe(false);
    expect(await inboxMessages(2802)).toBe(1);
    expect(await reportSiteControlHeartbeat({ db: pool(), siteCode: 'S01' })).toEqual({ serial, history: Math.min(serial, 100) });
    expect(await inboxMessages(2812)).toBe(1);
  });

  it('keeps the last 100 documents in history', async () => {
    for (let i = 0; i < 105; i++) {
      const { serial, settings } = await readSiteControl();
      await submitSiteControlChange({
        actor: bob,
        baseSerial: serial,
        changes: { 'clientAgent.policyPollingMinutes': settings.clientAgent.policyPollingMinutes === 30 ? 31 : 30 },
      });
      await carryChanges();
    }
    await carryChanges();
    const control = await ensureSiteControl(pool(), { siteCode: 'S01' });
    const history = await listHistory(pool(), control.id);
    expect(history.filter((h) => !h.current)).toHaveLength(100);
    expect(history[0].serial).toBe(control.serial);
    expect(history.at(-1)!.serial).toBe(control.serial - 100);
  }, 120_000);
});
