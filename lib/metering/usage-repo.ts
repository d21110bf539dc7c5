import type pg from 'pg';
import { channels } from '../db/channels';
import { coalescedNotifier } from '../db/notify';
import type { MeteringUsageRecord } from '../protocol/metering-usage.schema';

/** The thin data layer for raw metering usage (metering_usage). */

/**
 * Stores a device's runs; a run already stored (same device, usage key and start) is left as it
 * is, so a batch sent again stores nothing twice. Returns how many were new.
 */
export async function insertMeteringUsage(db: pg.Pool | pg.ClientBase, deviceId: number, usage: MeteringUsageRecord[]): Promise<number> {
  if (!usage.length) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO metering_usage (device_id, rule_id, usage_key, started_at, ended_at, user_name, process_id, file_path, file_version, end_estimated)
     SELECT $1, * FROM unnest($2::int[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::int[], $8::text[], $9::text[], $10::bool[])
     ON CONFLICT (device_id, usage_key, started_at) DO NOTHING`,
    [
      deviceId,
      usage.map((u) => u.ruleId),
      usage.map((u) => u.usageKey),
      usage.map((u) => u.startedAt),
      usage.map((u) => u.endedAt),
      usage.map((u) => u.userName),
      usage.map((u) => u.processId),
      usage.map((u) => u.filePath),
      usage.map((u) => u.fileVersion),
      usage.map((u) => u.endEstimated),
    ],
  );
  return rowCount ?? 0;
}

/** Whether a day partition of metering_usage holds a run the metering summarizer has not counted yet. */
export async function holdsUnsummarizedUsage(client: pg.ClientBase, partition: string): Promise<boolean> {
  const { rows } = await client.query<{ waiting: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${partition} WHERE summarized_at IS NULL) AS waiting`);
  return rows[0].waiting;
}

/** Deletes the runs of `partition` that started before `before` and that the metering summarizer has counted. */
export async function deleteCountedUsageBefore(db: pg.Pool | pg.ClientBase, partition: string, before: Date): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM ${partition} WHERE started_at < $1 AND summarized_at IS NOT NULL`, [before]);
  return rowCount ?? 0;
}

/** Tells the metering summarizer that runs are waiting (after their insert committed; coalesced). */
export const wakeMeteringSummarizer = coalescedNotifier(channels.meteringUsage);
