'use client';

import { useQueryClient } from '@tanstack/react-query';
import { COLLECTIONS_EVALUATED_EVENT } from '@/lib/collections/live-feed.events';
import { useConsoleEvent } from '../client-operations/use-console-event';

/**
 * Refetches the cached collection queries (lists, details, pickers) and device lists (members) whenever an
 * evaluation stored new membership. Returns whether the live channel is connected.
 */
export function useLiveCollections(): boolean {
  const queryClient = useQueryClient();
  return useConsoleEvent(COLLECTIONS_EVALUATED_EVENT, () => {
    for (const key of ['collections', 'collection', 'devices']) void queryClient.invalidateQueries({ queryKey: [key] });
  });
}
