import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { listen } from '../db/listen';
import { DEVICE_PRESENCE_CHANNEL } from './presence-repo';
import { CLIENT_OPERATION_PROGRESS_CHANNEL } from './repo';

/** Console events (namespace /console) the Client Operations and Devices pages listen to. */
export const consoleEvents = {
  /** `{ progress: [{ id, states }] }`: new per-state counts; `{ changed: [id] }`: reload those rows. */
  clientOperations: 'client-operations:progress',
  /** Clients came online or went offline (payload: how many); the Devices page refetches. */
  devicePresence: 'devices:presence',
} as const;

const PRESENCE_EVERY_MS = 1000;

/**
 * Relays what notification servers and Notification Manager announce through NOTIFY (from any
 * process) to the console's sockets: operation progress as it comes, presence at most once a second.
 */
export function relayNotificationsToConsole(options: { console: Namespace; connectionString: string; log: Logger }) {
  let presenceTimer: NodeJS.Timeout | null = null;
  let presenceChanged = 0;
  const listener = listen({
    connectionString: options.connectionString,
    channels: [CLIENT_OPERATION_PROGRESS_CHANNEL, DEVICE_PRESENCE_CHANNEL],
    log: options.log,
    onNotification: (channel, payload) => {
      if (channel === CLIENT_OPERATION_PROGRESS_CHANNEL) {
        try {
          options.console.emit(consoleEvents.clientOperations, JSON.parse(payload));
        } catch {
          options.log.warn({ payload }, 'unreadable client operation progress');
        }
        return;
      }
      presenceChanged += Number(payload) || 1;
      presenceTimer ??= setTimeout(() => {
        presenceTimer = null;
        options.console.emit(consoleEvents.devicePresence, { changed: presenceChanged });
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
