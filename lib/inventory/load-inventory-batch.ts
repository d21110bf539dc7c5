import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type pg from 'pg';
import type { Logger } from 'pino';
import { channels } from '../db/channels';
import { notify } from '../db/notify';
import { inTransaction } from '../db/transaction';
import { MAX_INVENTORY_BYTES, type InventoryReport } from '../protocol/inventory.schema';
import { isolateFailures } from '../quarantine/isolate-failures';
import { quarantineItem, type QuarantineSource } from '../quarantine/quarantine-item';
import { statusMessageIds } from '../reporting/catalog';
import { reportServerMessage, serverMessage } from '../reporting/report-server-message';
import {
  claimInbox,
  commitWithoutFlush,
  copyDeviceSoftware,
  countSoftware,
  currentHardware,
  currentSoftware,
  deleteDeviceSoftware,
  deleteSoftwareRows,
  fetchInbox,
  insertReports,
  insertSoftwareRows,
  lastSoftwareCounts,
  loadedReportIds,
  lockDevices,
  updateDevices,
  writeHardware,
  type InboxRow,
} from './loader-repo';
import { parseInventoryReport } from './parse-inventory-report';
import { currentNeeded, decideLoad, planBatch, type ResolvedReport } from './plan-batch';
import { planProducts, productKey, resolveRows } from './plan-products';
import type { ProductCache } from './product-cache';

const gunzipAsync = promisify(gunzip);

export const INVENTORY_LOADER_COMPONENT = 'SMS_INVENTORY_DATA_LOADER';
/** The inventory inbox in the quarantine: an item is one report, keyed by its reportId. */
export const INVENTORY_INBOX_QUARANTINE: QuarantineSource = { name: 'inventory-loader.inbox', component: INVENTORY_LOADER_COMPONENT };

/**
 * How much one batch takes: reports, and their compressed bytes (about 10 KB for 1,500 packages).
 * Full reports fill a batch by bytes (~200 of them, ~300,000 rows: small enough that the next
 * batch is prepared while this one is copied); deltas, a kilobyte each, fill it by count.
 */
export interface BatchLimits {
  maxReports: number;
  maxBytes: number;
}
export const defaultBatchLimits: BatchLimits = { maxReports: 1000, maxBytes: 2 * 1024 * 1024 };

/** A batch read from the inbox and decoded, ready to write. */
export interface PreparedBatch {
  items: ResolvedReport[];
  /** Reports that cannot be read (not gzip, not JSON, refused by the schema, another device's). */
  unreadable: { row: InboxRow; error: unknown; report?: InventoryReport }[];
  /** The last inbox id the batch covers: the next one starts after it. */
  lastId: string;
  /** The inbox held nothing past this batch when it was read. */
  drained: boolean;
}

/**
 * Reads the next batch after `afterId`: the oldest reports, at most one per device (a device's
 * next report waits for the next batch, so reports apply in order), within the limits; then
 * decompresses, validates and resolves each report's packages to product ids. Runs outside any
 * transaction, so the loader prepares one batch while the database writes the previous one.
 */
export async function prepareBatch(options: { db: pg.Pool; products: ProductCache; afterId: string; limits: BatchLimits }): Promise<PreparedBatch> {
  const { limits } = options;
  const rows = await fetchInbox(options.db, options.afterId, limits.maxReports);
  const taken: InboxRow[] = [];
  const devices = new Set<number>();
  let bytes = 0;
  for (const row of rows) {
    if (devices.has(row.deviceId) || (taken.length && bytes + row.body.byteLength > limits.maxBytes)) break;
    devices.add(row.deviceId);
    bytes += row.body.byteLength;
    taken.push(row);
  }
  const drained = taken.length === rows.length && rows.length < limits.maxReports;
  const decoded: { row: InboxRow; report: InventoryReport }[] = [];
  const unreadable: PreparedBatch['unreadable'] = [];
  for (const row of taken) {
    try {
      const report = parseInventoryReport(JSON.parse((await gunzipAsync(row.body, { maxOutputLength: MAX_INVENTORY_BYTES })).toString('utf8')));
      if (report.deviceId !== row.deviceId || report.reportId !== row.reportId) {
        unreadable.push({
          row,
          report,
          error: new TypeError(`the report names device ${report.deviceId} and report ${report.reportId}, not its inbox row's`),
        });
      } else {
        decoded.push({ row, report });
      }
    } catch (error) {
      unreadable.push({ row, error });
    }
  }

  options.products.trim();
  const removedKeys: string[] = [];
  const added = decoded.map(({ report }) => ({
    rows: report.kind === 'full' ? report.software.packages : (report.software?.added ?? []),
    source: report.software?.source ?? '',
  }));
  for (const { report } of decoded) {
    if (report.kind === 'delta') for (const [n, v, a] of report.software?.removed ?? []) removedKeys.push(productKey(n, v, a));
  }
  for (const [source, keys] of planProducts(added, options.products.ids)) await options.products.ensure(keys, source);
  await options.products.lookup(removedKeys);

  const ids = options.products.ids;
  const items = decoded.map(({ row, report }): ResolvedReport => {
    const rowsOf = report.kind === 'full' ? report.software.packages : (report.software?.added ?? []);
    const { productIds, installedOn } = resolveRows(rowsOf, ids);
    const removedIds =
      report.kind === 'delta'
        ? (report.software?.removed ?? []).map(([n, v, a]) => ids.get(productKey(n, v, a))).filter((id): id is number => id !== undefined)
        : [];
    return { inboxId: row.id, receivedAt: row.receivedAt, report, productIds, installedOn, removedIds };
  });
  return { items, unreadable, lastId: taken.at(-1)?.id ?? options.afterId, drained };
}

/** What writing a batch did. */
export interface WriteResult {
  loaded: number;
  full: number;
  delta: number;
  refused: number;
  skipped: number;
  softwareRows: number;
}

/**
 * Writes a prepared batch in one transaction: claims its inbox rows (SKIP LOCKED), locks its
 * devices, decides each report (decideLoad), and writes the whole batch set by set — full
 * reports' packages replaced with one COPY, deltas' rows removed and added, hardware classes,
 * the devices' summary columns and inventory version, a history row per report with what it
 * changed, a Warning for each refused delta (the device is asked to resync through policy).
 */
export async function writeBatch(options: { db: pg.Pool; items: readonly ResolvedReport[]; now?: () => Date }): Promise<WriteResult> {
  const now = options.now ?? (() => new Date());
  return inTransaction(options.db, async (client) => {
    await commitWithoutFlush(client);
    const claimed = await claimInbox(
      client,
      options.items.map((i) => i.inboxId),
    );
    const items = options.items.filter((i) => claimed.has(i.inboxId));
    const devices = await lockDevices(
      client,
      items.map((i) => i.report.deviceId),
    );
    const loaded = await loadedReportIds(
      client,
      items.map((i) => i.report.reportId),
    );
    const decided = items.map((item) => ({
      item,
      decision: decideLoad(item.report, devices.get(item.report.deviceId), loaded.has(item.report.reportId)),
    }));
    const needed = currentNeeded(decided);
    const [software, hardware] = [await currentSoftware(client, needed.software), await currentHardware(client, needed.hardware)];
    const plan = planBatch(decided, { software, hardware });
    const at = now();

    await deleteDeviceSoftware(client, plan.replaceDevices);
    await copyDeviceSoftware(client, plan.copy);
    const deltaDevices = plan.reports.filter((r) => r.kind === 'DELTA').map((r) => r.deviceId);
    const before = await lastSoftwareCounts(client, deltaDevices);
    const lost = await deleteSoftwareRows(client, plan.removeRows.deviceIds, plan.removeRows.productIds);
    const gained = await insertSoftwareRows(client, plan.addRows.deviceIds, plan.addRows.productIds, plan.addRows.installedOn);
    const unknown = [...before].filter(([, n]) => n === null).map(([id]) => id);
    const counted = await countSoftware(client, unknown);
    for (const report of plan.reports) {
      if (report.kind !== 'DELTA') continue;
      const previous = before.get(report.deviceId);
      report.softwareCount =
        previous === null || previous === undefined
          ? (counted.get(report.deviceId) ?? 0)
          : previous + (gained.get(report.deviceId) ?? 0) - (lost.get(report.deviceId) ?? 0);
    }
    await writeHardware(client, { replaceDevices: plan.replaceDevices, removed: plan.hardwareRemoved, upserts: plan.hardwareUpserts, at });
    await updateDevices(client, plan.devices, at);
    await insertReports(client, plan.reports, at);

    const messages = plan.refused.map(({ report, heldVersion }) =>
      serverMessage({
        messageId: statusMessageIds.inventoryDeltaRefused,
        component: INVENTORY_LOADER_COMPONENT,
        insertionStrings: [report.reportId, String(report.deviceId), String(report.kind === 'delta' ? report.baseVersion : 0), String(heldVersion)],
        properties: { DeviceId: String(report.deviceId), ReportId: report.reportId },
        now: at,
      }),
    );
    const full = plan.reports.filter((r) => r.kind === 'FULL').length;
    const softwareRows = plan.copy.reduce((sum, c) => sum + c.productIds.length, 0) + plan.addRows.productIds.length;
    if (plan.reports.length) {
      messages.push(
        serverMessage({
          messageId: statusMessageIds.inventoryBatchLoaded,
          component: INVENTORY_LOADER_COMPONENT,
          insertionStrings: [String(plan.reports.length), String(full), String(plan.reports.length - full), String(softwareRows)],
          now: at,
        }),
      );
      await notify(client, channels.inventoryLoaded, String(plan.reports.length));
    }
    if (messages.length) await reportServerMessage({ messages, db: client });
    return {
      loaded: plan.reports.length,
      full,
      delta: plan.reports.length - full,
      refused: plan.refused.length,
      skipped: plan.skipped.length,
      softwareRows,
    };
  });
}

/** Sets an unreadable report aside: out of the inbox, into the quarantine with an Error status message. */
async function quarantineReport(db: pg.Pool, entry: { inboxId: string; reportId: string; item: unknown; error: unknown }): Promise<void> {
  await inTransaction(db, async (client) => {
    const claimed = await claimInbox(client, [entry.inboxId]);
    if (!claimed.size) return;
    await quarantineItem({ source: INVENTORY_INBOX_QUARANTINE, itemKey: entry.reportId, item: entry.item, error: entry.error, db: client });
  });
}

export interface LoadResult extends WriteResult {
  quarantined: number;
}

/**
 * Writes a prepared batch so that no report stops the others: an unreadable report, and one
 * that fails alone when a failing batch is halved until the failure is found (isolateFailures),
 * goes to quarantine; every other report loads. A failure that is not the data's (the database
 * went away) is thrown, and the reports stay in the inbox for the next pass.
 */
export async function loadPreparedBatch(options: { db: pg.Pool; batch: PreparedBatch; log: Logger; now?: () => Date }): Promise<LoadResult> {
  const { db, batch, log } = options;
  for (const { row, error, report } of batch.unreadable) {
    log.error({ err: error, reportId: row.reportId, deviceId: row.deviceId }, 'unreadable inventory report set aside in quarantine');
    await quarantineReport(db, {
      inboxId: row.id,
      reportId: row.reportId,
      item: report ?? { reportId: row.reportId, deviceId: row.deviceId, unreadable: true },
      error,
    });
  }
  const isolated = await isolateFailures({
    items: batch.items,
    run: (items) => writeBatch({ db, items, now: options.now }),
    onPoison: async (item, error) => {
      log.error({ err: error, reportId: item.report.reportId, deviceId: item.report.deviceId }, 'inventory report set aside in quarantine');
      await quarantineReport(db, { inboxId: item.inboxId, reportId: item.report.reportId, item: item.report, error });
    },
  });
  const total: LoadResult = {
    loaded: 0,
    full: 0,
    delta: 0,
    refused: 0,
    skipped: 0,
    softwareRows: 0,
    quarantined: batch.unreadable.length + isolated.poisoned.length,
  };
  for (const r of isolated.results) {
    total.loaded += r.loaded;
    total.full += r.full;
    total.delta += r.delta;
    total.refused += r.refused;
    total.skipped += r.skipped;
    total.softwareRows += r.softwareRows;
  }
  return total;
}
