import type pg from 'pg';
import { channels } from '../db/channels';
import { coalescedNotifier } from '../db/notify';
import type { InventoryReport } from '../protocol/inventory.schema';
import type { InventoryHolding } from './decide-acceptance';

/** The inventory inbox at the management point: what a device holds, and the report stored. */

/**
 * What the site holds for each of several devices (distinct), their device rows locked in id
 * order (so batches from several management points never deadlock); a device that does not
 * exist is missing from the map.
 */
export async function lockInventoryHoldings(
  client: pg.ClientBase,
  reports: readonly { deviceId: number; reportId: string }[],
): Promise<Map<number, InventoryHolding>> {
  const { rows } = await client.query<{ id: number; loaded: number; resync: boolean; pending: number | null; duplicate: number | null }>(
    `SELECT d.id, d.inventory_version AS loaded, d.inventory_resync AS resync,
            (SELECT i.version FROM inventory_inbox i WHERE i.device_id = d.id ORDER BY i.id DESC LIMIT 1) AS pending,
            (SELECT v FROM (SELECT version AS v FROM inventory_inbox WHERE report_id = r.report_id
                            UNION ALL SELECT version FROM inventory_report WHERE report_id = r.report_id) x LIMIT 1) AS duplicate
       FROM unnest($1::int[], $2::uuid[]) AS r(device_id, report_id)
       JOIN device d ON d.id = r.device_id
      ORDER BY d.id
        FOR UPDATE OF d`,
    [reports.map((r) => r.deviceId), reports.map((r) => r.reportId)],
  );
  return new Map(
    rows.map((row) => [row.id, { loadedVersion: row.loaded, resync: row.resync, pendingVersion: row.pending, duplicateVersion: row.duplicate }]),
  );
}

/** Stores several reports for the loader in one statement; wake it once the transaction committed. */
export async function insertInboxReports(client: pg.ClientBase, reports: readonly { report: InventoryReport; body: Buffer }[]): Promise<void> {
  if (!reports.length) return;
  await client.query(
    `INSERT INTO inventory_inbox (device_id, report_id, kind, version, base_version, body)
     SELECT * FROM unnest($1::int[], $2::uuid[], $3::inventory_report_kind[], $4::int[], $5::int[], $6::bytea[])
     ON CONFLICT (report_id) DO NOTHING`,
    [
      reports.map((r) => r.report.deviceId),
      reports.map((r) => r.report.reportId),
      reports.map((r) => (r.report.kind === 'full' ? 'FULL' : 'DELTA')),
      reports.map((r) => r.report.version),
      reports.map((r) => (r.report.kind === 'delta' ? r.report.baseVersion : null)),
      reports.map((r) => r.body),
    ],
  );
}

/** Tells the inventory loader that reports are waiting (after their transaction committed; coalesced). */
export const wakeInventoryLoader = coalescedNotifier(channels.inventoryInbox);

/** Reports waiting for the loader (all devices). */
export async function countInboxReports(db: pg.Pool | pg.ClientBase): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inventory_inbox`);
  return rows[0].n;
}
