import type pg from 'pg';
import { channels } from '../db/channels';
import { notify } from '../db/notify';

/** Announces that an evaluation pass stored new membership (delivered when the caller commits). */
export async function notifyCollectionsEvaluated(db: pg.Pool | pg.PoolClient): Promise<void> {
  await notify(db, channels.collectionsEvaluated);
}
