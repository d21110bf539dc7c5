import type { Namespace } from 'socket.io';
import { channels } from '../db/channels';
import { coalesce } from './coalesce';
import { listenShared } from '../db/listen-shared';
import { liveEvents, liveRooms } from './rooms';

/**
 * Carries deployment changes to the consoles in the deployments room: the notifications of a
 * short window are coalesced, so a flood of client reports costs the Deployments page a refresh
 * or two a second.
 */
export function attachDeploymentFeed(options: { nsp: Namespace; connectionString?: string; coalesceMs?: number }) {
  const changes = coalesce<number>({
    waitMs: options.coalesceMs ?? 250,
    flush: (deployments) => void options.nsp.to(liveRooms.deployments).emit(liveEvents.deploymentsChanged, { deployments }),
  });
  const listener = listenShared({
    connectionString: options.connectionString,
    channels: [channels.deploymentsChanged],
    onNotification: (_channel, payload) => changes.add(payload.split(',').filter(Boolean).map(Number)),
    onReconnect: () => changes.all(),
  });
  return {
    /** Settles once the feed hears deployment changes. */
    listening: listener.listening,
    async close() {
      changes.stop();
      await listener.close();
    },
  };
}
