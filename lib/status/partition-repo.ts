import type pg from 'pg';
import { dayPartitionName, dropDayPartitionsBefore, ensureDayPartitions, listDayPartitions as listPartitions } from '../db/day-partitions';

export { dayStart } from '../db/day-partitions';

/**
 * status_message is partitioned by range of expires_at, one partition per UTC day, plus
 * status_message_default (see lib/db/day-partitions.ts).
 */
const statusMessageTable = { parent: 'status_message', column: 'expires_at' };

export const partitionName = (day: Date): string => dayPartitionName(statusMessageTable, day);

/** The day partitions of status_message that exist, each with its first day, oldest first. */
export const listDayPartitions = (db: pg.Pool | pg.ClientBase) => listPartitions(db, statusMessageTable);

/** Partitions of status_message from today to `daysAhead` days on (see ensureDayPartitions). */
export const ensureStatusPartitions = (options: { db: pg.Pool; now: Date; daysAhead: number }) => ensureDayPartitions(statusMessageTable, options);

/**
 * Drops every day partition whose whole day is past `now` (each of its messages is due),
 * one at a time, its files freed at a pace (see dropDayPartitionsBefore). Returns the rows the
 * dropped partitions held.
 */
export async function dropDuePartitions(options: {
  db: pg.Pool;
  now: Date;
  signal?: AbortSignal;
  onDetached?: (partition: string, rows: number) => void;
}): Promise<number> {
  return (await dropDayPartitionsBefore(statusMessageTable, { ...options, before: options.now })).rows;
}
