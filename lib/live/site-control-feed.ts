import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { deltaEventSchema } from '../sitecontrol/site-control-change.schema';
import { channels } from '../db/channels';
import { listenShared } from '../db/listen-shared';
import { liveEvents, liveRooms } from './rooms';

/**
 * Relays the delta trigger's notifications to the consoles in the site-control room, so Site
 * Settings shows a change move from pending to applied (and its new serial) as it happens.
 */
export function attachSiteControlFeed(options: { nsp: Namespace; connectionString?: string; log: Logger }): { close(): Promise<void> } {
  const listener = listenShared({
    connectionString: options.connectionString,
    channels: [channels.siteControlDelta],
    onNotification: (_channel, payload) => {
      try {
        const event = deltaEventSchema.safeParse(JSON.parse(payload));
        if (event.success) options.nsp.to(liveRooms.siteControl).emit(liveEvents.siteControlDelta, event.data);
      } catch {
        options.log.warn({ payload }, 'unreadable site control notification');
      }
    },
  });
  return { close: () => listener.close() };
}
