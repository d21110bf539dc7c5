// The inventory loader in a worker process killed with SIGKILL in the middle of a batch: after a
// restart every report is loaded once, in order, and none is left in the inbox or set aside.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { acceptInventoryReport } from '@/lib/inventory/accept-inventory-report';
import { useTestDatabase } from '../support/database';
import { holdTable, until, workerProcesses } from '../support/worker-processes';

// Each device sends a full report and two deltas: more than one batch of the loader's 1,000.
const DEVICES = 500;
const hardware = {
  system: [{ manufacturer: 'Contoso', model: 'Surface 9', serial: 'SN-0042' }],
  memory: [{ total: 16 * 1024 ** 3 }],
  fileSystem: [{ mount: '/', size: 100 * 1024 ** 3, available: 40 * 1024 ** 3 }],
  operatingSystem: [{ distro: 'Debian GNU/Linux', release: '12' }],
};
const pkg = (name: string, version = '1.0-1') => [name, version, 'amd64', null] as [string, string, string, null];

/** A device's reports: a baseline of 30 packages, one removed and one added, then one upgraded. */
function reportsOf(deviceId: number) {
  const base = { deviceId, collectedAt: new Date(Date.now() - 60_000).toISOString() };
  return [
    {
      ...base,
      kind: 'full' as const,
      reportId: randomUUID(),
      version: 1,
      hardware,
      software: { source: 'dpkg', packages: Array.from({ length: 30 }, (_, i) => pkg(`pkg${(deviceId + i) % 60}`)) },
    },
    {
      ...base,
      kind: 'delta' as const,
      reportId: randomUUID(),
      version: 2,
      baseVersion: 1,
      software: { source: 'dpkg', added: [pkg(`extra${deviceId % 7}`)], removed: [[`pkg${deviceId % 60}`, '1.0-1', 'amd64']] },
    },
    {
      ...base,
      kind: 'delta' as const,
      reportId: randomUUID(),
      version: 3,
      baseVersion: 2,
      software: { source: 'dpkg', added: [pkg(`pkg${(deviceId + 1) % 60}`, '2.0-1')], removed: [[`pkg${(deviceId + 1) % 60}`, '1.0-1', 'amd64']] },
    },
  ];
}

/** What each device holds once all three are loaded. */
function expectedSoftware(deviceId: number) {
  const names = Array.from({ length: 30 }, (_, i) => `pkg${(deviceId + i) % 60}`).filter((n) => n !== `pkg${deviceId % 60}`);
  return [...names.map((n) => (n === `pkg${(deviceId + 1) % 60}` ? `${n} 2.0-1` : `${n} 1.0-1`)), `extra${deviceId % 7} 1.0-1`].sort();
}

const loadedReports = async () => (await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM inventory_report`)).rows[0].n;

describe('the inventory loader killed with SIGKILL mid-batch', () => {
  let url: string;
  const { start, kill, killAll } = workerProcesses(() => url);
  let release = async () => {};
  const deviceIds: number[] = [];

  beforeAll(async () => {
    ({ url } = await useTestDatabase());
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
    const { rows } = await pool().query<{ id: number }>(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, updated_at)
       SELECT 1, 'INV-' || n, 'Linux', '0', 'WORKSTATION', 'APPROVED', now() FROM generate_series(1, $1) n RETURNING id`,
      [DEVICES],
    );
    deviceIds.push(...rows.map((r) => r.id));
    // Accepted as a management point accepts them, each device's in order.
    for (let i = 0; i < deviceIds.length; i += 50) {
      await Promise.all(
        deviceIds.slice(i, i + 50).map(async (id) => {
          for (const report of reportsOf(id)) {
            const { status } = await acceptInventoryReport({ device: { id }, body: gzipSync(JSON.stringify(report)), contentEncoding: 'gzip' });
            expect(status).toBe(202);
          }
        }),
      );
    }
  }, 90_000);
  afterAll(async () => {
    await release();
    await killAll();
  });

  it('loads every report once after a restart, none left in the inbox or the quarantine', async () => {
    const worker = await start('inventory-loader');
    // A batch committed; the next then waits on the report history held here, its inbox rows
    // claimed and its devices' software and hardware written.
    await until('a batch loaded', async () => (await loadedReports()) > 0);
    const held = await holdTable(url, 'inventory_report');
    release = held.release;
    await held.waiting();
    await kill(worker);
    await held.release();
    // The batch the killed process held is not loaded: its reports wait in the inbox.
    expect(await loadedReports()).toBeLessThan(DEVICES * 3);

    await start('inventory-loader');
    await until('every report loaded', async () => {
      const { rows } = await pool().query<{ inbox: number }>(`SELECT count(*)::int AS inbox FROM inventory_inbox`);
      return rows[0].inbox === 0;
    });
    const { rows: history } = await pool().query<{ device_id: number; versions: number[] }>(
      `SELECT device_id, array_agg(version ORDER BY id) AS versions FROM inventory_report GROUP BY device_id`,
    );
    expect(history.length).toBe(DEVICES);
    expect(history.filter((h) => h.versions.join() !== '1,2,3')).toEqual([]);
    const { rows: devices } = await pool().query(
      `SELECT count(*)::int AS n FROM device WHERE inventory_version = 3 AND NOT inventory_resync AND id = ANY($1::int[])`,
      [deviceIds],
    );
    expect(devices[0].n).toBe(DEVICES);
    const { rows: software } = await pool().query<{ device_id: number; packages: string[] }>(
      `SELECT s.device_id, array_agg(p.name || ' ' || p.version ORDER BY p.name || ' ' || p.version) AS packages
         FROM device_software s JOIN software_product p ON p.id = s.product_id GROUP BY s.device_id`,
    );
    const wrong = software.filter((s) => JSON.stringify(s.packages) !== JSON.stringify(expectedSoftware(s.device_id)));
    expect(wrong).toEqual([]);
    expect(software.length).toBe(DEVICES);
    const { rows: quarantined } = await pool().query(`SELECT count(*)::int AS n FROM quarantined_item`);
    expect(quarantined[0].n).toBe(0);
  }, 120_000);
});
