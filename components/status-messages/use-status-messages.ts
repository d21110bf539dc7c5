'use client';

import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from '@/lib/client/api';
import { useLive } from '@/lib/client/use-live';
import { liveEvents, liveRooms } from '@/lib/live/rooms';
import type { StatusMessageView } from '@/lib/status-viewer/status-message-filters.schema';
import type { StatusManagerState } from '@/lib/status/status-manager-state';
import type { StatusMessageQueryView } from '@/lib/status-viewer/status-query.schema';
import type { StatusTailBatch } from '@/lib/status-viewer/status-tail.schema';

export interface StatusMessagePage {
  items: StatusMessageView[];
  nextCursor: string | null;
}

export const statusMessageQueriesKey = ['statusMessageQueries'] as const;

/**
 * The viewer's list: pages of 200, newest first, each continuing from the previous page's
 * cursor. `search` is the API's query string (filters, query and prompts).
 */
export function useStatusMessagesQuery(search: string) {
  return useInfiniteQuery({
    queryKey: ['statusMessages', search],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams(search);
      params.set('limit', '200');
      if (pageParam) params.set('cursor', pageParam);
      return api<StatusMessagePage>(`/api/status-messages?${params}`, { signal });
    },
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });
}

/** Built-in and saved Status Message Queries. */
export function useStatusMessageQueries() {
  return useQuery({
    queryKey: statusMessageQueriesKey,
    queryFn: ({ signal }) => api<{ queries: StatusMessageQueryView[] }>('/api/status-message-queries', { signal }),
  });
}

export interface StatusManagerRates {
  state: StatusManagerState;
  /** Messages per second since the previous reading, once there are two. */
  ingestPerSecond: number | null;
  processedPerSecond: number | null;
}

/** Status Manager's backlog and rates, read every `intervalMs`; rates are the change between two readings. */
export function useStatusManagerRates(intervalMs = 3000): { data: StatusManagerRates | null; error: Error | null } {
  const query = useQuery({
    queryKey: ['statusManager'],
    queryFn: ({ signal }) => api<StatusManagerState>('/api/status-manager', { signal }),
    refetchInterval: intervalMs,
    staleTime: 0,
  });
  const previous = useRef<StatusManagerState | null>(null);
  const [rates, setRates] = useState<StatusManagerRates | null>(null);
  useEffect(() => {
    const state = query.data;
    if (!state) return;
    const before = previous.current;
    previous.current = state;
    const seconds = before ? (Date.parse(state.at) - Date.parse(before.at)) / 1000 : 0;
    const rate = (name: 'accepted' | 'processed') =>
      before && seconds > 0 ? Math.max(0, (state.totals[name] - before.totals[name]) / seconds) : null;
    setRates({ state, ingestPerSecond: rate('accepted'), processedPerSecond: rate('processed') });
  }, [query.data]);
  return { data: rates, error: query.error };
}

/**
 * Follows the live tail over socket.io while `enabled`: each batch of newly stored messages goes
 * to `onBatch`. Reconnects by itself; `connected` says whether messages can arrive.
 */
export function useStatusMessageTail(enabled: boolean, onBatch: (batch: StatusTailBatch) => void) {
  return { connected: useLive(liveRooms.statusMessages, { [liveEvents.statusMessagesStored]: onBatch }, enabled) === 'live' };
}
