// Creating, editing, previewing and deleting collections through the API: each rule kind the
// console offers, evaluation on change, and include / exclude / limiting cycles refused with 400.
import { beforeAll, describe, expect, it } from 'vitest';
import { DELETE as deleteCollection, GET as getCollection, PATCH as patchCollection } from '@/app/api/collections/[id]/route';
import { POST as previewRoute } from '@/app/api/collections/preview/route';
import { POST as createRoute } from '@/app/api/collections/route';
import type { CollectionPreview } from '@/lib/collections/collection-input.schema';
import type { CollectionDetail } from '@/lib/collections/list-collections.schema';
import { pool } from '@/lib/db/pool';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

let admin: TestSession;
let analyst: TestSession;
const ids: Record<string, number> = {};

async function fleet() {
  const db = pool();
  const s01 = (await db.query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now()) RETURNING id`)).rows[0].id;
  const s02 = (await db.query(`INSERT INTO site (code, name, updated_at) VALUES ('S02', 'London', now()) RETURNING id`)).rows[0].id;
  const day = 86_400_000;
  const devices: [number, string, string, 'SERVER' | 'WORKSTATION', string, boolean, number][] = [
    [s01, 'NYC-SRV-SQL01', 'Windows Server 2022 Datacenter', 'SERVER', '10.10.1.5', true, 0],
    [s01, 'NYC-WS-0001', 'Windows 11 Enterprise', 'WORKSTATION', '10.10.16.2', true, 1],
    [s01, 'NYC-WS-0002', 'Windows 10 Enterprise', 'WORKSTATION', '10.10.16.3', false, 40],
    [s02, 'LON-WS-0001', 'Windows 11 Enterprise', 'WORKSTATION', '10.20.16.2', false, 3],
    [s02, 'LON-SRV-FS01', 'Windows Server 2019 Standard', 'SERVER', '10.20.1.9', true, 0],
  ];
  for (const [site, name, os, kind, ip, online, daysAgo] of devices) {
    const { rows } = await db.query(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, ip_address, online, last_seen_at, updated_at)
       VALUES ($1, $2, $3, '10.0', $4, $5, $6, $7, now()) RETURNING id`,
      [site, name, os, kind, ip, online, new Date(Date.now() - daysAgo * day)],
    );
    ids[name] = rows[0].id;
  }
}

async function create(body: unknown, session = admin) {
  return createRoute(request('/api/collections', { method: 'POST', headers: session.headers, body }));
}
async function edit(id: number, body: unknown) {
  return patchCollection(request(`/api/collections/${id}`, { method: 'PATCH', headers: admin.headers, body }), withParams({ id: String(id) }));
}
async function detail(id: number): Promise<CollectionDetail> {
  return (await getCollection(request(`/api/collections/${id}`, { headers: analyst.headers }), withParams({ id: String(id) }))).json();
}
async function preview(body: unknown): Promise<CollectionPreview> {
  const res = await previewRoute(request('/api/collections/preview', { method: 'POST', headers: analyst.headers, body }));
  expect(res.status).toBe(200);
  return res.json();
}
const query = (...conditions: unknown[]) => ({ kind: 'QUERY', query: { match: 'all', conditions } });
const names = (p: CollectionPreview) => p.sample.map((d) => d.name);

describe('collections: forms, preview, evaluation and cycles', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await fleet();
    admin = await signInAs('FULL_ADMINISTRATOR');
    analyst = await signInAs('READ_ONLY_ANALYST');
  });

  it('previews each rule kind the form offers', async () => {
    expect(names(await preview({ rules: [query({ field: 'osName', op: 'contains', value: 'windows 11' })] }))).toEqual([
      'LON-WS-0001',
      'NYC-WS-0001',
    ]);
    expect(names(await preview({ rules: [query({ field: 'name', pattern: 'nyc-ws-000?' })] }))).toEqual(['NYC-WS-0001', 'NYC-WS-0002']);
    expect(names(await preview({ rules: [query({ field: 'siteCode', value: 'S02' })] }))).toEqual(['LON-SRV-FS01', 'LON-WS-0001']);
    expect(names(await preview({ rules: [query({ field: 'ipSubnet', value: '10.10.16.0/24' })] }))).toEqual(['NYC-WS-0001', 'NYC-WS-0002']);
    expect(names(await preview({ rules: [query({ field: 'lastSeenWithinDays', value: 2 })] }))).toEqual([
      'LON-SRV-FS01',
      'NYC-SRV-SQL01',
      'NYC-WS-0001',
    ]);
    expect(names(await preview({ rules: [query({ field: 'online', value: false })] }))).toEqual(['LON-WS-0001', 'NYC-WS-0002']);
    expect(names(await preview({ rules: [query({ field: 'osKind', value: 'SERVER' }, { field: 'siteCode', value: 'S01' })] }))).toEqual([
      'NYC-SRV-SQL01',
    ]);
    const direct = await preview({ rules: [{ kind: 'DIRECT', deviceId: ids['LON-WS-0001'] }] });
    expect(direct).toMatchObject({ count: 1, sample: [{ name: 'LON-WS-0001', siteCode: 'S02', ipAddress: '10.20.16.2' }] });
  });

  it('reads a subnet written with one of its addresses (10.10.16.7/24) as that subnet, in preview and evaluation alike', async () => {
    expect(names(await preview({ rules: [query({ field: 'ipSubnet', value: '10.10.16.7/24' })] }))).toEqual(['NYC-WS-0001', 'NYC-WS-0002']);
    const res = await create({ name: 'NYC desks by an address', rules: [query({ field: 'ipSubnet', value: '10.10.16.7/24' })] });
    expect(res.status).toBe(200);
    expect((await detail((await res.json()).id)).memberCount).toBe(2);
  });

  it('refuses bad rules with 400 naming the field', async () => {
    const bad = await previewRoute(
      request('/api/collections/preview', {
        method: 'POST',
        headers: analyst.headers,
        body: { rules: [query({ field: 'ipSubnet', value: '10.1.0.0/33' })] },
      }),
    );
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields[0]).toMatchObject({ path: 'rules.0.query.conditions.0.value' });
    const empty = await previewRoute(
      request('/api/collections/preview', {
        method: 'POST',
        headers: analyst.headers,
        body: { rules: [query({ field: 'osName', op: 'contains', value: '' })] },
      }),
    );
    expect((await empty.json()).error.fields[0]).toEqual({ path: 'rules.0.query.conditions.0.value', message: 'needs a value' });
    const days = await previewRoute(
      request('/api/collections/preview', {
        method: 'POST',
        headers: analyst.headers,
        body: { rules: [query({ field: 'lastSeenWithinDays', value: 0 })] },
      }),
    );
    expect((await days.json()).error.fields[0]).toEqual({ path: 'rules.0.query.conditions.0.value', message: 'must be 1 to 3650 days' });
    const missing = await create({ name: 'Ghost', rules: [{ kind: 'DIRECT', deviceId: 999_999 }] });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.fields).toEqual([{ path: 'rules.0.deviceId', message: 'no such device' }]);
    const unnamed = await create({ name: '  ', rules: [] });
    expect((await unnamed.json()).error.fields[0]).toMatchObject({ path: 'name', message: 'is required' });
    expect((await create({ name: 'Nope' }, analyst)).status).toBe(403);
  });

  it('creates a collection with direct, query, include and exclude rules and evaluates it at once', async () => {
    const servers = await (await create({ name: 'Servers', rules: [query({ field: 'osKind', value: 'SERVER' })] })).json();
    const nyc = await (await create({ name: 'New York', rules: [query({ field: 'ipSubnet', value: '10.10.0.0/16' })] })).json();
    const twice = await create({ name: 'New York', rules: [] });
    expect(twice.status).toBe(409);
    expect((await twice.json()).error.fields).toEqual([{ path: 'name', message: 'another collection has this name' }]);
    const res = await create({
      name: 'NYC clients and one London laptop',
      comment: 'pilot group',
      refreshMinutes: 30,
      rules: [
        { kind: 'INCLUDE', collectionId: nyc.id },
        { kind: 'DIRECT', deviceId: ids['LON-WS-0001'] },
        { kind: 'EXCLUDE', collectionId: servers.id },
      ],
    });
    expect(res.status).toBe(200);
    const created = await res.json();
    expect(created.collectionId).toMatch(/^S01[0-9A-F]{5}$/);
    const shown = await detail(created.id);
    expect(shown).toMatchObject({ memberCount: 3, refreshMinutes: 30, comment: 'pilot group' });
    expect(shown.rules.map((r) => r.description)).toEqual([
      'Include collection: New York',
      'Direct member: LON-WS-0001',
      'Exclude collection: Servers',
    ]);
    const audit = await pool().query(`SELECT messages::json AS messages FROM status_inbox WHERE origin = 'audit' ORDER BY id DESC LIMIT 1`);
    expect(JSON.stringify(audit.rows[0].messages)).toContain('NYC clients and one London laptop');

    // Editing re-evaluates: drop the London laptop.
    const edited = await edit(created.id, {
      name: 'NYC clients',
      rules: [
        { kind: 'INCLUDE', collectionId: nyc.id },
        { kind: 'EXCLUDE', collectionId: servers.id },
      ],
    });
    expect(edited.status).toBe(200);
    expect((await detail(created.id)).memberCount).toBe(2);
  });

  it('refuses an include, exclude or limiting collection that would close a cycle, with 400', async () => {
    const a = await (await create({ name: 'A', rules: [{ kind: 'DIRECT', deviceId: ids['NYC-WS-0001'] }] })).json();
    const b = await (await create({ name: 'B', rules: [{ kind: 'INCLUDE', collectionId: a.id }] })).json();
    const c = await (await create({ name: 'C', rules: [], limitingCollectionId: b.id })).json();

    const direct = await edit(a.id, { name: 'A', rules: [{ kind: 'INCLUDE', collectionId: b.id }] });
    expect(direct.status).toBe(400);
    expect((await direct.json()).error.fields).toEqual([{ path: 'rules.0.collectionId', message: 'would make a cycle: "A" → "B" → "A"' }]);

    const viaExclude = await edit(a.id, {
      name: 'A',
      rules: [
        { kind: 'DIRECT', deviceId: ids['NYC-WS-0001'] },
        { kind: 'EXCLUDE', collectionId: c.id },
      ],
    });
    expect(viaExclude.status).toBe(400);
    expect((await viaExclude.json()).error.fields[0]).toEqual({ path: 'rules.1.collectionId', message: 'would make a cycle: "A" → "C" → "B" → "A"' });

    const viaLimit = await edit(a.id, { name: 'A', limitingCollectionId: c.id, rules: [] });
    expect((await viaLimit.json()).error.fields[0].path).toBe('limitingCollectionId');

    const self = await edit(a.id, { name: 'A', rules: [{ kind: 'INCLUDE', collectionId: a.id }] });
    expect((await self.json()).error.fields[0]).toEqual({ path: 'rules.0.collectionId', message: 'would make a cycle: "A" → "A"' });

    const preview = await previewRoute(
      request('/api/collections/preview', {
        method: 'POST',
        headers: analyst.headers,
        body: { id: a.id, rules: [{ kind: 'INCLUDE', collectionId: b.id }] },
      }),
    );
    expect(preview.status).toBe(400);

    // Nothing was stored by the refused edits.
    expect((await detail(a.id)).rules.map((r) => r.kind)).toEqual(['DIRECT']);
  });

  it('deletes a collection, but not one a deployment targets', async () => {
    const doomed = await (await create({ name: 'Doomed', rules: [] })).json();
    const del = await deleteCollection(
      request(`/api/collections/${doomed.id}`, { method: 'DELETE', headers: admin.headers }),
      withParams({ id: String(doomed.id) }),
    );
    expect(del.status).toBe(200);
    expect(
      (await getCollection(request(`/api/collections/${doomed.id}`, { headers: analyst.headers }), withParams({ id: String(doomed.id) }))).status,
    ).toBe(404);

    const target = await (await create({ name: 'Targeted', rules: [] })).json();
    const pkg = await pool().query(`INSERT INTO package (package_id, name, updated_at) VALUES ('S0100001', 'P', now()) RETURNING id`);
    const prog = await pool().query(
      `INSERT INTO program (package_id, name, command_line, updated_at) VALUES ($1, 'Install', 'setup.exe', now()) RETURNING id`,
      [pkg.rows[0].id],
    );
    await pool().query(
      `INSERT INTO deployment (deployment_id, name, program_id, collection_id, available_at, created_by, updated_at) VALUES ('S0120001', 'Patch Tuesday', $1, $2, now(), 'admin', now())`,
      [prog.rows[0].id, target.id],
    );
    const refused = await deleteCollection(
      request(`/api/collections/${target.id}`, { method: 'DELETE', headers: admin.headers }),
      withParams({ id: String(target.id) }),
    );
    expect(refused.status).toBe(409);
    // Named, so the administrator knows which deployments to look at.
    const body = await refused.json();
    expect(body.error.message).toBe('The collection is the target of the deployment "Patch Tuesday"; it cannot be deleted.');
    expect(body.error.fields).toEqual([{ path: 'id', message: 'is the target of "Patch Tuesday"' }]);
  });
  it('refuses to delete a collection another one includes, excludes or is limited to, and keeps their rules', async () => {
    const del = (id: number) =>
      deleteCollection(request(`/api/collections/${id}`, { method: 'DELETE', headers: admin.headers }), withParams({ id: String(id) }));
    const servers = await (await create({ name: 'Dependent servers', rules: [query({ field: 'osKind', value: 'SERVER' })] })).json();
    const excluded = await (await create({ name: 'Dependent excluded', rules: [{ kind: 'DIRECT', deviceId: ids['NYC-SRV-SQL01'] }] })).json();
    const nyc = await (await create({ name: 'Dependent NYC', rules: [query({ field: 'siteCode', value: 'S01' })] })).json();
    const patching = await (
      await create({
        name: 'Dependent patching',
        limitingCollectionId: nyc.id,
        rules: [
          { kind: 'INCLUDE', collectionId: servers.id },
          { kind: 'EXCLUDE', collectionId: excluded.id },
        ],
      })
    ).json();

    for (const id of [servers.id, excluded.id, nyc.id]) {
      const refused = await del(id);
      expect(refused.status).toBe(409);
      const body = await refused.json();
      expect(body.error.message).toContain('"Dependent patching"');
      expect(body.error.fields).toEqual([{ path: 'id', message: 'is referred to by "Dependent patching"' }]);
    }
    const kept = await detail(patching.id);
    expect(kept.rules.map((r) => r.kind)).toEqual(['INCLUDE', 'EXCLUDE']);
    expect(kept.limitingCollectionId).toBe(nyc.id);

    // Once nothing refers to them, they go.
    expect((await del(patching.id)).status).toBe(200);
    for (const id of [servers.id, excluded.id, nyc.id]) expect((await del(id)).status).toBe(200);
  });
  it("refuses a name that reads the same as another collection's, in any case, width or with invisible characters", async () => {
    expect((await create({ name: 'Finance laptops', rules: [] })).status).toBe(200);
    // Bidirectional controls (an isolate, an embedding) change nothing in left-to-right text.
    for (const name of [
      'finance laptops',
      ' FINANCE LAPTOPS ',
      'Ｆｉｎａｎｃｅ ｌａｐｔｏｐｓ',
      'Finance\u200b laptops',
      '\u2066Finance laptops\u2069',
      '\u202aFinance laptops\u202c',
    ]) {
      const refused = await create({ name, rules: [] });
      expect(refused.status).toBe(409);
      expect((await refused.json()).error).toMatchObject({
        message: 'name: another collection has this name ("Finance laptops")',
        fields: [{ path: 'name', message: 'another collection has this name' }],
      });
    }
    const other = await (await create({ name: 'Finance desktops', rules: [] })).json();
    const renamed = await edit(other.id, { name: 'FINANCE LAPTOPS', rules: [] });
    expect(renamed.status).toBe(409);
    expect((await detail(other.id)).name).toBe('Finance desktops');
    // Its own name in another case is no clash.
    expect((await edit(other.id, { name: 'FINANCE DESKTOPS', rules: [] })).status).toBe(200);
    expect((await create({ name: 'Finance (all)', rules: [] })).status).toBe(200);
  });
});
