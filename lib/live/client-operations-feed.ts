import type pg from 'pg';
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { channels } from '../db/channels';
import { listenShared } from '../db/listen-shared';
import { ProgressNotifier } from '../notification/progress-notifier';
import { operationNoticeSchema } from '../notification/client-operation.schema';
import { stateCounts } from '../notification/repo';
import { liveEvents, liveRooms } from './rooms';

const PRESENCE_EVERY_MS = 1000;

/**
 * Relays what notification servers and Notification Manager announce through NOTIFY (from any
 * process) to the consoles: started, cancelled and expired operations to the client-operations
 * room as they come; answered ones as new per-state counts, made here at most every 250 ms and
 * only while someone has the room open: counting an operation reads all its target rows, and
 * every management point announces answers several times a second while a fleet answers.
 * Presence goes to the devices room at most once a second.
 */
export function attachClientOperationsFeed(options: {
  nsp: Namespace;
  db: pg.Pool;
  connectionString?: string;
  log: Logger;
  progressIntervalMs?: number;
}) {
  let presenceTimer: NodeJS.Timeout | null = null;
  let presenceChanged = 0;
  const watched = () => (options.nsp.adapter.rooms.get(liveRooms.clientOperations)?.size ?? 0) > 0;
  const progress = new ProgressNotifier({
    log: options.log,
    intervalMs: options.progressIntervalMs,
    tell: async (ids) => {
      // Nobody to tell: whoever opens the page next reads the counts with it.
      if (!watched()) return;
      const { counts, asOf } = await stateCounts(options.db, ids);
      options.nsp
        .to(liveRooms.clientOperations)
        .emit(liveEvents.clientOperationsProgress, { progress: [...counts].map(([id, states]) => ({ id, states, asOf })) });
    },
  });
  const listener = listenShared({
    connectionString: options.connectionString,
    channels: [channels.clientOperationProgress, channels.devicePresence],
    onNotification: (channel, payload) => {
      if (channel === channels.clientOperationProgress) {
        let notice;
        try {
          notice = operationNoticeSchema.safeParse(JSON.parse(payload));
        } catch {
          notice = null;
        }
        if (!notice?.success) return options.log.warn({ payload }, 'unreadable client operation notice');
        if ('answered' in notice.data) progress.changed(notice.data.answered);
        else options.nsp.to(liveRooms.clientOperations).emit(liveEvents.clientOperationsProgress, notice.data);
        return;
      }
      presenceChanged += Number(payload) || 1;
      presenceTimer ??= setTimeout(() => {
        presenceTimer = null;
        options.nsp.to(liveRooms.devices).emit(liveEvents.devicePresence, { changed: presenceChanged });
        presenceChanged = 0;
      }, PRESENCE_EVERY_MS);
    },
    // Notices may have been missed while the connection was down: the pages read everything again.
    onReconnect: () => options.nsp.to(liveRooms.clientOperations).emit(liveEvents.clientOperationsProgress, { changed: [] }),
  });
  return {
    /** Settles once the feed hears the notices. */
    listening: listener.listening,
    close: async () => {
      if (presenceTimer) clearTimeout(presenceTimer);
      progress.stop();
      await listener.close();
    },
  };
}
