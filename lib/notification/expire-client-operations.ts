import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock';
import { pool } from '../db/pool';
import { materializeOperationTargets } from './materialize-operation-targets';
import { reapNotificationServers } from './presence-repo';
import * as repo from './repo';

/**
 * Notification Manager's bookkeeping: writes the target rows of started operations nobody has
 * written yet (no client has answered, nobody has opened the per-device list), records the unreached targets of operations past their
 * validity as Expired (they are never pushed again; the notification servers check the
 * validity themselves too, so this only makes the stored state say so), and deletes push
 * requests a day after their operation ended; with `staleServerSeconds`, also reaps notification
 * servers silent that long, as every notification server does. Safe to run from several processes.
 */
export async function expireClientOperations(options: { log?: Logger; clock?: Clock; staleServerSeconds?: number } = {}) {
  const now = (options.clock ?? systemClock).now();
  // Management points and consoles reap each other's presence; with every one of them down, the
  // clients they held would read online (and be summarized so) until one came back.
  if (options.staleServerSeconds !== undefined) {
    const reaped = await reapNotificationServers(pool(), { staleSeconds: options.staleServerSeconds, now });
    if (reaped.servers.length) options.log?.info(reaped, 'notification servers that stopped beating reaped; their clients are offline');
  }
  const materialized = await materializeOperationTargets({ db: pool() });
  if (materialized.length) options.log?.info({ operations: materialized }, 'client operation targets written');
  const expired = await repo.expireOperations(pool(), now);
  if (expired.length) {
    options.log?.info({ operations: expired }, 'client operations expired');
    await repo.notifyProgress(pool(), { changed: expired.map((e) => e.id) });
  }
  const purged = await repo.purgePushes(pool(), now);
  return { materialized, expired, purged };
}
