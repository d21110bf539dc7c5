import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateCollections } from '@/lib/collections/evaluate-collections';
import { pool } from '@/lib/db/pool';
import { useTestDatabase } from '../../support/database';

// A small fleet where every membership can be worked out by hand.
async function fleet() {
  const db = pool();
  const site = await db.query(`INSERT INTO site (code, name, updated_at) VALUES ('T01', 'Test', now()) RETURNING id`);
  const devices: [string, string, 'SERVER' | 'WORKSTATION', string, boolean][] = [
    ['NYC-SRV-SQL01', 'Windows Server 2022 Datacenter', 'SERVER', '10.10.1.5', true],
    ['NYC-WS-0001', 'Windows 11 Enterprise', 'WORKSTATION', '10.10.16.2', true],
    ['NYC-WS-0002', 'Windows 10 Enterprise', 'WORKSTATION', '10.10.16.3', false],
    ['LON-WS-0001', 'Windows 11 Enterprise', 'WORKSTATION', '10.20.16.2', false],
    ['LON-SRV-FS01', 'Windows Server 2019 Standard', 'SERVER', '10.20.1.9', true],
  ];
  const ids: Record<string, number> = {};
  for (const [name, os, kind, ip, online] of devices) {
    const { rows } = await db.query(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, ip_address, online, last_seen_at, updated_at)
       VALUES ($1, $2, $3, '10.0', $4, $5, $6, now(), now()) RETURNING id`,
      [site.rows[0].id, name, os, kind, ip, online],
    );
    ids[name] = rows[0].id;
  }
  return ids;
}

async function collection(id: string, rules: { kind: string; query?: unknown; deviceId?: number; ref?: number }[], limiting?: number) {
  const db = pool();
  const { rows } = await db.query(
    `INSERT INTO collection (collection_id, name, limiting_collection_id, updated_at) VALUES ($1::text, $1::text, $2, now()) RETURNING id`,
    [id, limiting ?? null],
  );
  for (const r of rules) {
    await db.query(`INSERT INTO collection_rule (collection_id, kind, query, device_id, referenced_collection_id) VALUES ($1, $2, $3, $4, $5)`, [
      rows[0].id,
      r.kind,
      r.query ? JSON.stringify(r.query) : null,
      r.deviceId ?? null,
      r.ref ?? null,
    ]);
  }
  return rows[0].id as number;
}

async function members(collectionId: number) {
  const { rows } = await pool().query(
    `SELECT d.name FROM collection_member m JOIN device d ON d.id = m.device_id WHERE m.collection_id = $1 ORDER BY d.name`,
    [collectionId],
  );
  return rows.map((r) => r.name);
}

describe('evaluateCollections', () => {
  let ids: Record<string, number>;
  beforeAll(async () => {
    await useTestDatabase();
    ids = await fleet();
  });

  it('combines query, direct, include and exclude rules within the limiting collection', async () => {
    const all = await collection('T0000001', [{ kind: 'QUERY', query: { conditions: [{ field: 'siteCode', value: 'T01' }] } }]);
    const nyc = await collection('T0000002', [{ kind: 'QUERY', query: { conditions: [{ field: 'ipSubnet', value: '10.10.0.0/16' }] } }], all);
    const servers = await collection('T0000003', [{ kind: 'QUERY', query: { conditions: [{ field: 'osKind', value: 'SERVER' }] } }], all);
    // NYC plus one London laptop, minus servers.
    const mixed = await collection(
      'T0000004',
      [
        { kind: 'INCLUDE', ref: nyc },
        { kind: 'DIRECT', deviceId: ids['LON-WS-0001'] },
        { kind: 'EXCLUDE', ref: servers },
      ],
      all,
    );
    const namePattern = await collection('T0000005', [
      {
        kind: 'QUERY',
        query: {
          match: 'any',
          conditions: [
            { field: 'name', pattern: '*-WS-000?' },
            { field: 'online', value: true },
          ],
        },
      },
    ]);

    const result = await evaluateCollections({ db: pool() });
    expect(result.cyclic).toEqual([]);
    expect(await members(all)).toHaveLength(5);
    expect(await members(nyc)).toEqual(['NYC-SRV-SQL01', 'NYC-WS-0001', 'NYC-WS-0002']);
    expect(await members(mixed)).toEqual(['LON-WS-0001', 'NYC-WS-0001', 'NYC-WS-0002']);
    expect(await members(namePattern)).toEqual(['LON-SRV-FS01', 'LON-WS-0001', 'NYC-SRV-SQL01', 'NYC-WS-0001', 'NYC-WS-0002']);
    const { rows } = await pool().query(`SELECT member_count FROM collection WHERE id = $1`, [mixed]);
    expect(rows[0].member_count).toBe(3);
  });

  it('drops members that no longer match', async () => {
    await pool().query(`UPDATE device SET ip_address = '10.99.0.1' WHERE name = 'NYC-WS-0002'`);
    await evaluateCollections({ db: pool() });
    const { rows } = await pool().query(`SELECT id FROM collection WHERE collection_id = 'T0000002'`);
    expect(await members(rows[0].id)).toEqual(['NYC-SRV-SQL01', 'NYC-WS-0001']);
  });

  it('leaves collections in an include cycle untouched and reports them', async () => {
    const a = await collection('T0000010', [{ kind: 'DIRECT', deviceId: ids['NYC-WS-0001'] }]);
    const b = await collection('T0000011', [{ kind: 'INCLUDE', ref: a }]);
    await pool().query(`INSERT INTO collection_rule (collection_id, kind, referenced_collection_id) VALUES ($1, 'INCLUDE', $2)`, [a, b]);
    const result = await evaluateCollections({ db: pool() });
    expect(result.cyclic.sort()).toEqual([a, b].sort());
    expect(await members(a)).toEqual([]);
  });

  it('with dueOnly evaluates only collections whose refresh interval has passed', async () => {
    await pool().query(
      `DELETE FROM collection_rule WHERE kind = 'INCLUDE' AND collection_id = (SELECT id FROM collection WHERE collection_id = 'T0000010')`,
    );
    await evaluateCollections({ db: pool() });
    const soon = await evaluateCollections({ db: pool(), dueOnly: true });
    expect(soon.evaluated).toEqual([]);
    const later = await evaluateCollections({ db: pool(), dueOnly: true, now: new Date(Date.now() + 61 * 60_000) });
    expect(later.evaluated.length).toBeGreaterThan(0);
  });
});
