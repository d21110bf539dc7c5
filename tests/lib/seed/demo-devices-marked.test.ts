// The demo seed's devices are marked is_demo: by the seed, by the data migration for a database
// seeded before the column existed (registered clients left alone), and cleared when a real agent
// registers under a seeded device's name.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { defaultMigrationsDir, migrate } from '@/lib/db/migrator';
import { registerDevice } from '@/lib/devices/register-device';
import { demoDevices } from '@/lib/seed/demo-devices';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { createEmptyDatabase, useTestDatabase } from '../../support/database';
import { withClient } from '../../support/postgres-admin';

const MIGRATION = 'mark_demo_devices';

describe('demo devices are marked', () => {
  const scratch: string[] = [];
  afterAll(async () => {
    for (const dir of scratch) await rm(dir, { recursive: true, force: true });
  });

  it('marks the rows an earlier seed inserted, and no registered client, when the migration runs', async () => {
    const all = (await readdir(defaultMigrationsDir(), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    const mine = all.find((name) => name.endsWith(`_${MIGRATION}`))!;
    expect(mine).toBeDefined();
    // The migrations as they stood before this one.
    const before = await mkdtemp(path.join(os.tmpdir(), 'sitebox-migrations-'));
    scratch.push(before);
    for (const name of all.filter((n) => n < mine)) await cp(path.join(defaultMigrationsDir(), name), path.join(before, name), { recursive: true });

    const db = await createEmptyDatabase();
    try {
      await migrate({ connectionString: db.url, dir: before });
      const seeded = demoDevices({ count: 20 }).map((d) => d.name);
      await withClient(db.url, async (c) => {
        await c.query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
        // As the seed wrote them before is_demo: no credential, never registered.
        await c.query(
          `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, updated_at)
           SELECT 1, n, 'Windows 11 Enterprise', '10.0.26100', 'WORKSTATION', 'APPROVED', now() FROM unnest($1::text[]) AS n`,
          [seeded],
        );
        await c.query(
          `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, credential_hash, registered_at, updated_at)
           VALUES (1, 'REAL-AGENT', 'Debian GNU/Linux 12', '12', 'SERVER', 'APPROVED', 'x', now(), now())`,
        );
      });
      expect((await migrate({ connectionString: db.url })).applied).toContain(mine);
      const marks = await withClient(
        db.url,
        async (c) => (await c.query<{ name: string; is_demo: boolean }>(`SELECT name, is_demo FROM device ORDER BY name`)).rows,
      );
      expect(marks.filter((d) => d.is_demo).map((d) => d.name)).toEqual([...seeded].sort());
      expect(marks.find((d) => d.name === 'REAL-AGENT')?.is_demo).toBe(false);
    } finally {
      await db.drop();
    }
  });

  it('marks what the seed inserts, and unmarks a seeded device a real agent registers as', async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 10 });
    const { rows } = await pool().query<{ name: string; is_demo: boolean }>(`SELECT name, is_demo FROM device ORDER BY name`);
    expect(rows).toHaveLength(10);
    expect(rows.every((d) => d.is_demo)).toBe(true);

    const taken = rows[0].name;
    await registerDevice({
      siteCode: 'S01',
      input: { name: taken, osName: 'Debian GNU/Linux 12', osVersion: '12', osKind: 'WORKSTATION', clientVersion: '1.0.0' },
      address: '127.0.0.1',
      approvalMode: 'automatic',
    });
    const after = await pool().query<{ name: string; is_demo: boolean }>(`SELECT name, is_demo FROM device WHERE is_demo = false`);
    expect(after.rows.map((d) => d.name)).toEqual([taken]);
  });
});
