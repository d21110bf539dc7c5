import type { Namespace } from 'socket.io';
import { channels } from '../db/channels';
import { listenShared } from '../db/listen-shared';
import { liveEvents, liveRooms } from './rooms';

/**
 * Tells the consoles in the collections room that membership changed, so member counts,
 * "evaluated" times and the operation and deployment pickers follow an evaluation without a reload.
 */
export function attachCollectionsFeed(options: { nsp: Namespace; connectionString?: string }) {
  const announce = () => void options.nsp.to(liveRooms.collections).emit(liveEvents.collectionsEvaluated, {});
  const listener = listenShared({
    connectionString: options.connectionString,
    channels: [channels.collectionsEvaluated],
    onNotification: announce,
    onReconnect: announce,
  });
  return { close: () => listener.close() };
}
