// Delete Aged Inventory History on a real database: day partitions of inventory_report made ahead,
// reports that landed in the default partition moved into their day's partition when it is made,
// only whole due days dropped, and a device's current inventory untouched.
import { beforeAll, describe, expect, it } from 'vitest';
import { dayPartitionName, dayStart, listDayPartitions } from '@/lib/db/day-partitions';
import { pool } from '@/lib/db/pool';
import { deleteAgedInventoryHistory, inventoryHistoryTable } from '@/lib/inventory/delete-aged-inventory-history';
import { loadedReportIds } from '@/lib/inventory/loader-repo';
import { provisionSimulatedFleet } from '@/bench/support/provision-simulated-fleet';
import { useTestDatabase } from '../../support/database';
import { changes, insertReport, setHardwareClasses } from '../../support/inventory-fixture';

const DAY = 86_400_000;
const count = async (sql: string) => Number((await pool().query<{ n: string }>(sql)).rows[0].n);
const partitionOf = (time: number) => dayPartitionName(inventoryHistoryTable, dayStart(new Date(time)));
const partitions = async () => (await listDayPartitions(pool(), inventoryHistoryTable)).map((p) => p.name);

describe('deleteAgedInventoryHistory', () => {
  let deviceId: number;

  beforeAll(async () => {
    await useTestDatabase();
    deviceId = (await provisionSimulatedFleet({ db: pool(), siteCode: 'S01', prefix: 'HIST-', count: 1 })).credentials[0].deviceId;
  });

  it('makes partitions ahead, moves reports out of the default partition, drops only whole due days and keeps the current inventory', async () => {
    // Midday, so the five seconds between collecting and loading a report never cross midnight.
    const now = dayStart(new Date()).getTime() + DAY / 2;
    const report = (daysAgo: number, version: number) =>
      insertReport(deviceId, { kind: version === 1 ? 'FULL' : 'DELTA', version, collectedAt: new Date(now - daysAgo * DAY), changes: changes({}) });
    await report(120, 1);
    await report(100, 2);
    await report(100, 3);
    await report(30, 4);
    await report(0, 5);
    await setHardwareClasses(deviceId, { system: [{ model: 'Kept' }] });
    expect(await count(`SELECT count(*) n FROM inventory_report_default`)).toBe(5);

    const first = await deleteAgedInventoryHistory({ db: pool(), retentionDays: 365, now: new Date(now), partitionDaysAhead: 2 });
    expect(first).toMatchObject({ ran: true, dropped: [], rows: 0 });
    expect(first.partitionsCreated).toEqual([now - 120 * DAY, now - 100 * DAY, now - 30 * DAY, now, now + DAY, now + 2 * DAY].map(partitionOf));
    expect(await count(`SELECT count(*) n FROM inventory_report_default`)).toBe(0);

    const second = await deleteAgedInventoryHistory({ db: pool(), retentionDays: 90, now: new Date(now), partitionDaysAhead: 2 });
    expect(second.dropped).toEqual([now - 120 * DAY, now - 100 * DAY].map(partitionOf));
    expect(await partitions()).toEqual([now - 30 * DAY, now, now + DAY, now + 2 * DAY].map(partitionOf));
    expect(await count(`SELECT count(*) n FROM inventory_report`)).toBe(2);
    expect(
      (await pool().query<{ version: number }>(`SELECT version FROM inventory_report WHERE device_id = $1 ORDER BY id`, [deviceId])).rows.map(
        (r) => r.version,
      ),
    ).toEqual([4, 5]);
    // What the device has now is not history: it stays.
    expect(await count(`SELECT count(*) n FROM device_hardware_class WHERE device_id = ${deviceId}`)).toBe(1);

    // A report loaded beyond the partitions made ahead lands in the default partition, kept and found.
    const later = await insertReport(deviceId, { kind: 'DELTA', version: 6, collectedAt: new Date(now + 30 * DAY), changes: changes({}) });
    expect(await count(`SELECT count(*) n FROM inventory_report_default`)).toBe(1);
    const { rows } = await pool().query<{ report_id: string }>(`SELECT report_id::text FROM inventory_report WHERE id = $1`, [later]);
    const client = await pool().connect();
    try {
      expect([...(await loadedReportIds(client, [rows[0].report_id]))]).toEqual([rows[0].report_id]);
    } finally {
      client.release();
    }
  });

  it('skips when another process holds the task', async () => {
    const holder = await pool().connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(7301952044412)`);
      expect(await deleteAgedInventoryHistory({ db: pool(), retentionDays: 90, partitionDaysAhead: 1 })).toMatchObject({ ran: false });
    } finally {
      await holder.query(`SELECT pg_advisory_unlock(7301952044412)`);
      holder.release();
    }
  });
});
