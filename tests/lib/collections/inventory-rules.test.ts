// Collection rules on inventory against real PostgreSQL, through the preview route and the
// evaluator: installed packages (with Debian and rpm version comparisons), memory and free disk
// thresholds, model, manufacturer, OS version and client activity; bad conditions refused with
// 400 naming the field; and the lookups and member query servable by indexes.
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as getCollection } from '@/app/api/collections/[id]/route';
import { POST as previewRoute } from '@/app/api/collections/preview/route';
import { POST as createRoute } from '@/app/api/collections/route';
import type pg from 'pg';
import type { CollectionPreview } from '@/lib/collections/collection-input.schema';
import { evaluateCollections } from '@/lib/collections/evaluate-collections';
import type { CollectionDetail } from '@/lib/collections/list-collections.schema';
import { deviceQuerySql } from '@/lib/collections/device-query-sql';
import { desiredMembersSql, type CollectionDefinition } from '@/lib/collections/membership-repo';
import { ruleLookups } from '@/lib/collections/rule-lookup-repo';
import { pool } from '@/lib/db/pool';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

let admin: TestSession;
let analyst: TestSession;
const day = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * day);
const productIds = new Map<string, number>();

interface TestDevice {
  name: string;
  os: [string, string];
  memoryMb: number | null;
  diskFreeMb: number | null;
  model: string | null;
  manufacturer: string | null;
  activity: { policy?: Date; heartbeat?: Date; hwInventory?: Date };
  software: [name: string, version: string, source?: string][];
}

// Five machines whose membership in each rule can be worked out by hand.
const fleetDevices: TestDevice[] = [
  {
    name: 'DEB-OLD',
    os: ['Debian GNU/Linux', '12'],
    memoryMb: 4096,
    diskFreeMb: 2048,
    model: 'OptiPlex 7010',
    manufacturer: 'Dell Inc.',
    activity: { policy: daysAgo(1), hwInventory: daysAgo(20) },
    software: [
      ['openssl', '3.0.11-1~deb12u2'],
      ['curl', '7.88.1-10+deb12u5'],
      ['telnet', '0.17+2.4-2'],
    ],
  },
  {
    name: 'DEB-NEW',
    os: ['Debian GNU/Linux', '12'],
    memoryMb: 16384,
    diskFreeMb: 50_000,
    model: 'ThinkPad T14 Gen 3',
    manufacturer: 'LENOVO',
    activity: { heartbeat: daysAgo(2) },
    software: [
      ['openssl', '3.0.13-1~deb12u1'],
      ['curl', '7.88.1-10+deb12u5'],
    ],
  },
  {
    name: 'UBU-2204',
    os: ['Ubuntu', '22.04'],
    memoryMb: 8192,
    diskFreeMb: 10_240,
    model: 'Virtual Machine',
    manufacturer: 'Microsoft Corporation',
    activity: { hwInventory: daysAgo(30) },
    software: [['openssl', '3.0.2-0ubuntu1.15']],
  },
  {
    name: 'RHEL-9',
    os: ['Red Hat Enterprise Linux', '9.3'],
    memoryMb: 32_768,
    diskFreeMb: null,
    model: null,
    manufacturer: null,
    activity: {},
    software: [
      ['openssl', '1:3.0.7-27.el9', 'rpm'],
      ['NetworkManager', '1:1.44.0-3.el9', 'rpm'],
    ],
  },
  { name: 'BARE', os: ['Debian GNU/Linux', '11'], memoryMb: null, diskFreeMb: null, model: null, manufacturer: null, activity: {}, software: [] },
];

async function fleet() {
  const db = pool();
  const site = (await db.query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now()) RETURNING id`)).rows[0].id;
  for (const d of fleetDevices) {
    const { rows } = await db.query(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, memory_mb, disk_free_mb, model, manufacturer,
                           last_policy_request_at, last_heartbeat_at, last_hw_inventory_at, updated_at)
       VALUES ($1, $2, $3, $4, 'WORKSTATION', $5, $6, $7, $8, $9, $10, $11, now()) RETURNING id`,
      [
        site,
        d.name,
        d.os[0],
        d.os[1],
        d.memoryMb,
        d.diskFreeMb,
        d.model,
        d.manufacturer,
        d.activity.policy ?? null,
        d.activity.heartbeat ?? null,
        d.activity.hwInventory ?? null,
      ],
    );
    for (const [name, version, source] of d.software) await install(rows[0].id, name, version, source);
  }
}

async function install(deviceId: number, name: string, version: string, source = 'dpkg') {
  const key = `${name} ${version}`;
  let id = productIds.get(key);
  if (id === undefined) {
    const { rows } = await pool().query(`INSERT INTO software_product (name, version, arch, source) VALUES ($1, $2, 'amd64', $3) RETURNING id`, [
      name,
      version,
      source,
    ]);
    id = rows[0].id as number;
    productIds.set(key, id);
  }
  await pool().query(`INSERT INTO device_software (device_id, product_id) VALUES ($1, $2)`, [deviceId, id]);
}

async function previewResponse(body: unknown) {
  return previewRoute(request('/api/collections/preview', { method: 'POST', headers: analyst.headers, body }));
}
const query = (conditions: unknown[], match = 'all') => ({ kind: 'QUERY', query: { match, conditions } });
async function members(...conditions: unknown[]): Promise<string[]> {
  const res = await previewResponse({ rules: [query(conditions)] });
  expect(res.status).toBe(200);
  return ((await res.json()) as CollectionPreview).sample.map((d) => d.name);
}

describe('collection rules on inventory', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await fleet();
    admin = await signInAs('FULL_ADMINISTRATOR');
    analyst = await signInAs('READ_ONLY_ANALYST');
  });

  it('selects devices that have a package, of any version and architecture, its name in any case', async () => {
    expect(await members({ field: 'software', name: 'openssl' })).toEqual(['DEB-NEW', 'DEB-OLD', 'RHEL-9', 'UBU-2204']);
    expect(await members({ field: 'software', name: 'networkmanager' })).toEqual(['RHEL-9']);
    expect(await members({ field: 'software', name: 'no-such-package' })).toEqual([]);
    // LIKE's wildcards in a name are only characters.
    expect(await members({ field: 'software', name: 'openss_' })).toEqual([]);
  });

  it('compares package versions as dpkg and rpm do, not as text', async () => {
    // 3.0.2 < 3.0.13 numerically; the rpm one has epoch 1, so it is later than any 3.x without one.
    expect(await members({ field: 'software', name: 'OpenSSL', version: { op: '<', value: '3.0.13' } })).toEqual(['DEB-OLD', 'UBU-2204']);
    expect(await members({ field: 'software', name: 'openssl', version: { op: '>=', value: '3.0.13' } })).toEqual(['DEB-NEW', 'RHEL-9']);
    // ~ sorts before the end: 3.0.13-1~deb12u1 is earlier than 3.0.13-1.
    expect(await members({ field: 'software', name: 'openssl', version: { op: '<', value: '3.0.13-1' } })).toEqual([
      'DEB-NEW',
      'DEB-OLD',
      'UBU-2204',
    ]);
    expect(await members({ field: 'software', name: 'openssl', version: { op: '=', value: '1:3.0.7' } })).toEqual(['RHEL-9']);
  });

  it('selects devices that do not have a package, or not in a version range', async () => {
    expect(await members({ field: 'notSoftware', name: 'telnet' })).toEqual(['BARE', 'DEB-NEW', 'RHEL-9', 'UBU-2204']);
    // "Needs the update": no openssl at or after 3.0.13, including machines without openssl.
    expect(await members({ field: 'notSoftware', name: 'openssl', version: { op: '>=', value: '3.0.13' } })).toEqual(['BARE', 'DEB-OLD', 'UBU-2204']);
    expect(await members({ field: 'notSoftware', name: 'no-such-package' })).toHaveLength(5);
  });

  it('selects by memory and free disk thresholds; unknown sizes match neither side', async () => {
    expect(await members({ field: 'memoryMb', op: '>=', value: 8192 })).toEqual(['DEB-NEW', 'RHEL-9', 'UBU-2204']);
    expect(await members({ field: 'memoryMb', op: '<=', value: 8191 })).toEqual(['DEB-OLD']);
    expect(await members({ field: 'diskFreeMb', op: '<=', value: 10_240 })).toEqual(['DEB-OLD', 'UBU-2204']);
    expect(await members({ field: 'diskFreeMb', op: '>=', value: 10_241 })).toEqual(['DEB-NEW']);
  });

  it('selects by model, manufacturer and OS version', async () => {
    expect(await members({ field: 'model', op: 'contains', value: 'optiplex' })).toEqual(['DEB-OLD']);
    expect(await members({ field: 'model', op: 'equals', value: 'virtual machine' })).toEqual(['UBU-2204']);
    expect(await members({ field: 'manufacturer', op: 'equals', value: 'lenovo' })).toEqual(['DEB-NEW']);
    expect(await members({ field: 'manufacturer', op: 'contains', value: 'corp' })).toEqual(['UBU-2204']);
    expect(await members({ field: 'osVersion', op: 'equals', value: '12' })).toEqual(['DEB-NEW', 'DEB-OLD']);
    expect(await members({ field: 'osVersion', op: 'startsWith', value: '22.' })).toEqual(['UBU-2204']);
    // As versions: 9.3 < 11 < 12 < 22.04.
    expect(await members({ field: 'osVersion', op: '<', value: '12' })).toEqual(['BARE', 'RHEL-9']);
    expect(await members({ field: 'osVersion', op: '>=', value: '12' })).toEqual(['DEB-NEW', 'DEB-OLD', 'UBU-2204']);
  });

  it('selects active and inactive clients by their latest policy request, heartbeat or hardware inventory', async () => {
    expect(await members({ field: 'clientActivity', value: 'active', days: 7 })).toEqual(['DEB-NEW', 'DEB-OLD']);
    expect(await members({ field: 'clientActivity', value: 'inactive', days: 7 })).toEqual(['BARE', 'RHEL-9', 'UBU-2204']);
    expect(await members({ field: 'clientActivity', value: 'active', days: 31 })).toEqual(['DEB-NEW', 'DEB-OLD', 'UBU-2204']);
    expect(await members({ field: 'clientActivity', value: 'active', days: 1 })).toEqual([]);
  });

  it('combines inventory conditions with the others, with all and any', async () => {
    expect(
      await members(
        { field: 'software', name: 'openssl', version: { op: '<', value: '3.0.13' } },
        { field: 'osName', op: 'contains', value: 'debian' },
      ),
    ).toEqual(['DEB-OLD']);
    const any = await previewResponse({
      rules: [
        query(
          [
            { field: 'software', name: 'telnet' },
            { field: 'notSoftware', name: 'openssl' },
            { field: 'clientActivity', value: 'inactive', days: 25 },
          ],
          'any',
        ),
      ],
    });
    expect(((await any.json()) as CollectionPreview).sample.map((d) => d.name)).toEqual(['BARE', 'DEB-OLD', 'RHEL-9', 'UBU-2204']);
  });

  it('matches several software conditions in one rule, all or any of them, where a device has only some', async () => {
    const matching = async (match: string, ...conditions: unknown[]) => {
      const res = await previewResponse({ rules: [query(conditions, match)] });
      expect(res.status).toBe(200);
      return ((await res.json()) as CollectionPreview).sample.map((d) => d.name);
    };
    const openssl = { field: 'software', name: 'openssl' };
    const curl = { field: 'software', name: 'curl' };
    const telnet = { field: 'software', name: 'telnet' };
    const networkManager = { field: 'software', name: 'NetworkManager' };
    const lacks = (name: string) => ({ field: 'notSoftware', name });

    expect(await matching('all', openssl, curl)).toEqual(['DEB-NEW', 'DEB-OLD']);
    expect(await matching('all', openssl, curl, telnet)).toEqual(['DEB-OLD']);
    expect(await matching('all', { ...openssl, version: { op: '<', value: '3.0.13' } }, curl)).toEqual(['DEB-OLD']);
    // One product meeting two conditions of the same name, and two products meeting one.
    expect(await matching('all', openssl, { ...openssl, version: { op: '>=', value: '3.0.13' } })).toEqual(['DEB-NEW', 'RHEL-9']);
    // A condition no product meets leaves the rule no member.
    expect(await matching('all', openssl, { field: 'software', name: 'no-such-package' })).toEqual([]);
    expect(await matching('any', curl, networkManager)).toEqual(['DEB-NEW', 'DEB-OLD', 'RHEL-9']);
    expect(await matching('any', telnet, { field: 'software', name: 'no-such-package' })).toEqual(['DEB-OLD']);

    expect(await matching('all', lacks('curl'), lacks('telnet'))).toEqual(['BARE', 'RHEL-9', 'UBU-2204']);
    expect(await matching('any', lacks('curl'), lacks('telnet'))).toEqual(['BARE', 'DEB-NEW', 'RHEL-9', 'UBU-2204']);
    expect(await matching('any', lacks('curl'), lacks('no-such-package'))).toHaveLength(5);

    expect(await matching('all', openssl, curl, lacks('telnet'), lacks('NetworkManager'))).toEqual(['DEB-NEW']);
    expect(await matching('all', { field: 'osName', op: 'contains', value: 'debian' }, curl, openssl, lacks('no-such-package'))).toEqual([
      'DEB-NEW',
      'DEB-OLD',
    ]);
    expect(await matching('any', telnet, networkManager, lacks('openssl'), lacks('curl'))).toEqual(['BARE', 'DEB-OLD', 'RHEL-9', 'UBU-2204']);
    expect(await matching('any', { field: 'osName', op: 'contains', value: 'ubuntu' }, telnet, networkManager)).toEqual([
      'DEB-OLD',
      'RHEL-9',
      'UBU-2204',
    ]);
  });

  it('previews 200 rules of 50 software conditions that must all hold', async () => {
    // The most a collection and a rule hold; the first rule names packages some devices have.
    const rules = Array.from({ length: 200 }, (_, r) =>
      query(
        Array.from({ length: 50 }, (_, c) => ({ field: 'software', name: r === 0 ? ['openssl', 'curl'][c % 2] : `absent-${r}-${c}` })),
        'all',
      ),
    );
    const res = await previewResponse({ rules });
    expect(res.status).toBe(200);
    expect(((await res.json()) as CollectionPreview).sample.map((d) => d.name)).toEqual(['DEB-NEW', 'DEB-OLD']);
  });

  it('refuses more than 50 conditions in a rule or 200 rules in a preview, naming the field', async () => {
    const condition = { field: 'software', name: 'openssl' };
    const tooMany = await previewResponse({ rules: [query(Array.from({ length: 51 }, () => condition))] });
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.fields).toEqual([{ path: 'rules.0.query.conditions', message: 'must have at most 50 items' }]);
    const tooManyRules = await previewResponse({ rules: Array.from({ length: 201 }, () => query([condition])) });
    expect(tooManyRules.status).toBe(400);
    expect((await tooManyRules.json()).error.fields).toEqual([{ path: 'rules', message: 'must have at most 200 items' }]);
  });

  it('evaluates a saved collection as the preview showed it, and follows a package upgrade', async () => {
    const rule = query([{ field: 'software', name: 'openssl', version: { op: '<', value: '3.0.13' } }]);
    const res = await createRoute(
      request('/api/collections', { method: 'POST', headers: admin.headers, body: { name: 'Needs the OpenSSL update', rules: [rule] } }),
    );
    expect(res.status).toBe(200);
    const { id } = await res.json();
    const detail = async (): Promise<CollectionDetail> =>
      (await getCollection(request(`/api/collections/${id}`, { headers: analyst.headers }), withParams({ id: String(id) }))).json();
    expect((await detail()).memberCount).toBe(2);
    expect((await detail()).rules[0].description).toBe('Query: has package "openssl" with version < 3.0.13');
    const stored = async () =>
      (
        await pool().query(`SELECT d.name FROM collection_member m JOIN device d ON d.id = m.device_id WHERE m.collection_id = $1 ORDER BY d.name`, [
          id,
        ])
      ).rows.map((r) => r.name);
    expect(await stored()).toEqual(['DEB-OLD', 'UBU-2204']);

    // The Ubuntu machine upgrades to a version the fleet has not seen before.
    await pool().query(`DELETE FROM device_software WHERE device_id = (SELECT id FROM device WHERE name = 'UBU-2204')`);
    const ubuntu = (await pool().query(`SELECT id FROM device WHERE name = 'UBU-2204'`)).rows[0].id;
    await install(ubuntu, 'openssl', '3.0.13-0ubuntu3.1');
    await evaluateCollections({ db: pool() });
    expect(await stored()).toEqual(['DEB-OLD']);
  });

  it('refuses a bad inventory condition with 400 naming the field', async () => {
    const refused = async (condition: unknown) => {
      const res = await previewResponse({ rules: [query([condition])] });
      expect(res.status).toBe(400);
      return (await res.json()).error.fields[0];
    };
    expect(await refused({ field: 'memoryMb', op: '>=', value: 1.5 })).toEqual({
      path: 'rules.0.query.conditions.0.value',
      message: 'must be a whole number of MB',
    });
    expect(await refused({ field: 'diskFreeMb', op: '>', value: 5 })).toMatchObject({ path: 'rules.0.query.conditions.0.op' });
    expect(await refused({ field: 'software', name: 'openssl', version: { op: '<', value: '' } })).toEqual({
      path: 'rules.0.query.conditions.0.version.value',
      message: 'needs a version to compare with',
    });
    expect(await refused({ field: 'clientActivity', value: 'asleep', days: 7 })).toMatchObject({ path: 'rules.0.query.conditions.0.value' });
    expect(await refused({ field: 'software', name: 'open ssl' })).toEqual({
      path: 'rules.0.query.conditions.0.name',
      message: 'a package name has no spaces',
    });
    expect(await refused({ field: 'software', name: 'a\u0000b' })).toEqual({
      path: 'rules.0.query.conditions.0.name',
      message: 'must not contain NUL characters',
    });
  });

  it('reads every product name of a collection in one statement, which the index on lower(name) serves', async () => {
    const statements: { text: string; values: unknown[] }[] = [];
    const counting = {
      query: (text: string, values: unknown[]) => {
        statements.push({ text, values });
        return pool().query(text, values);
      },
    } as unknown as pg.Pool;
    // 20 rules of 50 software conditions (the most a rule holds), each but one naming a package no device has.
    const rules = Array.from({ length: 20 }, (_, r) => ({
      kind: 'QUERY' as const,
      deviceId: null,
      referencedCollectionId: null,
      query: {
        match: 'any',
        conditions: [
          { field: 'software', name: r % 2 ? 'OpenSSL' : 'curl' },
          ...Array.from({ length: 49 }, (_, c) => ({ field: 'software', name: `absent-${r}-${c}` })),
        ],
      },
    }));
    const collection: CollectionDefinition = { id: 0, limitingCollectionId: null, refreshMinutes: 60, lastEvaluatedAt: null, rules };
    const { sql, params } = await desiredMembersSql(collection, ruleLookups(counting));
    expect(statements).toHaveLength(1);

    const { rows } = await pool().query<{ name: string }>(
      `SELECT d.name FROM device d WHERE d.id IN (SELECT device_id FROM (${sql}) m) ORDER BY d.name`,
      params,
    );
    const expected = [
      ...new Set([...(await members({ field: 'software', name: 'openssl' })), ...(await members({ field: 'software', name: 'curl' }))]),
    ];
    expect(rows.map((r) => r.name)).toEqual(expected.sort());

    const client = await pool().connect();
    try {
      // Too few rows here for the planner to prefer an index; forbid the scans to see that one can serve.
      await client.query('SET enable_seqscan = off');
      const plan = (await client.query(`EXPLAIN ${statements[0].text}`, statements[0].values)).rows.map((r) => r['QUERY PLAN'] as string);
      expect(plan.join('\n')).toContain('software_product_name_lower_idx');
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }
  });

  it('has an index that serves the member query', async () => {
    const client = await pool().connect();
    try {
      // Too few rows here for the planner to prefer an index; forbid the scans to see that one can serve.
      await client.query('SET enable_seqscan = off');
      const plan = async (sql: string, params: unknown[]) =>
        (await client.query(`EXPLAIN ${sql}`, params)).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
      expect(
        await plan(
          `SELECT d.id FROM device d JOIN site s ON s.id = d.site_id
            WHERE d.id IN (SELECT ds.device_id FROM device_software ds WHERE ds.product_id = ANY($1::int[]))`,
          [[...productIds.values()]],
        ),
      ).toContain('device_software_product_id_idx');
      // Several conditions that must all hold: one join of device_software to their products, by the same index.
      const ids = [...productIds.values()];
      const rule = {
        match: 'all' as const,
        conditions: [
          { field: 'software' as const, name: 'a', productIds: ids.slice(0, 2) },
          { field: 'software' as const, name: 'b', productIds: ids.slice(2) },
        ],
      };
      const where = deviceQuerySql({ rule, firstParam: 1 });
      const allPlan = await plan(`SELECT d.id FROM device d JOIN site s ON s.id = d.site_id WHERE ${where.sql}`, where.params);
      expect(allPlan).toContain('device_software_product_id_idx');
      expect(allPlan.match(/on device_software /g)).toHaveLength(1);
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }
  });
});
