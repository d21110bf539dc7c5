import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { channels } from '../db/channels';
import { listenShared } from '../db/listen-shared';
import { liveEvents, liveRooms } from './rooms';

const PRESENCE_EVERY_MS = 1000;

/**
 * Relays what notification servers and Notification Manager announce through NOTIFY (from any
 * process) to the consoles: operation progress to the client-operations room as it comes,
 * presence to the devices room at most once a second.
 */
export function attachClientOperationsFeed(options: { nsp: Namespace; connectionString?: string; log: Logger }) {
  let presenceTimer: NodeJS.Timeout | null = null;
  let presenceChanged = 0;
  const listener = listenShared({
    connectionString: options.connectionString,
    channels: [channels.clientOperationProgress, channels.devicePresence],
    onNotification: (channel, payload) => {
      if (channel === channels.clientOperationProgress) {
        try {
          options.nsp.to(liveRooms.clientOperations).emit(liveEvents.clientOperationsProgress, JSON.parse(payload));
        } catch {
          options.log.warn({ payload }, 'unreadable client operation progress');
        }
        return;
      }
      presenceChanged += Number(payload) || 1;
      presenceTimer ??= setTimeout(() => {
        presenceTimer = null;
        options.nsp.to(liveRooms.devices).emit(liveEvents.devicePresence, { changed: presenceChanged });
        presenceChanged = 0;
      }, PRESENCE_EVERY_MS);
    },
  });
  return {
    close: async () => {
      if (presenceTimer) clearTimeout(presenceTimer);
      await listener.close();
    },
  };
}
