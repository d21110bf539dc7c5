// Client status against real PostgreSQL with a manual clock: devices judged by their latest
// policy request, heartbeat or hardware inventory, a device turning inactive once the site's
// threshold passes, the daily counts written to client_status_daily (by the domain and by the
// client-status-summarizer worker itself), and the read routes with their field errors.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getClientStatus } from '@/app/api/client-status/route';
import { GET as getInactiveClients } from '@/app/api/client-status/inactive/route';
import { GET as listDevices } from '@/app/api/devices/route';
import type { ClientStatusOverview, InactiveClientsPage } from '@/lib/client-status/client-status.schema';
import { listInactiveClients, readClientStatusOverview } from '@/lib/client-status/read-client-status';
import { recordClientStatusDaily } from '@/lib/client-status/record-client-status';
import { manualClock } from '@/lib/clock';
import { pool } from '@/lib/db/pool';
import type { DevicePage } from '@/lib/devices/list-devices.schema';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { readClientStatusSettings } from '@/lib/sitecontrol/read-client-status-settings';
import { readSiteControl } from '@/lib/sitecontrol/read-site-settings';
import { submitSiteControlChange } from '@/lib/sitecontrol/submit-site-control-change';
import { workers } from '@/workers/registry';
import { request, signInAs, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';
import { carryChanges } from '../sitecontrol/carry-changes';

const DAY = 86_400_000;
const admin = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };
// Real time at the start, so the routes (on the system clock) see the same picture.
const start = new Date();
const clock = manualClock(start);
const settings = (siteIds: number[]) => readClientStatusSettings(siteIds);
const day = (at: Date) => at.toISOString().slice(0, 10);
// Daily counts are kept by the site's local day (the demo site's time zone is not UTC).
let siteTimeZone = 'UTC';
const siteDay = (at: Date) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: siteTimeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

async function addDevice(
  name: string,
  values: { policy?: Date; heartbeat?: Date; hwInventory?: Date; online?: boolean; approval?: string; demo?: boolean } = {},
) {
  await pool().query(
    `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, online, is_demo,
                         last_policy_request_at, last_heartbeat_at, last_hw_inventory_at, updated_at)
     SELECT id, $1, 'Debian GNU/Linux', '12', 'WORKSTATION', $2::device_approval, $3, $4, $5, $6, $7, now() FROM site WHERE code = 'S01'`,
    [
      name,
      values.approval ?? 'APPROVED',
      values.online ?? false,
      values.demo ?? false,
      values.policy ?? null,
      values.heartbeat ?? null,
      values.hwInventory ?? null,
    ],
  );
}

async function dailyRows() {
  const { rows } = await pool().query<{ day: string; total: number; online: number; active: number; inactive: number }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, total, online, active, inactive FROM client_status_daily ORDER BY day`,
  );
  return rows;
}

describe('client status', () => {
  let analyst: TestSession;

  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 0 });
    siteTimeZone = (await pool().query<{ tz: string }>(`SELECT time_zone AS tz FROM site WHERE code = 'S01'`)).rows[0].tz;
    analyst = await signInAs('READ_ONLY_ANALYST');
    await addDevice('CS-POLICY', { policy: start });
    // Six days silent since its last heartbeat: active for one more day.
    await addDevice('CS-HEARTBEAT', { heartbeat: new Date(start.getTime() - 6 * DAY), policy: new Date(start.getTime() - 20 * DAY) });
    await addDevice('CS-INVENTORY', { hwInventory: new Date(start.getTime() - DAY), online: true });
    await addDevice('CS-NEVER', { demo: true });
    // Revoked: no longer one of the site's clients, counted nowhere.
    await addDevice('CS-REVOKED', { policy: start, approval: 'REVOKED' });
  });
  afterAll(async () => {
    await pool().query(`DELETE FROM client_status_daily`);
  });

  it('counts today, turns a client inactive once the threshold passes, and writes each day', async () => {
    const first = await recordClientStatusDaily({ now: clock.now(), settings });
    expect([...first.values()]).toEqual([{ total: 4, online: 1, active: 3, inactive: 1 }]);
    expect(await dailyRows()).toEqual([{ day: siteDay(start), total: 4, online: 1, active: 3, inactive: 1 }]);

    // Running again the same day rewrites the day's row rather than adding one.
    await recordClientStatusDaily({ now: clock.now(), settings });
    expect(await dailyRows()).toHaveLength(1);

    // Exactly seven days after its heartbeat: still active.
    clock.advance(DAY);
    await recordClientStatusDaily({ now: clock.now(), settings });
    expect((await dailyRows()).at(-1)).toEqual({ day: siteDay(clock.now()), total: 4, online: 1, active: 3, inactive: 1 });

    // One millisecond later it is inactive, and the reason says why.
    clock.advance(1);
    await recordClientStatusDaily({ now: clock.now(), settings });
    expect((await dailyRows()).at(-1)).toEqual({ day: siteDay(clock.now()), total: 4, online: 1, active: 2, inactive: 2 });
    const inactive = await listInactiveClients({ query: { page: 1, pageSize: 25 }, now: clock.now(), settings });
    expect(inactive.total).toBe(2);
    expect(inactive.rows.map((r) => [r.name, r.isDemo, r.reason])).toEqual([
      ['CS-NEVER', true, 'Inactive: never reported'],
      [
        'CS-HEARTBEAT',
        false,
        `Inactive: no policy request, heartbeat or hardware inventory for 7 days (last: heartbeat ${day(new Date(start.getTime() - 6 * DAY))})`,
      ],
    ]);

    const overview = await readClientStatusOverview({ now: clock.now(), days: 30, settings });
    expect(overview.totals).toEqual({ total: 4, online: 1, offline: 3, active: 2, inactive: 2 });
    expect(overview.inactiveAfterDays).toEqual({ S01: 7 });
    expect(overview.history.at(-1)).toMatchObject({ day: siteDay(clock.now()), active: 2, inactive: 2 });
  });

  it('judges by the site setting handed in, so a changed threshold applies at the next count', async () => {
    const { serial } = await readSiteControl();
    await submitSiteControlChange({ actor: admin, baseSerial: serial, changes: { 'clientStatus.inactiveAfterDays': 30 } });
    await carryChanges();
    const counts = await recordClientStatusDaily({ now: clock.now(), settings });
    expect([...counts.values()]).toEqual([{ total: 4, online: 1, active: 3, inactive: 1 }]);
    await submitSiteControlChange({ actor: admin, baseSerial: serial + 1, changes: { 'clientStatus.inactiveAfterDays': 7 } });
    await carryChanges();
  });

  it('the worker writes today’s counts as soon as it starts', async () => {
    await pool().query(`DELETE FROM client_status_daily`);
    const stop = new AbortController();
    const running = await workers['client-status-summarizer'].start({ log: pino({ level: 'silent' }), signal: stop.signal });
    try {
      await expect.poll(async () => (await dailyRows()).map((r) => r.day), { timeout: 10_000 }).toEqual([siteDay(new Date())]);
    } finally {
      stop.abort();
      await running.stop();
    }
    expect((await dailyRows())[0]).toMatchObject({ total: 4, online: 1 });
  });

  it('answers the Client Status and Devices routes, and names a bad field', async () => {
    const overview = await getClientStatus(request('/api/client-status?days=7', { headers: analyst.headers }));
    expect(overview.status).toBe(200);
    const body = (await overview.json()) as ClientStatusOverview;
    expect(body.totals).toMatchObject({ total: 4, active: 3, inactive: 1 });

    const inactive = await getInactiveClients(request('/api/client-status/inactive?pageSize=25', { headers: analyst.headers }));
    expect(((await inactive.json()) as InactiveClientsPage).rows.map((r) => r.name)).toEqual(['CS-NEVER']);

    const devices = async (qs: string) => {
      const res = await listDevices(request(`/api/devices?${qs}`, { headers: analyst.headers }));
      expect(res.status).toBe(200);
      return (await res.json()) as DevicePage;
    };
    const all = await devices('sort=name');
    expect(Object.fromEntries(all.rows.map((r) => [r.name, r.clientActivity.active]))).toEqual({
      'CS-HEARTBEAT': true,
      'CS-INVENTORY': true,
      'CS-NEVER': false,
      'CS-POLICY': true,
      'CS-REVOKED': true,
    });
    expect(all.rows.find((r) => r.name === 'CS-INVENTORY')!.clientActivity.reason).toBe('Active: hardware inventory 24 h ago');
    expect((await devices('activity=inactive')).rows.map((r) => r.name)).toEqual(['CS-NEVER']);
    expect((await devices('activity=active&search=CS-')).total).toBe(4);

    const bad = await getClientStatus(request('/api/client-status?days=0', { headers: analyst.headers }));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('days');
    const badActivity = await listDevices(request('/api/devices?activity=asleep', { headers: analyst.headers }));
    expect(badActivity.status).toBe(400);
    expect(JSON.stringify(await badActivity.json())).toContain('activity');
    const badPage = await getInactiveClients(request('/api/client-status/inactive?pageSize=7', { headers: analyst.headers }));
    expect(badPage.status).toBe(400);
    expect(JSON.stringify(await badPage.json())).toContain('pageSize');
    expect((await getClientStatus(request('/api/client-status'))).status).toBe(401);
  });
});
