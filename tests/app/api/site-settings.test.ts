import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getSettings } from '@/app/api/site-settings/route';
import { POST as postChange } from '@/app/api/site-settings/changes/route';
import { GET as getChange } from '@/app/api/site-settings/changes/[id]/route';
import { GET as getHistory } from '@/app/api/site-settings/history/route';
import { GET as getSerial } from '@/app/api/site-settings/history/[serial]/route';
import { GET as getDiff } from '@/app/api/site-settings/diff/route';
import { POST as postRestore } from '@/app/api/site-settings/restore/route';
import { GET as getDocument } from '@/app/api/site-settings/document/route';
import { pool } from '@/lib/db/pool';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { settingChangesSchema } from '@/lib/sitecontrol/site-control-change.schema';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { carryChanges } from '../../lib/sitecontrol/carry-changes';
import { useTestDatabase } from '../../support/database';

describe('/api/site-settings', () => {
  let admin: TestSession;
  let analyst: TestSession;
  let workerDb: pg.Pool;

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    workerDb = new pg.Pool({ connectionString: url, max: 2 });
    await seedDemoSite({ devices: 0 });
    admin = await signInAs('FULL_ADMINISTRATOR', 'admin1');
    analyst = await signInAs('READ_ONLY_ANALYST', 'analyst1');
  });
  afterAll(() => workerDb.end());

  const current = async () => await (await getSettings(request('/api/site-settings', { headers: admin.headers }))).json();
  const change = (session: TestSession, body: unknown) =>
    postChange(request('/api/site-settings/changes', { method: 'POST', headers: session.headers, body }));

  it('shows the document at serial 0 with its defaults', async () => {
    const view = await current();
    expect(view).toMatchObject({ siteCode: 'S01', serial: 0, serialName: '00000000', changedBy: 'setup' });
    expect(view.settings.components.notificationServer.port).toBe(10123);
  });

  it('takes a change (202), reports where it is, and applies it as the next serial', async () => {
    const response = await change(admin, { baseSerial: 0, changes: { 'clientAgent.policyPollingMinutes': 15 } });
    expect(response.status).toBe(202);
    const { change: submitted } = await response.json();
    expect(submitted).toMatchObject({ state: 'PENDING', baseSerial: 0, submittedBy: 'admin1' });
    await carryChanges(workerDb);
    const state = await (
      await getChange(request(`/api/site-settings/changes/${submitted.id}`, { headers: admin.headers }), withParams({ id: String(submitted.id) }))
    ).json();
    expect(state.change).toMatchObject({ state: 'APPLIED', appliedSerial: 1 });
    expect((await current()).settings.clientAgent.policyPollingMinutes).toBe(15);
  });

  it('refuses bad values with 400 naming the field', async () => {
    const response = await change(admin, {
      baseSerial: 1,
      changes: { 'components.notificationServer.port': 0, 'clientAgent.softwareMetering': 'maybe' },
    });
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error.fields).toEqual([
      { path: 'changes.components.notificationServer.port', message: 'must be at least 1' },
      { path: 'changes.clientAgent.softwareMetering', message: 'must be on or off' },
    ]);
    const rule = await change(admin, { baseSerial: 1, changes: { 'summarizers.componentStatus.warning.criticalAt': 10 } });
    expect(rule.status).toBe(400);
    expect((await rule.json()).error.fields[0]).toEqual({
      path: 'summarizers.componentStatus.warning.warningAt',
      message: 'must be lower than the critical threshold (10)',
    });
    const missing = await change(admin, { changes: { 'clientAgent.softwareMetering': false } });
    expect((await missing.json()).error.fields[0].path).toBe('baseSerial');
  });

  it('refuses a schedule with a seconds or a year field, which would run every second', async () => {
    const cronError = 'must be a cron pattern such as "0 0 * * *" (minute hour day month weekday)';
    for (const pattern of ['* * * * * *', '* * * * * * *', '0 0 0 * * *']) {
      for (const path of ['components.siteControlManager.heartbeatSchedule', 'maintenance.deleteAgedStatusMessages.schedule']) {
        const response = await change(admin, { baseSerial: 1, changes: { [path]: pattern } });
        expect(response.status).toBe(400);
        expect((await response.json()).error.fields).toEqual([{ path: `changes.${path}`, message: cronError }]);
      }
    }
    // A document stored while such a schedule was taken still reads as stored, its section's other settings with it.
    const set = (schedule: string, port: number) =>
      workerDb.query(
        `UPDATE site_control SET document = jsonb_set(jsonb_set(document, '{components,siteControlManager,heartbeatSchedule}', to_jsonb($1::text)),
                                                      '{components,notificationServer,port}', to_jsonb($2::int))`,
        [schedule, port],
      );
    await set('0 0 0 * * *', 10200);
    const stored = (await current()).settings.components;
    expect(stored.siteControlManager.heartbeatSchedule).toBe('0 0 0 * * *');
    expect(stored.notificationServer.port).toBe(10200);
    await set('0 0 * * *', 10123);
  });

  it('refuses a schedule no date matches, which would never purge nor send a heartbeat', async () => {
    for (const pattern of ['0 0 31 2 *', '0 0 30 2 *', '0 0 31 4 *']) {
      for (const path of ['components.siteControlManager.heartbeatSchedule', 'maintenance.deleteAgedStatusMessages.schedule']) {
        const response = await change(admin, { baseSerial: 1, changes: { [path]: pattern } });
        expect(response.status).toBe(400);
        expect((await response.json()).error.fields).toEqual([{ path: `changes.${path}`, message: 'never comes: no date matches it' }]);
      }
    }
    // February 29 comes every four years: taken.
    expect(settingChangesSchema.safeParse({ 'maintenance.deleteAgedStatusMessages.schedule': '0 0 29 2 *' }).success).toBe(true);
  });

  it('refuses a scan path holding a line break, which the one-path-per-line form would split and then refuse on every apply', async () => {
    const message = 'must hold one value per line: a value with a line break cannot be edited';
    for (const path of ['clientAgent.scan.quickPaths', 'clientAgent.scan.fullPaths', 'clientAgent.scan.exclusions']) {
      for (const broken of ['/a\nb', '/a\r/b']) {
        const response = await change(admin, { baseSerial: 1, changes: { [path]: ['/home', broken] } });
        expect(response.status).toBe(400);
        expect((await response.json()).error.fields).toEqual([{ path: `changes.${path}`, message }]);
      }
    }
  });

  it('refuses a site name holding a right-to-left override or another direction control, naming site.name', async () => {
    for (const name of ['Lyon \u202Ereversed', '\u2067Lyon']) {
      const response = await change(admin, { baseSerial: 1, changes: { 'site.name': name } });
      expect(response.status).toBe(400);
      expect((await response.json()).error.fields).toEqual([
        { path: 'changes.site.name', message: 'must not hold text direction controls (such as a right-to-left override)' },
      ]);
    }
  });

  it('refuses a change to a property that moved since its base serial with 409 and the other change', async () => {
    const response = await change(admin, { baseSerial: 0, changes: { 'clientAgent.policyPollingMinutes': 45 } });
    expect(response.status).toBe(409);
    const { error } = await response.json();
    expect(error.message).toContain('admin1 changed Client policy: Policy polling interval from 60 to 15 in serial 00000001');
    expect(error.details.conflicts).toEqual([
      expect.objectContaining({ path: 'clientAgent.policyPollingMinutes', serial: 1, changedBy: 'admin1', before: 60, after: 15 }),
    ]);
    // A different property from the same old serial still applies.
    expect((await change(admin, { baseSerial: 0, changes: { 'clientApproval.mode': 'manual' } })).status).toBe(202);
    await carryChanges(workerDb);
    expect((await current()).serial).toBe(2);
  });

  it('lets only site setting editors change settings', async () => {
    expect((await change(analyst, { baseSerial: 2, changes: { 'clientApproval.mode': 'automatic' } })).status).toBe(403);
    expect((await getSettings(request('/api/site-settings', { headers: analyst.headers }))).status).toBe(200);
  });

  it('lists history, diffs two serials, restores one as a new change and downloads the document', async () => {
    const history = await (await getHistory(request('/api/site-settings/history', { headers: admin.headers }))).json();
    expect(history.entries.map((e: { serialName: string }) => e.serialName)).toEqual(['00000002', '00000001', '00000000']);
    expect(history.entries[0]).toMatchObject({ changedBy: 'admin1', properties: ['clientApproval.mode'], current: true });

    const diff = await (await getDiff(request('/api/site-settings/diff?from=0&to=2', { headers: admin.headers }))).json();
    expect(diff.changes).toEqual([
      { path: 'clientAgent.policyPollingMinutes', before: 60, after: 15 },
      { path: 'clientApproval.mode', before: 'automatic', after: 'manual' },
    ]);
    const bad = await getDiff(request('/api/site-settings/diff?from=x&to=2', { headers: admin.headers }));
    expect(bad.status).toBe(400);
    // A serial after the current one has never existed: it is not one the history let go of.
    const ahead = await getDiff(request('/api/site-settings/diff?from=0&to=999', { headers: admin.headers }));
    expect(ahead.status).toBe(404);
    const aheadError = (await ahead.json()).error;
    expect(aheadError.message).toBe('Serial 000003E7 does not exist yet (the current one is 00000002).');
    expect(aheadError.fields).toEqual([{ path: 'to', message: 'does not exist yet' }]);
    const restoreAhead = await postRestore(
      request('/api/site-settings/restore', { method: 'POST', headers: admin.headers, body: { serial: 3, baseSerial: 2 } }),
    );
    expect(restoreAhead.status).toBe(404);
    expect((await restoreAhead.json()).error.fields).toEqual([{ path: 'serial', message: 'does not exist yet' }]);

    const zero = await (await getSerial(request('/api/site-settings/history/0', { headers: admin.headers }), withParams({ serial: '0' }))).json();
    expect(zero.settings.clientApproval.mode).toBe('automatic');

    const restore = await postRestore(
      request('/api/site-settings/restore', { method: 'POST', headers: admin.headers, body: { serial: 0, baseSerial: 2 } }),
    );
    expect(restore.status).toBe(202);
    expect((await restore.json()).change.comment).toBe('Restore serial 00000000');
    await carryChanges(workerDb);
    const restored = await current();
    expect(restored.serial).toBe(3);
    expect(restored.settings.clientAgent.policyPollingMinutes).toBe(60);
    expect(restored.settings.clientApproval.mode).toBe('automatic');

    const file = await getDocument(request('/api/site-settings/document', { headers: admin.headers }));
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="sitectrl-S01-00000003.txt"');
    const text = await file.text();
    expect(text).toContain('# Serial: 00000003 (3)');
    expect(text).toContain('components.notificationServer.port = 10123');
  });

  it('refuses to restore a serial holding a value the settings no longer take, naming it', async () => {
    // Serial 1 as stored by a version that still took a schedule with a seconds field.
    await workerDb.query(
      `UPDATE site_control_history SET document = jsonb_set(document, '{components,siteControlManager,heartbeatSchedule}', '"* * * * * *"') WHERE serial = 1`,
    );
    const restore = await postRestore(
      request('/api/site-settings/restore', { method: 'POST', headers: admin.headers, body: { serial: 1, baseSerial: 3 } }),
    );
    expect(restore.status).toBe(400);
    const { error } = await restore.json();
    expect(error.message).toContain('Serial 00000001 holds a value the settings no longer take');
    expect(error.fields).toEqual([
      {
        path: 'components.siteControlManager.heartbeatSchedule',
        message: 'must be a cron pattern such as "0 0 * * *" (minute hour day month weekday)',
      },
    ]);
    expect((await current()).serial).toBe(3);
  });

  it('audits each change naming the user and the properties', async () => {
    const { rows } = await pool().query(
      `SELECT m FROM status_inbox i, json_array_elements(i.messages::json) m WHERE (m->>'messageId')::int = 30001 ORDER BY i.id`,
    );
    expect(rows).toHaveLength(3);
    expect(rows[0].m.insertionStrings).toEqual(['admin1', 'modified', 'SiteControl', 'S01: clientAgent.policyPollingMinutes']);
    expect(rows[0].m.properties).toMatchObject({
      UserName: 'admin1',
      OldValue: '{"clientAgent.policyPollingMinutes":60}',
      NewValue: '{"clientAgent.policyPollingMinutes":15}',
    });
    expect(rows[2].m.insertionStrings[3]).toBe('S01 (Restore serial 00000000): clientAgent.policyPollingMinutes, clientApproval.mode');
  });
});
