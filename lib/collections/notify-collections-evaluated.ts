import type pg from 'pg';
import { channels } from '../live/channels';

/** Announces that an evaluation pass stored new membership (delivered when the caller commits). */
export async function notifyCollectionsEvaluated(db: pg.Pool | pg.PoolClient): Promise<void> {
  await db.query(`SELECT pg_notify($1, '')`, [channels.collectionsEvaluated]);
}
