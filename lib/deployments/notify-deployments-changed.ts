import type pg from 'pg';
import { channels } from '../db/channels';
import { notify } from '../db/notify';

/**
 * Announces that deployments' statuses or definitions changed. Inside a transaction the
 * notification is delivered when it commits, so the console never reads ahead of the data.
 */
export async function notifyDeploymentsChanged(db: pg.ClientBase | pg.Pool, ids: number[] = []): Promise<void> {
  await notify(
    db,
    channels.deploymentsChanged,
    [...new Set(ids)]
      .sort((a, b) => a - b)
      .join(',')
      .slice(0, 7000),
  );
}
