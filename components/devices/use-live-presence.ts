'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useConsoleEvent } from '../client-operations/use-console-event';

/** Refetches the device pages on screen when clients come online or go offline (at most once a second). */
export function useLivePresence(): boolean {
  const queryClient = useQueryClient();
  return useConsoleEvent('devices:presence', () => void queryClient.invalidateQueries({ queryKey: ['devices'] }));
}
