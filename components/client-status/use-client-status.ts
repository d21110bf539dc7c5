'use client';

import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import { useLive } from '@/lib/client/use-live';
import type { ClientStatusOverview, InactiveClientsPage } from '@/lib/client-status/client-status.schema';
import { liveEvents, liveRooms } from '@/lib/live/rooms';

// Activity ages by the clock, not by events: the figures are read again each minute.
const REFRESH_MS = 60_000;

export function useClientStatusQuery(days: number) {
  return useQuery({
    queryKey: ['clientStatus', 'overview', { days }],
    queryFn: ({ signal }) => api<ClientStatusOverview>(`/api/client-status?days=${days}`, { signal }),
    refetchInterval: REFRESH_MS,
  });
}

export function useInactiveClientsQuery(page: number, pageSize: number) {
  return useQuery({
    queryKey: ['clientStatus', 'inactive', { page, pageSize }],
    queryFn: ({ signal }) => api<InactiveClientsPage>(`/api/client-status/inactive?page=${page}&pageSize=${pageSize}`, { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  });
}

/** Online counts follow the notification servers' presence: the devices room says when it moved. */
export function useLiveClientStatus(): boolean {
  const queryClient = useQueryClient();
  return (
    useLive(liveRooms.devices, { [liveEvents.devicePresence]: () => void queryClient.invalidateQueries({ queryKey: ['clientStatus'] }) }) === 'live'
  );
}
