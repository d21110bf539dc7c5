'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useLive } from '@/lib/client/use-live';
import { liveEvents, liveRooms } from '@/lib/live/rooms';

/** Refetches the device pages on screen when clients come online or go offline (at most once a second). */
export function useLivePresence(): boolean {
  const queryClient = useQueryClient();
  return useLive(liveRooms.devices, { [liveEvents.devicePresence]: () => void queryClient.invalidateQueries({ queryKey: ['devices'] }) }) === 'live';
}
