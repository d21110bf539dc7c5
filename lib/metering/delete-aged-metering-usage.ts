import type pg from 'pg';
import { ageOutDayPartitions, dayStart, defaultPartition, ensureDayPartitions } from '../db/day-partitions';
import { inTransaction } from '../db/transaction';
import { deleteConcurrencyStepsBefore, raiseConcurrencyHorizon } from './summary-repo';
import { deleteCountedUsageBefore, holdsUnsummarizedUsage } from './usage-repo';

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
  /** Runs-at-once minute rows deleted, and the day they now begin on (see deleteAgedConcurrencySteps). */
  concurrencyStepsDeleted: number;
  concurrencyHorizon: string;
}

/** Days of runs-at-once minute rows kept at least: the report's time-of-day profile reads 30 and today. */
const MIN_CONCURRENCY_DAYS = 31;

/**
 * Deletes the runs-at-once minute rows (metering_concurrency) of the days older than the raw usage
 * retention, and at least MIN_CONCURRENCY_DAYS: reports read those days from their day rows, which
 * stay. The horizon moves first, in the same transaction, and the summarizer reads it with a share
 * lock: a pass adding steps finishes before the deletion, and a later pass leaves out any run whose
 * first minute falls before the horizon (that day's minutes are gone, so it could not be rewritten).
 */
export async function deleteAgedConcurrencySteps(
  db: pg.Pool,
  options: { retentionDays: number; now: Date },
): Promise<{ deleted: number; before: string }> {
  const days = Math.max(options.retentionDays, MIN_CONCURRENCY_DAYS);
  const cutoff = new Date(dayStart(options.now).getTime() - days * 86_400_000).toISOString().slice(0, 10);
  return inTransaction(db, async (client) => {
    const before = await raiseConcurrencyHorizon(client, cutoff);
    return { deleted: await deleteConcurrencyStepsBefore(client, before), before };
  });
}

/**
 * Makes the partitions of metering_usage from today to `daysAhead` days on, moving rows out of the
 * default partition. A run's start is the client's word: the days before the retention get no
 * partition (their runs wait in the default partition until deleteAgedMeteringUsage deletes them).
 */
export const ensureMeteringUsagePartitions = (options: { db: pg.Pool; now: Date; daysAhead: number; retentionDays: number }) =>
  ensureDayPartitions(meteringUsageTable, {
    ...options,
    since: new Date(dayStart(options.now).getTime() - options.retentionDays * 86_400_000),
  });

/**
 * The retention of raw metering usage, run with Delete Aged Status Messages: makes the day
 * partitions ahead, then drops each day partition of metering_usage whose whole day started more
 * than `retentionDays` ago — except one still holding a run the metering summarizer has not
 * counted (summarized_at IS NULL): dropping it would lose that usage from the reports, so it
 * waits for the summarizer and is dropped by a later run. One process at a time (advisory lock);
 * safe to run again at any time. Then the aged runs-at-once minute rows (deleteAgedConcurrencySteps).
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
    noPartitionPastRetention: true,
  });
  // The runs of those days left in the default partition go once counted, as a day partition does.
  const before = new Date(dayStart(options.now ?? new Date()).getTime() - options.retentionDays * 86_400_000);
  if (result.ran) await deleteCountedUsageBefore(options.db, defaultPartition(meteringUsageTable), before);
  const steps = await deleteAgedConcurrencySteps(options.db, { retentionDays: options.retentionDays, now: options.now ?? new Date() });
  return { ...result, waitingForSummarizer: kept, concurrencyStepsDeleted: steps.deleted, concurrencyHorizon: steps.before };
}
