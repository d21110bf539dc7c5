import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { MAX_ACTION_DURATION_MS } from '../protocol/agent-protocol.schema';
import { materializeOperationTargets } from './materialize-operation-targets';
import { reapNotificationServers } from './presence-repo';
import * as repo from './repo';

/**
 * Notification Manager's bookkeeping: writes the target rows of started operations nobody has
 * written yet (no client has answered, nobody has opened the per-device list), records the unreached targets of operations past their
 * validity as Expired (they are never pushed again; the notification servers check the
 * validity themselves too, so this only makes the stored state say so), records as Failed the
 * delivered targets that gave no result within the longest an action may run, and deletes push
 * requests a day after their operation ended; with `staleServerSeconds`, also reaps notification
 * servers silent that long, as every notification server does. Safe to run from several processes.
 */
/** The result of a target written off by writeOffSilentTargets, as the console shows it. */
export const SILENT_TARGET_MESSAGE =
  `No answer within ${MAX_ACTION_DURATION_MS / 86_400_000} days of the client taking the action on: ` +
  'it has gone, or lost the action. An answer that still comes replaces this.';

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
  // Each change and its notice commit together: a process killed in between would leave the
  // operations changed and no one ever telling the consoles (the next pass finds nothing to do).
  const expired = await inTransaction(pool(), async (client) => {
    const rows = await repo.expireOperations(client, now);
    if (rows.length) await repo.notifyProgress(client, { changed: rows.map((e) => e.id) });
    return rows;
  });
  if (expired.length) options.log?.info({ operations: expired }, 'client operations expired');
  const writtenOff = await inTransaction(pool(), async (client) => {
    const ids = await repo.writeOffSilentTargets(client, {
      deliveredBy: new Date(now.getTime() - MAX_ACTION_DURATION_MS),
      now,
      detail: { message: SILENT_TARGET_MESSAGE, durationMs: 0 },
    });
    if (ids.length) await repo.notifyProgress(client, { changed: ids });
    return ids;
  });
  if (writtenOff.length) options.log?.info({ operations: writtenOff }, 'clients that took an action on and never answered recorded as failed');
  const purged = await repo.purgePushes(pool(), now);
  return { materialized, expired, writtenOff, purged };
}
