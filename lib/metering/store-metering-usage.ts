import type pg from 'pg';
import { pool } from '../db/pool';
import type { MeteringUsageAnswer, MeteringUsageUpload } from '../protocol/metering-usage.schema';
import { insertMeteringUsage, wakeMeteringSummarizer } from './usage-repo';

/**
 * POST /api/mp/metering-usage for an authenticated device: stores its finished runs, each once
 * (a batch sent again after a lost answer stores nothing twice). A run whose rule has since been
 * deleted is stored all the same: it is history, and the reports of that time count it.
 */
export async function storeMeteringUsage(options: {
  device: { id: number };
  upload: MeteringUsageUpload;
  db?: pg.Pool;
}): Promise<MeteringUsageAnswer> {
  const db = options.db ?? pool();
  const stored = await insertMeteringUsage(db, options.device.id, options.upload.usage);
  // Not waited for: a wake-up lost is made up by the summarizer's poll.
  if (stored) void wakeMeteringSummarizer(db).catch(() => undefined);
  return { received: options.upload.usage.length, stored };
}
