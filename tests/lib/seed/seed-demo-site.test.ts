import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { demoDevices } from '@/lib/seed/demo-devices';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../../support/database';

describe('demoDevices', () => {
  it('is deterministic and gives unique names', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const a = demoDevices({ count: 2000, now });
    expect(demoDevices({ count: 2000, now })).toEqual(a);
    expect(new Set(a.map((d) => d.name)).size).toBe(2000);
    const servers = a.filter((d) => d.osKind === 'SERVER').length;
    expect(servers / a.length).toBeGreaterThan(0.1);
    expect(servers / a.length).toBeLessThan(0.2);
  });
});

describe('seedDemoSite', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });

  it('creates the demo site once, with devices, systems, collections, rules and thresholds', async () => {
    const db = pool();
    expect(await seedDemoSite({ devices: 500 })).toEqual({ created: true, devices: 500 });
    const count = async (sql: string) => Number((await db.query(sql)).rows[0].n);
    expect(await count(`SELECT count(*) n FROM site WHERE code = 'S01' AND name = 'Central'`)).toBe(1);
    expect(await count(`SELECT count(*) n FROM device`)).toBe(500);
    expect(await count(`SELECT count(*) n FROM site_system_role WHERE role = 'MANAGEMENT_POINT'`)).toBe(2);
    expect(await count(`SELECT count(*) n FROM component`)).toBeGreaterThan(10);
    expect(await count(`SELECT count(*) n FROM status_filter_rule`)).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) n FROM summarizer_threshold`)).toBe(3);

    const members = (await db.query(`SELECT name, member_count FROM collection`)).rows;
    const byName = Object.fromEntries(members.map((r) => [r.name, r.member_count]));
    expect(byName['All Systems']).toBe(500);
    expect(byName['All Servers'] + byName['All Workstations']).toBe(500);
    expect(byName['All Servers']).toBe(await count(`SELECT count(*) n FROM device WHERE os_kind = 'SERVER'`));
  });

  it('touches nothing on the next start, even after an administrator deleted devices', async () => {
    const db = pool();
    await db.query(`DELETE FROM device WHERE name LIKE 'NYC-%'`);
    const left = Number((await db.query(`SELECT count(*) n FROM device`)).rows[0].n);
    expect(await seedDemoSite({ devices: 500 })).toEqual({ created: false, devices: 0 });
    expect(Number((await db.query(`SELECT count(*) n FROM device`)).rows[0].n)).toBe(left);
  });
});
