import type pg from 'pg';
import { ageOutDayPartitions, ensureDayPartitions } from '../db/day-partitions';

/** inventory_report: one partition per UTC day of loaded_at, plus inventory_report_default (see lib/db/day-partitions.ts). */
export const inventoryHistoryTable = { parent: 'inventory_report', column: 'loaded_at' };

// Any fixed key; every Status Manager that runs the task tries the same one.
const RETENTION_LOCK_KEY = 7_301_952_044_412n;

/** Makes the partitions of inventory_report from today to `daysAhead` days on, moving reports out of the default partition. */
export const ensureInventoryHistoryPartitions = (options: { db: pg.Pool; now: Date; daysAhead: number }) =>
  ensureDayPartitions(inventoryHistoryTable, options);

export interface InventoryHistoryRetentionResult {
  /** False when another Status Manager was already at it. */
  ran: boolean;
  partitionsCreated: string[];
  /** Day partitions dropped, and the reports they held. */
  dropped: string[];
  rows: number;
}

/**
 * Delete Aged Inventory History, run with Delete Aged Status Messages: makes the day partitions of
 * inventory_report ahead (moving reports out of the default partition), then drops each day
 * partition whose whole day of loading ended more than `retentionDays` ago. What a device has now
 * (its hardware classes and installed software) is kept apart from the history and is never aged
 * out; only the record of what changed when goes. One process at a time (advisory lock); safe to
 * run again at any time.
 */
export async function deleteAgedInventoryHistory(options: {
  db: pg.Pool;
  retentionDays: number;
  now?: Date;
  partitionDaysAhead: number;
  signal?: AbortSignal;
}): Promise<InventoryHistoryRetentionResult> {
  const { ran, partitionsCreated, dropped, rows } = await ageOutDayPartitions(inventoryHistoryTable, {
    ...options,
    lockKey: RETENTION_LOCK_KEY,
    daysAhead: options.partitionDaysAhead,
  });
  return { ran, partitionsCreated, dropped, rows };
}
