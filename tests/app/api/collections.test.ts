// GET /api/collections, /api/collections/:id and the members of one (GET /api/devices?collectionId=)
// against the demo site with its evaluated collections.
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as listCollections, POST as createCollection } from '@/app/api/collections/route';
import { GET as getCollection, PATCH as patchCollection } from '@/app/api/collections/[id]/route';
import { POST as evaluateCollection } from '@/app/api/collections/[id]/evaluate/route';
import { GET as listDevices } from '@/app/api/devices/route';
import { evaluateCollections } from '@/lib/collections/evaluate-collections';
import type { CollectionDetail, CollectionRow } from '@/lib/collections/list-collections.schema';
import { pool } from '@/lib/db/pool';
import type { DevicePage } from '@/lib/devices/list-devices.schema';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../../support/database';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';

const DEVICES = 500;
let analyst: TestSession;
let servers: number;

async function list(search?: string): Promise<CollectionRow[]> {
  const qs = search === undefined ? '' : `?search=${encodeURIComponent(search)}`;
  const res = await listCollections(request(`/api/collections${qs}`, { headers: analyst.headers }));
  expect(res.status).toBe(200);
  return (await res.json()).rows;
}

async function detail(id: string | number) {
  return getCollection(request(`/api/collections/${id}`, { headers: analyst.headers }), withParams({ id: String(id) }));
}

async function members(collectionId: number, query: Record<string, string | number> = {}): Promise<DevicePage> {
  const qs = new URLSearchParams({
    collectionId: String(collectionId),
    ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
  });
  const res = await listDevices(request(`/api/devices?${qs}`, { headers: analyst.headers }));
  expect(res.status).toBe(200);
  return res.json();
}

function byCollectionId(rows: CollectionRow[], id: string): CollectionRow {
  const row = rows.find((r) => r.collectionId === id);
  if (!row) throw new Error(`${id} is not in the list`);
  return row;
}

describe('collections API', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: DEVICES });
    servers = Number((await pool().query(`SELECT count(*) n FROM device WHERE os_kind = 'SERVER'`)).rows[0].n);
    analyst = await signInAs('READ_ONLY_ANALYST');
  });

  it('needs a signed-in user', async () => {
    expect((await listCollections(request('/api/collections'))).status).toBe(401);
    expect((await getCollection(request('/api/collections/1'), withParams({ id: '1' }))).status).toBe(401);
  });

  it('lists collections with ID, comment, member count, limiting collection and last evaluation', async () => {
    const rows = await list();
    expect(rows.length).toBeGreaterThanOrEqual(10);
    // The built-in SMS collections first, then the site's own; each by name.
    expect(rows.slice(0, 3).map((r) => r.name)).toEqual(['All Servers', 'All Systems', 'All Workstations']);
    expect(rows.slice(0, 3).every((r) => r.builtIn)).toBe(true);
    const custom = rows.filter((r) => !r.builtIn).map((r) => r.name);
    expect(custom).toEqual([...custom].sort());

    expect(byCollectionId(rows, 'SMS00001')).toEqual({
      id: expect.any(Number),
      collectionId: 'SMS00001',
      name: 'All Systems',
      comment: 'Every client known to the site',
      memberCount: DEVICES,
      limitingCollection: null,
      lastEvaluatedAt: expect.any(String),
      builtIn: true,
    });
    const allServers = byCollectionId(rows, 'SMS00002');
    expect(allServers).toMatchObject({ name: 'All Servers', memberCount: servers, limitingCollection: 'All Systems' });
    expect(byCollectionId(rows, 'SMS00003').memberCount).toBe(DEVICES - servers);
    expect(Date.now() - Date.parse(allServers.lastEvaluatedAt!)).toBeLessThan(10 * 60_000);
  });

  it('searches names and collection IDs, ignoring case', async () => {
    const names = (await list('servers')).map((r) => r.name);
    expect(names).toContain('All Servers');
    expect(names.every((n) => n.toLowerCase().includes('servers'))).toBe(true);
    expect((await list('sms0000')).map((r) => r.collectionId)).toEqual(expect.arrayContaining(['SMS00001', 'SMS00002', 'SMS00003']));
    expect((await list('S0100006')).map((r) => r.name)).toEqual(['All Linux Systems']);
    expect(await list('nothing like this')).toEqual([]);
    expect(await list('%')).toEqual([]);
  });

  it('refuses a search longer than 100 characters, naming the field', async () => {
    const res = await listCollections(request(`/api/collections?search=${'x'.repeat(101)}`, { headers: analyst.headers }));
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields[0].path).toBe('search');
  });

  it('shows one collection with its rules described for a reader', async () => {
    const allServers = byCollectionId(await list(), 'SMS00002');
    const res = await detail(allServers.id);
    expect(res.status).toBe(200);
    const body: CollectionDetail = await res.json();
    expect(body).toMatchObject({
      id: allServers.id,
      collectionId: 'SMS00002',
      name: 'All Servers',
      memberCount: servers,
      limitingCollection: 'All Systems',
      refreshMinutes: expect.any(Number),
    });
    expect(body.rules).toEqual([
      expect.objectContaining({
        id: expect.any(Number),
        kind: 'QUERY',
        description: 'Query: servers',
        query: { match: 'all', conditions: [{ field: 'osKind', value: 'SERVER' }] },
      }),
    ]);

    const win11: CollectionDetail = await (await detail(byCollectionId(await list(), 'S0100001').id)).json();
    expect(win11.rules[0].description).toBe('Query: operating system contains "Windows 11"');
  });

  it('refuses an edit made from a version someone else saved over, and keeps their definition', async () => {
    const [first, second] = [await signInAs('FULL_ADMINISTRATOR'), await signInAs('FULL_ADMINISTRATOR')];
    const input = {
      name: 'Two editors',
      comment: '',
      rules: [{ kind: 'QUERY', name: 'servers', query: { match: 'all', conditions: [{ field: 'osKind', value: 'SERVER' }] } }],
    };
    const created = await createCollection(request('/api/collections', { method: 'POST', headers: first.headers, body: input }));
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: number };
    const patch = (session: TestSession, body: unknown) =>
      patchCollection(request(`/api/collections/${id}`, { method: 'PATCH', headers: session.headers, body }), withParams({ id: String(id) }));
    // Both open the collection; the first saves, and its evaluation follows.
    const opened: CollectionDetail = await (await detail(id)).json();
    expect((await patch(first, { ...input, comment: 'first', baseUpdatedAt: opened.updatedAt })).status).toBe(200);
    const stale = await patch(second, { ...input, comment: 'second', baseUpdatedAt: opened.updatedAt });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error.message).toBe(
      `${first.userName} saved the collection after you opened it; cancel, then edit it again to start from their version.`,
    );
    const current: CollectionDetail = await (await detail(id)).json();
    expect(current.comment).toBe('first');
    // An evaluation is not a save: the version read before it still goes through.
    await pool().query(`UPDATE collection SET last_evaluated_at = NULL WHERE id = $1`, [id]);
    await evaluateCollections({ db: pool() });
    expect((await patch(second, { ...input, comment: 'second', baseUpdatedAt: current.updatedAt })).status).toBe(200);
    // An edit naming no version still replaces; a version that is no date is a 400.
    expect((await patch(first, { ...input, comment: 'third' })).status).toBe(200);
    expect((await patch(first, { ...input, baseUpdatedAt: '2026-13-45' })).status).toBe(400);
  });

  it('audits Update membership now naming the collection by its ID and name, as its other audits do', async () => {
    const admin = await signInAs('FULL_ADMINISTRATOR');
    const collection = byCollectionId(await list(), 'SMS00001');
    const res = await evaluateCollection(
      request(`/api/collections/${collection.id}/evaluate`, { method: 'POST', headers: admin.headers }),
      withParams({ id: String(collection.id) }),
    );
    expect(res.status).toBe(200);
    const { rows } = await pool().query<{ properties: Record<string, string>; strings: string[] }>(
      `SELECT m->'properties' AS properties, m->'insertionStrings' AS strings
         FROM status_inbox i, jsonb_array_elements(i.messages::jsonb) AS x(m)
        WHERE i.origin = 'audit' AND m->'insertionStrings'->>1 = 'Evaluate'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].properties).toMatchObject({ UserName: admin.userName, ObjectType: 'Collection', ObjectName: `SMS00001 ${collection.name}` });
  });

  it('answers 404 for a collection that does not exist and 400 for an id that is not one', async () => {
    const missing = await detail(999_999);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('NOT_FOUND');
    const bad = await detail('abc');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields[0].path).toBe('id');
  });

  it('lists the members of a collection, paged, sorted and searched like the Devices view', async () => {
    const rows = await list();
    const allSystems = byCollectionId(rows, 'SMS00001');
    const allServers = byCollectionId(rows, 'SMS00002');
    const linux = byCollectionId(rows, 'S0100006');

    expect((await members(allSystems.id, { pageSize: 25 })).total).toBe(DEVICES);

    const first = await members(allServers.id, { pageSize: 25 });
    expect(first.total).toBe(servers);
    expect(first.rows.every((r) => r.osKind === 'SERVER')).toBe(true);
    const second = await members(allServers.id, { pageSize: 25, page: 2 });
    expect(second.rows.length).toBeGreaterThan(0);
    expect(second.rows.some((r) => first.rows.some((f) => f.id === r.id))).toBe(false);

    const newest = await members(allServers.id, { sort: 'lastSeenAt', dir: 'desc', pageSize: 25 });
    const times = newest.rows.map((r) => Date.parse(r.lastSeenAt!));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const ubuntu = await members(linux.id, { pageSize: 100 });
    expect(ubuntu.total).toBe(linux.memberCount);
    expect(ubuntu.rows.every((r) => r.osName.startsWith('Ubuntu'))).toBe(true);

    const nyc = await members(allServers.id, { search: 'nyc-', pageSize: 100 });
    expect(nyc.total).toBeGreaterThan(0);
    expect(nyc.rows.every((r) => r.name.startsWith('NYC-SRV-'))).toBe(true);
  });
});
