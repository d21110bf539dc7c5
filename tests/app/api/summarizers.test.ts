import { beforeAll, describe, expect, it } from 'vitest';
import { POST as resetCounts } from '@/app/api/component-status/reset/route';
import { GET as componentStatus } from '@/app/api/component-status/route';
import { GET as siteStatus } from '@/app/api/site-status/route';
import { GET as siteSystemStatus } from '@/app/api/site-system-status/route';
import { GET as rates } from '@/app/api/summarizers/rates/route';
import { GET as readSettings, PUT as writeSettings } from '@/app/api/summarizers/settings/route';
import { DELETE as deleteThreshold, PUT as putThreshold } from '@/app/api/summarizers/thresholds/[id]/route';
import { POST as createThreshold } from '@/app/api/summarizers/thresholds/route';
import { pool } from '@/lib/db/pool';
import { serverName } from '@/lib/config';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { thresholdOverrideInputSchema } from '@/lib/summarizers/summarizer.schema';
import { thisServerComponents, workerComponents } from '@/lib/sites/server-components';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

// The seed's one site system: this server, with its own components and every worker's.
const seeded = thisServerComponents(Object.keys(workerComponents)).length;

const fields = async (res: Response) => ((await res.json()).error.fields as { path: string; message: string }[]).map((f) => f.path);
const audits = async (objectType: string) =>
  (await pool().query(`SELECT messages::text AS m FROM status_inbox`)).rows.filter((r) => r.m.includes(`"ObjectType":"${objectType}"`)).length;

describe('summarizer API', () => {
  let admin: TestSession;
  let operator: TestSession;
  let analyst: TestSession;

  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 0 });
    admin = await signInAs('FULL_ADMINISTRATOR');
    operator = await signInAs('OPERATIONS_ADMINISTRATOR');
    analyst = await signInAs('READ_ONLY_ANALYST');
  });

  it('serves the three views to any signed-in user, and names a bad interval', async () => {
    const components = await componentStatus(request('/api/component-status?site=S01', { headers: analyst.headers }));
    expect(components.status).toBe(200);
    const view = await components.json();
    expect(view).toMatchObject({ site: { code: 'S01', timeZone: 'America/New_York' }, interval: { kind: 'SINCE_MIDNIGHT' } });
    // The seeded site server with its components, all OK with nothing counted.
    expect(view.components).toHaveLength(seeded);
    expect(view.components[0]).toMatchObject({ health: 'OK', counts: { informational: 0, warning: 0, error: 0 } });

    expect((await siteStatus(request('/api/site-status', { headers: analyst.headers }))).status).toBe(200);
    const systems = await (await siteSystemStatus(request('/api/site-system-status', { headers: analyst.headers }))).json();
    expect(systems.siteSystems.map((s: { name: string; roles: string[] }) => [s.name, s.roles])).toEqual([
      [serverName(), ['SITE_SERVER', 'MANAGEMENT_POINT']],
    ]);
    const r = await (await rates(request('/api/summarizers/rates?site=S01', { headers: analyst.headers }))).json();
    expect(r.lastHour).toHaveLength(60);
    expect(r.lastDay).toHaveLength(24);

    // A window of the list, a search, and problems only, with the site's tallies either way.
    const page = await (await componentStatus(request('/api/component-status?offset=10&limit=10', { headers: analyst.headers }))).json();
    expect(page).toMatchObject({ total: seeded, offset: 10, tallies: { OK: seeded, WARNING: 0, CRITICAL: 0 } });
    expect(page.components.map((c: { component: string }) => c.component)).toEqual(
      view.components.slice(10).map((c: { component: string }) => c.component),
    );
    const found = await (await componentStatus(request('/api/component-status?search=notification_server', { headers: analyst.headers }))).json();
    expect(found.components.map((c: { systemName: string; component: string }) => [c.systemName, c.component])).toEqual([
      [serverName(), 'SMS_NOTIFICATION_SERVER'],
    ]);
    const problems = await (await componentStatus(request('/api/component-status?problems=true', { headers: analyst.headers }))).json();
    expect(problems).toMatchObject({ total: 0, components: [], tallies: { OK: seeded } });
    expect(await fields(await componentStatus(request('/api/component-status?limit=5000', { headers: analyst.headers })))).toEqual(['limit']);

    const bad = await componentStatus(request('/api/component-status?interval=SINCE_DATE&since=2026-11-20T14:30', { headers: analyst.headers }));
    expect(bad.status).toBe(400);
    expect(await fields(bad)).toEqual(['since']);
    const missing = await componentStatus(request('/api/component-status?interval=SINCE_DATE', { headers: analyst.headers }));
    expect(await fields(missing)).toEqual(['since']);
    const unknown = await componentStatus(request('/api/component-status?site=S99', { headers: analyst.headers }));
    expect(unknown.status).toBe(404);
  });

  it('resets counts for operators and above, audited; not for analysts', async () => {
    const body = { site: 'S01', systemName: serverName(), component: 'SMS_NOTIFICATION_SERVER' };
    expect((await resetCounts(request('/api/component-status/reset', { method: 'POST', headers: analyst.headers, body }))).status).toBe(403);
    const res = await resetCounts(request('/api/component-status/reset', { method: 'POST', headers: operator.headers, body }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ components: 1 });
    expect(await audits('ComponentStatus')).toBe(1);
    const none = await resetCounts(
      request('/api/component-status/reset', { method: 'POST', headers: operator.headers, body: { site: 'S01', component: 'NOPE' } }),
    );
    expect(none.status).toBe(404);
  });

  it('sets the display interval (full administrators), validated and audited', async () => {
    const put = (headers: Record<string, string>, body: unknown) =>
      writeSettings(request('/api/summarizers/settings', { method: 'PUT', headers, body }));
    expect((await put(operator.headers, { site: 'S01', displayInterval: 'SINCE_SUNDAY' })).status).toBe(403);
    const missing = await put(admin.headers, { site: 'S01', displayInterval: 'SINCE_DATE' });
    expect(missing.status).toBe(400);
    expect(await fields(missing)).toEqual(['since']);
    expect(await fields(await put(admin.headers, { site: 'S01', displayInterval: 'SOMETIMES' }))).toEqual(['displayInterval']);
    const ok = await put(admin.headers, { site: 'S01', displayInterval: 'SINCE_DATE', since: '2026-11-20T14:00' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ displayInterval: 'SINCE_DATE', since: '2026-11-20T14:00' });
    const view = await (await componentStatus(request('/api/component-status', { headers: analyst.headers }))).json();
    expect(view.interval).toMatchObject({ kind: 'SINCE_DATE', start: '2026-11-20T19:00:00.000Z' });
    expect(await audits('SummarizerSettings')).toBe(1);
  });

  it('adds, changes and deletes threshold overrides; site-wide thresholds stay with Site Settings', async () => {
    const post = (body: unknown, headers = admin.headers) =>
      createThreshold(request('/api/summarizers/thresholds', { method: 'POST', headers, body }));
    const input = { component: 'SMS_MP_CONTROL_MANAGER', severity: 'ERROR', warningAt: 10, criticalAt: 20 };
    expect((await post(input, operator.headers)).status).toBe(403);
    expect(await fields(await post({ ...input, warningAt: 20 }))).toEqual(['warningAt']);
    const noTarget = await (await post({ ...input, component: '' })).json();
    expect(noTarget.error.fields).toEqual([
      { path: 'component', message: 'is required unless a message ID is given (site-wide thresholds are site settings)' },
    ]);
    expect(await fields(await post({ ...input, criticalAt: 'many' }))).toEqual(['criticalAt']);
    // Only a number, or the digits of one as a form sends them, is a count or a message ID.
    for (const notANumber of [true, false, [30], '', ' ', '0x20', '3e1']) {
      expect(await fields(await post({ ...input, criticalAt: notANumber }))).toEqual(['criticalAt']);
      expect(await fields(await post({ ...input, messageId: notANumber }))).toEqual(['messageId']);
    }
    const typed = thresholdOverrideInputSchema.parse({ ...input, warningAt: ' 10 ', criticalAt: '20', messageId: '4611' });
    expect(typed).toMatchObject({ warningAt: 10, criticalAt: 20, messageId: 4611 });
    // A site code that names no site of the hierarchy (a typo) would never apply: refused, naming the field.
    const noSite = await post({ ...input, siteCode: 'S10' });
    expect(noSite.status).toBe(400);
    expect((await noSite.json()).error.fields).toEqual([{ path: 'siteCode', message: 'is not a site of this hierarchy' }]);
    const created = await post(input);
    expect(created.status).toBe(201);
    const { id } = await created.json();
    expect((await post(input)).status).toBe(409);

    const changed = await putThreshold(
      request(`/api/summarizers/thresholds/${id}`, { method: 'PUT', headers: admin.headers, body: { ...input, messageId: 5100 } }),
      withParams({ id: String(id) }),
    );
    expect(await changed.json()).toMatchObject({ id, messageId: 5100 });
    const settings = await (await readSettings(request('/api/summarizers/settings', { headers: analyst.headers }))).json();
    expect(settings.siteWideThresholds).toHaveLength(3);
    expect(settings.overrides).toMatchObject([{ id, component: 'SMS_MP_CONTROL_MANAGER', messageId: 5100 }]);

    const siteWide = settings.siteWideThresholds[0].id;
    const refused = await deleteThreshold(
      request(`/api/summarizers/thresholds/${siteWide}`, { method: 'DELETE', headers: admin.headers }),
      withParams({ id: String(siteWide) }),
    );
    expect(refused.status).toBe(400);
    const deleted = await deleteThreshold(
      request(`/api/summarizers/thresholds/${id}`, { method: 'DELETE', headers: admin.headers }),
      withParams({ id: String(id) }),
    );
    expect(deleted.status).toBe(200);
    expect(await audits('SummarizerThreshold')).toBe(3);
  });

  it('refuses an override edit made from an older version (409) and keeps the newer one; an edit naming no version applies', async () => {
    const post = await createThreshold(
      request('/api/summarizers/thresholds', {
        method: 'POST',
        headers: admin.headers,
        body: { component: 'SMS_STATUS_MANAGER', severity: 'WARNING', warningAt: 10, criticalAt: 20 },
      }),
    );
    const opened = await post.json();
    const put = (body: unknown) =>
      putThreshold(
        request(`/api/summarizers/thresholds/${opened.id}`, { method: 'PUT', headers: admin.headers, body }),
        withParams({ id: String(opened.id) }),
      );
    const base = { component: 'SMS_STATUS_MANAGER', severity: 'WARNING' };

    // Two administrators open the same override; the first saves.
    const first = await put({ ...base, warningAt: 30, criticalAt: 40, baseUpdatedAt: opened.updatedAt });
    expect(first.status).toBe(200);
    // The second, still on the version both opened, would put back their own numbers: refused.
    const second = await put({ ...base, warningAt: 11, criticalAt: 21, baseUpdatedAt: opened.updatedAt });
    expect(second.status).toBe(409);
    expect((await second.json()).error.message).toContain('changed this override after you opened it');
    const settings = await (await readSettings(request('/api/summarizers/settings', { headers: analyst.headers }))).json();
    expect(settings.overrides.find((t: { id: number }) => t.id === opened.id)).toMatchObject({ warningAt: 30, criticalAt: 40 });

    expect((await put({ ...base, warningAt: 12, criticalAt: 22 })).status).toBe(200);
    expect(await fields(await put({ ...base, warningAt: 12, criticalAt: 22, baseUpdatedAt: 'yesterday' }))).toEqual(['baseUpdatedAt']);
  });

  it("opens on this site's own status, not on a child site whose code sorts before it", async () => {
    // A child site recorded on this one (as its credential or its replicated messages do), coded before S01.
    await pool().query(`INSERT INTO site (code, name, time_zone, updated_at) VALUES ('C02', 'Branch', 'Europe/Berlin', now())`);
    const view = await (await componentStatus(request('/api/component-status', { headers: analyst.headers }))).json();
    expect(view.site.code).toBe('S01');
    const systems = await (await siteSystemStatus(request('/api/site-system-status', { headers: analyst.headers }))).json();
    expect(systems.site.code).toBe('S01');
    const settings = await (await readSettings(request('/api/summarizers/settings', { headers: analyst.headers }))).json();
    expect(settings.site.code).toBe('S01');
    const r = await (await rates(request('/api/summarizers/rates', { headers: analyst.headers }))).json();
    expect(r.site).toBe('S01');
    // Another site is still there when asked for.
    expect((await (await componentStatus(request('/api/component-status?site=C02', { headers: analyst.headers }))).json()).site.code).toBe('C02');
  });
});
