'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useLive } from '@/lib/client/use-live';
import { liveEvents, liveRooms } from '@/lib/live/rooms';

/**
 * Refetches the cached collection queries (lists, details, pickers) and device lists (members) whenever an
 * evaluation stored new membership. Returns whether the live channel is connected.
 */
export function useLiveCollections(): boolean {
  const queryClient = useQueryClient();
  const onEvaluated = () => {
    for (const key of ['collections', 'collection', 'devices']) void queryClient.invalidateQueries({ queryKey: [key] });
  };
  return useLive(liveRooms.collections, { [liveEvents.collectionsEvaluated]: onEvaluated }) === 'live';
}
