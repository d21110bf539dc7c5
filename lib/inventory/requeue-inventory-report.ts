import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type pg from 'pg';
import { channels } from '../db/channels';
import { notify } from '../db/notify';
import type { InventoryReport } from '../protocol/inventory.schema';
import { insertInboxRow } from './loader-repo';

const gzipAsync = promisify(gzip);

/** Puts a quarantined report back into the inventory inbox (on the caller's transaction) and wakes the loader. */
export async function requeueInventoryReport(report: InventoryReport, client: pg.ClientBase): Promise<void> {
  await insertInboxRow(client, {
    deviceId: report.deviceId,
    reportId: report.reportId,
    kind: report.kind === 'full' ? 'FULL' : 'DELTA',
    version: report.version,
    baseVersion: report.kind === 'delta' ? report.baseVersion : null,
    body: await gzipAsync(JSON.stringify(report)),
  });
  await notify(client, channels.inventoryInbox);
}
