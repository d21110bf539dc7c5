import type { Namespace } from 'socket.io';
import { channels } from '../db/channels';
import { coalesce } from './coalesce';
import { listenShared } from '../db/listen-shared';
import { liveEvents, liveRooms } from './rooms';

/**
 * Carries summary changes to the consoles in the status-summaries room: Status Manager notifies
 * after each batch commits; notifications are coalesced for a short window so a flood costs the
 * views a refresh or two a second, well inside the two seconds they promise.
 */
export function attachStatusSummaryFeed(options: { nsp: Namespace; connectionString?: string; coalesceMs?: number }) {
  const changes = coalesce<string>({
    waitMs: options.coalesceMs ?? 150,
    flush: (sites) => void options.nsp.to(liveRooms.statusSummaries).emit(liveEvents.statusSummariesChanged, { sites }),
  });
  const listener = listenShared({
    connectionString: options.connectionString,
    channels: [channels.statusSummariesChanged],
    onNotification: (_channel, payload) => changes.add(payload.split(',').filter(Boolean)),
    // Whatever changed while the connection was down: refresh everything.
    onReconnect: () => changes.all(),
  });
  return {
    async close() {
      changes.stop();
      await listener.close();
    },
  };
}
