import type pg from 'pg';
import { ageOutDayPartitions, ensureDayPartitions } from '../db/day-partitions';
import { holdsUnsummarizedUsage } from './usage-repo';

/** metering_usage: one partition per UTC day of started_at, plus metering_usage_default (see lib/db/day-partitions.ts). */
export const meteringUsageTable = { parent: 'metering_usage', column: 'started_at' };

// Any fixed key; every Status Manager that runs the task tries the same one.
const RETENTION_LOCK_KEY = 7_301_952_044_411n;

export interface MeteringUsageRetentionResult {
  /** False when another Status Manager was already at it. */
  ran: boolean;
  partitionsCreated: string[];
  /** Day partitions dropped, and the rows they held. */
  dropped: string[];
  rows: number;
  /** Due day partitions kept because the metering summarizer has not counted all of their rows yet. */
  waitingForSummarizer: string[];
}

/** Makes the partitions of metering_usage from today to `daysAhead` days on, moving rows out of the default partition. */
export const ensureMeteringUsagePartitions = (options: { db: pg.Pool; now: Date; daysAhead: number }) =>
  ensureDayPartitions(meteringUsageTable, options);

/**
 * The retention of raw metering usage, run with Delete Aged Status Messages: makes the day
 * partitions ahead, then drops each day partition of metering_usage whose whole day started more
 * than `retentionDays` ago — except one still holding a run the metering summarizer has not
 * counted (summarized_at IS NULL): dropping it would lose that usage from the reports, so it
 * waits for the summarizer and is dropped by a later run. One process at a time (advisory lock);
 * safe to run again at any time.
 */
export async function deleteAgedMeteringUsage(options: {
  db: pg.Pool;
  retentionDays: number;
  now?: Date;
  partitionDaysAhead: number;
  signal?: AbortSignal;
}): Promise<MeteringUsageRetentionResult> {
  const { kept, ...result } = await ageOutDayPartitions(meteringUsageTable, {
    ...options,
    lockKey: RETENTION_LOCK_KEY,
    daysAhead: options.partitionDaysAhead,
    keep: holdsUnsummarizedUsage,
  });
  return { ...result, waitingForSummarizer: kept };
}
