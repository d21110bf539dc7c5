// GET /api/devices against a real database seeded with the demo site: paging, sorting by every
// column, search, filters and 400s naming the bad field.
import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/devices/route';
import { pool } from '@/lib/db/pool';
import { deviceSortColumns, type DevicePage, type DeviceSortColumn } from '@/lib/devices/list-devices.schema';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../../support/database';
import { request, signInAs, type TestSession } from '../../support/console-session';

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
    expect(await badField({ collectionId: 'abc' })).toEqual(['collectionId']);
    expect(await badField({ search: 'x'.repeat(101) })).toEqual(['search']);
    expect(await badField({ sort: 'nope', pageSize: 7 })).toEqual(['sort', 'pageSize']);
    const { error } = await (await get({ pageSize: 1000 })).json();
    expect(error.message).toMatch(/pageSize.*25, 50 or 100/);
  });
});
