// GET /api/devices against a real database seeded with the demo site: paging, sorting by every
// column, search, filters and 400s naming the bad field. DELETE /api/devices/[id]: what goes with a
// device, who may, and its name free to register again.
import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/devices/route';
import { DELETE } from '@/app/api/devices/[id]/route';
import { authenticateDevice } from '@/lib/devices/authenticate-device';
import { registerDevice } from '@/lib/devices/register-device';
import { pool } from '@/lib/db/pool';
import { deviceSortColumns, type DevicePage, type DeviceSortColumn } from '@/lib/devices/list-devices.schema';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../../support/database';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';

const DEVICES = 500;

interface Device {
  id: number;
  name: string;
  osName: string;
  osKind: 'WORKSTATION' | 'SERVER';
  ipAddress: string | null;
  online: boolean;
}

let analyst: TestSession;
let all: Device[];

async function get(query: Record<string, string | number>, session: TestSession | null = analyst) {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  return GET(request(`/api/devices?${qs}`, { headers: session?.headers }));
}

async function page(query: Record<string, string | number> = {}): Promise<DevicePage> {
  const res = await get(query);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

async function badField(query: Record<string, string | number>): Promise<string[]> {
  const res = await get(query);
  expect(res.status).toBe(400);
  const { error } = await res.json();
  expect(error.code).toBe('BAD_REQUEST');
  expect(error.message).toBeTruthy();
  return error.fields.map((f: { path: string }) => f.path);
}

// The order each sort column must give, written as SQL independently of the repo's Prisma
// orderBy: blanks last in both directions, id breaking ties.
const sortSql: Record<DeviceSortColumn, string> = {
  name: 'd.name',
  domain: 'd.domain',
  osName: 'd.os_name',
  osVersion: 'd.os_version',
  ipAddress: 'd.ip_address',
  site: 's.code',
  approval: 'd.approval',
  online: 'd.online',
  lastSeenAt: 'd.last_seen_at',
};

async function expectedIds(sort: DeviceSortColumn, dir: 'asc' | 'desc', limit: number, offset = 0): Promise<number[]> {
  const { rows } = await pool().query<{ id: number }>(
    `SELECT d.id FROM device d JOIN site s ON s.id = d.site_id
      ORDER BY ${sortSql[sort]} ${dir} NULLS LAST, d.id ${dir} LIMIT $1 OFFSET $2`,
    [limit, offset],
  );
  return rows.map((r) => r.id);
}

describe('GET /api/devices', () => {
  beforeAll(async () => {
    await useTestDatabase();
    expect(await seedDemoSite({ devices: DEVICES })).toEqual({ created: true, devices: DEVICES });
    // Give the columns the seed leaves uniform some variety, so sorting and filtering show.
    await pool().query(`UPDATE device SET online = true WHERE id % 3 = 0`);
    await pool().query(`UPDATE device SET approval = 'PENDING' WHERE id % 7 = 0`);
    await pool().query(`UPDATE device SET approval = 'REVOKED' WHERE id % 11 = 0`);
    await pool().query(`UPDATE device SET domain = 'LAB' WHERE id % 5 = 0`);
    await pool().query(`UPDATE device SET domain = NULL, ip_address = NULL WHERE id % 50 = 1`);
    await pool().query(`UPDATE device SET name = 'LAB_TEST%01' WHERE id = (SELECT max(id) FROM device)`);
    const { rows } = await pool().query<Device>(
      `SELECT id, name, os_name AS "osName", os_kind AS "osKind", ip_address AS "ipAddress", online FROM device`,
    );
    all = rows;
    analyst = await signInAs('READ_ONLY_ANALYST');
  });

  it('needs a signed-in user', async () => {
    expect((await get({}, null)).status).toBe(401);
  });

  it('answers the first 50 by name with the total by default', async () => {
    const body = await page();
    expect(body).toMatchObject({ total: DEVICES, page: 1, pageSize: 50 });
    expect(body.rows).toHaveLength(50);
    expect(body.rows.map((r) => r.id)).toEqual(await expectedIds('name', 'asc', 50));
    expect(body.rows[0]).toEqual({
      id: expect.any(Number),
      name: expect.any(String),
      domain: expect.toBeOneOf([expect.any(String), null]),
      osName: expect.any(String),
      osVersion: expect.any(String),
      osKind: expect.stringMatching(/^(WORKSTATION|SERVER)$/),
      ipAddress: expect.toBeOneOf([expect.any(String), null]),
      siteCode: 'S01',
      approval: expect.stringMatching(/^(PENDING|APPROVED|REVOKED)$/),
      online: expect.any(Boolean),
      lastSeenAt: expect.toBeOneOf([expect.any(String), null]),
      isDemo: true,
      clientActivity: { active: expect.any(Boolean), reason: expect.stringMatching(/^(Active|Inactive): /) },
    });
  });

  it('pages without overlap or gaps, and says so past the end', async () => {
    const first = await page({ pageSize: 25, page: 1 });
    const second = await page({ pageSize: 25, page: 2 });
    expect(second).toMatchObject({ total: DEVICES, page: 2, pageSize: 25 });
    expect(second.rows.map((r) => r.id)).toEqual(await expectedIds('name', 'asc', 25, 25));
    expect(second.rows.map((r) => r.id)).not.toEqual(first.rows.map((r) => r.id));

    const seen = new Set<number>();
    for (let p = 1; p <= DEVICES / 100; p++) {
      const body = await page({ pageSize: 100, page: p, sort: 'lastSeenAt', dir: 'desc' });
      expect(body.rows).toHaveLength(100);
      for (const row of body.rows) seen.add(row.id);
    }
    expect(seen.size).toBe(DEVICES);

    const beyond = await page({ pageSize: 100, page: DEVICES / 100 + 1 });
    expect(beyond).toMatchObject({ total: DEVICES, rows: [] });
  });

  it.each(deviceSortColumns.flatMap((sort) => (['asc', 'desc'] as const).map((dir) => ({ sort, dir }))))(
    'sorts by $sort $dir',
    async ({ sort, dir }) => {
      const body = await page({ sort, dir, pageSize: 100, page: 2 });
      expect(body.rows.map((r) => r.id)).toEqual(await expectedIds(sort, dir, 100, 100));
    },
  );

  it('sorts dates, booleans and blanks the way a reader expects', async () => {
    const recent = (await page({ sort: 'lastSeenAt', dir: 'desc', pageSize: 100 })).rows.map((r) => r.lastSeenAt);
    expect(recent.every((t) => t !== null)).toBe(true);
    expect(recent.map((t) => Date.parse(t!))).toEqual(recent.map((t) => Date.parse(t!)).sort((a, b) => b - a));
    expect((await page({ sort: 'online', dir: 'desc', pageSize: 25 })).rows.every((r) => r.online)).toBe(true);
    expect((await page({ sort: 'online', dir: 'asc', pageSize: 25 })).rows.every((r) => !r.online)).toBe(true);
    expect((await page({ sort: 'approval', dir: 'asc', pageSize: 25 })).rows.every((r) => r.approval === 'PENDING')).toBe(true);
    // Devices without an IP address come last in both directions.
    const noIp = all.filter((d) => d.ipAddress === null).length;
    for (const dir of ['asc', 'desc']) {
      const last = await page({ sort: 'ipAddress', dir, pageSize: 25, page: DEVICES / 25 });
      expect(last.rows.slice(-noIp).every((r) => r.ipAddress === null)).toBe(true);
    }
  });

  it('searches name, IP address and operating system, ignoring case', async () => {
    const cases = [
      { search: 'nyc-ws-00', match: (d: Device) => d.name.toLowerCase().includes('nyc-ws-00') },
      { search: 'NYC-WS-00', match: (d: Device) => d.name.toLowerCase().includes('nyc-ws-00') },
      { search: '10.20.', match: (d: Device) => (d.ipAddress ?? '').includes('10.20.') },
      { search: 'ubuntu', match: (d: Device) => d.osName.toLowerCase().includes('ubuntu') },
      { search: 'srv-sql', match: (d: Device) => d.name.toLowerCase().includes('srv-sql') },
    ];
    for (const { search, match } of cases) {
      const expected = all.filter(match);
      expect(expected.length, search).toBeGreaterThan(0);
      const body = await page({ search, pageSize: 100 });
      expect(body.total, search).toBe(expected.length);
      expect(body.rows, search).toHaveLength(Math.min(100, expected.length));
      expect(
        body.rows.every((r) => expected.some((d) => d.id === r.id)),
        search,
      ).toBe(true);
    }
    const one = all.find((d) => d.name.startsWith('LON-SRV-'))!;
    const exact = await page({ search: one.name.toLowerCase() });
    expect(exact.rows.map((r) => r.name)).toContain(one.name);
    expect(await page({ search: 'no-such-device-anywhere' })).toMatchObject({ total: 0, rows: [] });
    // Characters that mean something to LIKE are searched for literally.
    expect((await page({ search: '%' })).rows.map((r) => r.name)).toEqual(['LAB_TEST%01']);
    expect((await page({ search: '_test%' })).rows.map((r) => r.name)).toEqual(['LAB_TEST%01']);
    expect((await page({ search: 'ws_0' })).total).toBe(0);
  });

  it('filters by online state and by kind, alone and together, with search', async () => {
    const online = await page({ online: 'true', pageSize: 100 });
    expect(online.total).toBe(all.filter((d) => d.online).length);
    expect(online.rows.every((r) => r.online)).toBe(true);
    const offline = await page({ online: 'false', pageSize: 100 });
    expect(offline.total).toBe(all.filter((d) => !d.online).length);
    expect(offline.rows.every((r) => !r.online)).toBe(true);

    const servers = await page({ osKind: 'SERVER', pageSize: 100 });
    expect(servers.total).toBe(all.filter((d) => d.osKind === 'SERVER').length);
    expect(servers.rows.every((r) => r.osKind === 'SERVER')).toBe(true);
    const workstations = await page({ osKind: 'WORKSTATION', pageSize: 25 });
    expect(workstations.total + servers.total).toBe(DEVICES);

    const both = await page({ osKind: 'SERVER', online: 'true', search: 'nyc', pageSize: 100 });
    expect(both.total).toBe(all.filter((d) => d.osKind === 'SERVER' && d.online && d.name.startsWith('NYC-')).length);
    expect(both.rows.every((r) => r.osKind === 'SERVER' && r.online && r.name.startsWith('NYC-'))).toBe(true);
  });

  it('marks the demo devices and filters by source', async () => {
    // Every seeded device is demo; a few stand in for registered clients here.
    await pool().query(`UPDATE device SET is_demo = false WHERE id % 9 = 0`);
    try {
      const real = all.filter((d) => d.id % 9 === 0);
      const agents = await page({ source: 'agent', pageSize: 100 });
      expect(agents.total).toBe(real.length);
      expect(agents.rows.map((r) => r.id).sort((a, b) => a - b)).toEqual(real.map((d) => d.id).sort((a, b) => a - b));
      expect(agents.rows.every((r) => !r.isDemo)).toBe(true);
      const demo = await page({ source: 'demo', pageSize: 100 });
      expect(demo.total).toBe(DEVICES - real.length);
      expect(demo.rows.every((r) => r.isDemo)).toBe(true);
      expect((await page({ source: 'agent', osKind: 'SERVER', pageSize: 100 })).total).toBe(real.filter((d) => d.osKind === 'SERVER').length);
    } finally {
      await pool().query(`UPDATE device SET is_demo = true`);
    }
  });

  it('lists the members of a collection', async () => {
    const { rows } = await pool().query<{ id: number; member_count: number }>(
      `SELECT id, member_count FROM collection WHERE collection_id = 'SMS00002'`,
    );
    const servers = all.filter((d) => d.osKind === 'SERVER');
    expect(rows[0].member_count).toBe(servers.length);
    const members = await page({ collectionId: rows[0].id, pageSize: 100 });
    expect(members.total).toBe(servers.length);
    expect(members.rows.every((r) => r.osKind === 'SERVER')).toBe(true);
  });

  it('answers 400 naming the field for values it cannot use', async () => {
    expect(await badField({ sort: 'password' })).toEqual(['sort']);
    expect(await badField({ sort: 'name; DROP TABLE device' })).toEqual(['sort']);
    expect(await badField({ dir: 'up' })).toEqual(['dir']);
    expect(await badField({ pageSize: 1000 })).toEqual(['pageSize']);
    expect(await badField({ pageSize: 10 })).toEqual(['pageSize']);
    expect(await badField({ page: -1 })).toEqual(['page']);
    expect(await badField({ page: 0 })).toEqual(['page']);
    expect(await badField({ page: 'two' })).toEqual(['page']);
    expect(await badField({ page: 1.5 })).toEqual(['page']);
    expect(await badField({ online: 'maybe' })).toEqual(['online']);
    expect(await badField({ osKind: 'PHONE' })).toEqual(['osKind']);
    expect(await badField({ source: 'real' })).toEqual(['source']);
    expect(await badField({ activity: 'asleep' })).toEqual(['activity']);
    expect(await badField({ collectionId: 'abc' })).toEqual(['collectionId']);
    expect(await badField({ search: 'x'.repeat(101) })).toEqual(['search']);
    expect(await badField({ sort: 'nope', pageSize: 7 })).toEqual(['sort', 'pageSize']);
    const { error } = await (await get({ pageSize: 1000 })).json();
    expect(error.message).toMatch(/pageSize.*25, 50 or 100/);
  });
});

describe('DELETE /api/devices/[id]', () => {
  let admin: TestSession;
  let reader: TestSession;
  let target: { deviceId: number; secret: string };
  let other: { deviceId: number };

  const input = (name: string) => ({
    name,
    osName: 'Ubuntu 24.04 LTS',
    osVersion: '24.04',
    osKind: 'SERVER' as const,
    ipAddress: '10.10.16.40',
    clientVersion: '1.0.0',
  });
  const remove = (id: string | number, session: TestSession = admin) =>
    DELETE(request(`/api/devices/${id}`, { method: 'DELETE', headers: session.headers }), withParams({ id: String(id) }));
  const count = async (table: string, deviceId: number) =>
    (await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE device_id = $1`, [deviceId])).rows[0].n;

  // Every table that holds a device's rows, with or without a foreign key to device.
  const perDevice = [
    'collection_member',
    'collection_rule',
    'device_software',
    'device_hardware_class',
    'inventory_inbox',
    'inventory_report',
    'metering_usage',
    'metering_computer_last_run',
    'client_operation_target',
    'live_query_row',
  ];

  async function giveRows(deviceId: number, n: number) {
    await pool().query(`INSERT INTO device_software (device_id, product_id) SELECT $1, id FROM software_product`, [deviceId]);
    await pool().query(`INSERT INTO device_hardware_class (device_id, class_name, instances, updated_at) VALUES ($1, 'system', '[]', now())`, [
      deviceId,
    ]);
    await pool().query(
      `INSERT INTO inventory_inbox (device_id, report_id, kind, version, body) VALUES ($1, gen_random_uuid(), 'DELTA', 2, '\\x00')`,
      [deviceId],
    );
    await pool().query(
      `INSERT INTO inventory_report (device_id, report_id, kind, version, collected_at, changes) VALUES ($1, gen_random_uuid(), 'FULL', 1, now(), '{}')`,
      [deviceId],
    );
    await pool().query(
      `INSERT INTO metering_usage (device_id, rule_id, usage_key, started_at, ended_at, user_name, process_id, file_path)
       VALUES ($1, 1, 'k' || $2, now() - interval '1 hour', now(), 'ana', 42, '/usr/bin/x'), ($1, 1, 'j' || $2, now() - interval '2 hours', now(), 'ana', 43, '/usr/bin/x')`,
      [deviceId, n],
    );
    await pool().query(`UPDATE metering_usage SET summarized_at = now() WHERE device_id = $1 AND usage_key LIKE 'j%'`, [deviceId]);
    await pool().query(
      `INSERT INTO metering_computer_last_run (rule_id, device_id, last_run_at, last_user, run_count) VALUES (1, $1, now(), 'ana', 1)`,
      [deviceId],
    );
    await pool().query(`INSERT INTO metering_summary_computer (rule_id, period, period_start, device_id) VALUES (1, 'DAY', current_date, $1)`, [
      deviceId,
    ]);
    await pool().query(`INSERT INTO collection_member (collection_id, device_id) SELECT id, $1 FROM collection WHERE collection_id = 'TST00001'`, [
      deviceId,
    ]);
    await pool().query(
      `INSERT INTO collection_rule (collection_id, kind, device_id) SELECT id, 'DIRECT', $1 FROM collection WHERE collection_id = 'TST00001'`,
      [deviceId],
    );
    await pool().query(`INSERT INTO client_operation_target (operation_id, device_id, state) VALUES (1, $1, 'SUCCEEDED')`, [deviceId]);
    await pool().query(`INSERT INTO live_query_row (operation_id, device_id, row_no, row) VALUES (1, $1, 0, '{"a":1}')`, [deviceId]);
  }

  beforeAll(async () => {
    await useTestDatabase();
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
    admin = await signInAs('FULL_ADMINISTRATOR');
    reader = await signInAs('READ_ONLY_ANALYST');
    target = await registerDevice({ siteCode: 'S01', input: input('LNX-SRV-0001'), address: '10.10.16.40', approvalMode: 'automatic' });
    other = await registerDevice({ siteCode: 'S01', input: input('LNX-SRV-0002'), address: '10.10.16.41', approvalMode: 'automatic' });
    await pool().query(`INSERT INTO software_product (name, version, arch) VALUES ('openssl', '3.0.13', 'amd64'), ('bash', '5.2', 'amd64')`);
    await pool().query(`INSERT INTO collection (collection_id, name, member_count, updated_at) VALUES ('TST00001', 'Servers', 2, now())`);
    await pool().query(
      `INSERT INTO client_operation (id, action, started_by, valid_until, total, online_at_start) VALUES (1, 'LIVE_QUERY', 'admin', now() + interval '1 hour', 2, 0)`,
    );
    for (const table of ['client_operation_target', 'live_query_row']) {
      await pool().query(`CREATE TABLE IF NOT EXISTS ${table}_b0 PARTITION OF ${table} FOR VALUES FROM (0) TO (100)`);
    }
    await giveRows(target.deviceId, 1);
    await giveRows(other.deviceId, 2);
    // An operation whose target rows are not written yet: the ids fixed at its start.
    await pool().query(
      `INSERT INTO client_operation (id, action, started_by, valid_until, total, online_at_start, pending_target_ids)
       VALUES (2, 'QUICK_SCAN', 'admin', now() + interval '1 hour', 2, 0, $1::int[])`,
      [[target.deviceId, other.deviceId]],
    );
    for (const table of perDevice) expect(await count(table, target.deviceId), table).toBeGreaterThan(0);
  });

  it('is refused to a user who may not manage devices, and deletes nothing', async () => {
    const res = await remove(target.deviceId, reader);
    expect(res.status).toBe(403);
    expect(await count('device_software', target.deviceId)).toBe(2);
    expect((await pool().query(`SELECT 1 FROM device WHERE id = $1`, [target.deviceId])).rowCount).toBe(1);
  });

  it('answers 400 naming id for an id that is not one, and 404 for no such device', async () => {
    for (const id of ['abc', '0', '-1', '99999999999']) {
      const res = await remove(id);
      expect(res.status, id).toBe(400);
      expect((await res.json()).error.fields.map((f: { path: string }) => f.path)).toEqual(['id']);
    }
    expect((await remove(987654)).status).toBe(404);
  });

  it("deletes the device with its inventory, software, metering and operation rows, keeps the other device's, and audits it", async () => {
    const res = await remove(target.deviceId);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ id: target.deviceId, name: 'LNX-SRV-0001' });
    expect((await pool().query(`SELECT 1 FROM device WHERE id = $1`, [target.deviceId])).rowCount).toBe(0);
    for (const table of perDevice) {
      expect(await count(table, target.deviceId), table).toBe(0);
      expect(await count(table, other.deviceId), table).toBeGreaterThan(0);
    }
    // Each operation's columns still add up to its total, and one not written yet no longer names it.
    const { rows: operations } = await pool().query(`SELECT id, total, pending_target_ids AS pending FROM client_operation ORDER BY id`);
    expect(operations).toEqual([
      { id: 1, total: 1, pending: null },
      { id: 2, total: 1, pending: [other.deviceId] },
    ]);
    // History kept: the period summaries' computers (counted when they ran).
    expect(await count('metering_summary_computer', target.deviceId)).toBe(1);
    expect((await pool().query(`SELECT member_count FROM collection WHERE collection_id = 'TST00001'`)).rows[0].member_count).toBe(1);
    await expect(authenticateDevice(`Device ${target.deviceId}.${target.secret}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const audit = await pool().query(
      `SELECT m AS payload FROM status_inbox i, jsonb_array_elements(i.messages::jsonb) WITH ORDINALITY AS x(m, n)
        WHERE m->'properties'->>'ObjectName' = 'LNX-SRV-0001' ORDER BY i.id, n`,
    );
    const deleted = audit.rows.map((r) => r.payload).filter((m) => m.insertionStrings[1] === 'Delete');
    expect(deleted).toHaveLength(1);
    expect(deleted[0].insertionStrings).toEqual([admin.userName, 'Delete', 'Device', 'LNX-SRV-0001']);
    expect(JSON.parse(deleted[0].properties.OldValue)).toMatchObject({ id: target.deviceId, approval: 'APPROVED', demo: false });
  });

  it('answers 404 to a second delete of the same device', async () => {
    const res = await remove(target.deviceId);
    expect(res.status).toBe(404);
    expect((await res.json()).error.message).toBe('The device was not found.');
  });

  it('lets the computer register again under its name, as a new device with a new credential', async () => {
    await expect(
      registerDevice({ siteCode: 'S01', input: input('LNX-SRV-0002'), address: '10.9.9.9', approvalMode: 'automatic' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const again = await registerDevice({ siteCode: 'S01', input: input('LNX-SRV-0001'), address: '10.10.16.40', approvalMode: 'automatic' });
    expect(again.deviceId).not.toBe(target.deviceId);
    await expect(authenticateDevice(`Device ${again.deviceId}.${again.secret}`)).resolves.toMatchObject({ name: 'LNX-SRV-0001' });
    for (const table of perDevice) expect(await count(table, again.deviceId), table).toBe(0);
  });

  it('deletes a device once when two administrators delete it at the same moment: the other is told 404', async () => {
    const twice = await registerDevice({ siteCode: 'S01', input: input('LNX-SRV-0003'), address: '10.10.16.43', approvalMode: 'automatic' });
    await giveRows(twice.deviceId, 3);
    const statuses = (await Promise.all([remove(twice.deviceId), remove(twice.deviceId)])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 404]);
    for (const table of perDevice) expect(await count(table, twice.deviceId), table).toBe(0);
  });

  it('deletes a demo device too', async () => {
    const { rows } = await pool().query<{ id: number }>(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, is_demo, updated_at)
       SELECT id, 'DEMO-WS-0001', 'Windows 11 Enterprise', '10.0', 'WORKSTATION', 'APPROVED', true, now() FROM site RETURNING id`,
    );
    const res = await remove(rows[0].id);
    expect(res.status).toBe(200);
    expect((await pool().query(`SELECT 1 FROM device WHERE id = $1`, [rows[0].id])).rowCount).toBe(0);
  });
});
