import type pg from 'pg';
import { channels } from '../db/channels';
import { coalescedNotifier } from '../db/notify';
import type { InventoryReport } from '../protocol/inventory.schema';
import type { InventoryHolding } from './decide-acceptance';

/** The inventory inbox at the management point: what a device holds, and the report stored. */

/** What the site holds for `deviceId`, with the device row locked so a device's reports are accepted one at a time. */
export async function lockInventoryHolding(client: pg.ClientBase, deviceId: number, reportId: string): Promise<InventoryHolding | null> {
  const { rows } = await client.query<{ loaded: number; resync: boolean; pending: number | null; duplicate: number | null }>(
    `SELECT d.inventory_version AS loaded, d.inventory_resync AS resync,
            (SELECT i.version FROM inventory_inbox i WHERE i.device_id = d.id ORDER BY i.id DESC LIMIT 1) AS pending,
            (SELECT v FROM (SELECT version AS v FROM inventory_inbox WHERE report_id = $2
                            UNION ALL SELECT version FROM inventory_report WHERE report_id = $2) x LIMIT 1) AS duplicate
       FROM device d WHERE d.id = $1 FOR UPDATE OF d`,
    [deviceId, reportId],
  );
  const row = rows[0];
  if (!row) return null;
  return { loadedVersion: row.loaded, resync: row.resync, pendingVersion: row.pending, duplicateVersion: row.duplicate };
}

/** Stores a report for the loader; wake it (wakeInventoryLoader) once the transaction committed. */
export async function insertInboxReport(client: pg.ClientBase, report: InventoryReport, body: Buffer): Promise<void> {
  await client.query(
    `INSERT INTO inventory_inbox (device_id, report_id, kind, version, base_version, body)
     VALUES ($1, $2, $3::inventory_report_kind, $4, $5, $6) ON CONFLICT (report_id) DO NOTHING`,
    [
      report.deviceId,
      report.reportId,
      report.kind === 'full' ? 'FULL' : 'DELTA',
      report.version,
      report.kind === 'delta' ? report.baseVersion : null,
      body,
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
