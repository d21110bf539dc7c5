'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { createContext, useContext } from 'react';
import { api } from '@/lib/client/api';
import { useLive } from '@/lib/client/use-live';
import { liveEvents, liveRooms } from '@/lib/live/rooms';
import type { PropertyChange } from '@/lib/sitecontrol/document-paths';
import type { DeltaEvent } from '@/lib/sitecontrol/site-control-change.schema';
import type { DeltaView, HistoryEntryView, SerialDocument, SiteSettingsView } from '@/lib/sitecontrol/site-settings-view';

export const siteSettingsKeys = {
  all: ['siteSettings'] as const,
  current: () => [...siteSettingsKeys.all, 'current'] as const,
  history: () => [...siteSettingsKeys.all, 'history'] as const,
  serial: (serial: number) => [...siteSettingsKeys.all, 'serial', serial] as const,
  diff: (from: number, to: number) => [...siteSettingsKeys.all, 'diff', { from, to }] as const,
  change: (id: number) => [...siteSettingsKeys.all, 'change', id] as const,
};

export function useSiteSettingsQuery() {
  return useQuery({ queryKey: siteSettingsKeys.current(), queryFn: () => api<SiteSettingsView>('/api/site-settings') });
}

export function useSiteControlHistoryQuery() {
  return useQuery({
    queryKey: siteSettingsKeys.history(),
    queryFn: () => api<{ siteCode: string; entries: HistoryEntryView[] }>('/api/site-settings/history'),
  });
}

export function useSiteControlSerialQuery(serial: number | null) {
  return useQuery({
    queryKey: siteSettingsKeys.serial(serial ?? -1),
    queryFn: () => api<SerialDocument>(`/api/site-settings/history/${serial}`),
    enabled: serial !== null,
  });
}

export interface SerialDiff {
  from: { serial: number; serialName: string; changedBy: string; changedAt: string };
  to: { serial: number; serialName: string; changedBy: string; changedAt: string };
  changes: PropertyChange[];
}

export function useSiteControlDiffQuery(from: number | null, to: number | null) {
  return useQuery({
    queryKey: siteSettingsKeys.diff(from ?? -1, to ?? -1),
    queryFn: () => api<SerialDiff>(`/api/site-settings/diff?from=${from}&to=${to}`),
    enabled: from !== null && to !== null,
  });
}

const settled = (state: DeltaView['state'] | undefined) => state === 'APPLIED' || state === 'REJECTED';

/**
 * One change's way through the flow. Its states arrive over the console channel; while the
 * channel is down it is polled, and a slow poll stays as a safety net for a missed event.
 */
export function useSiteControlChangeQuery(id: number | null) {
  const live = useContext(SiteControlLive);
  return useQuery({
    queryKey: siteSettingsKeys.change(id ?? -1),
    queryFn: () => api<{ change: DeltaView }>(`/api/site-settings/changes/${id}`),
    enabled: id !== null,
    refetchInterval: (query) => (settled(query.state.data?.change.state) ? false : live ? 3000 : 250),
  });
}

/** Whether the console channel is connected (set by useSiteControlEvents). */
export const SiteControlLive = createContext(false);

/**
 * Follows the flow's events on the console channel (event "siteControl:delta"): a change's
 * new state goes straight into its query; an applied one refreshes the settings and history, and
 * the server-rendered frame, whose header shows the site's name.
 */
export function useSiteControlEvents(): boolean {
  const queryClient = useQueryClient();
  const router = useRouter();
  const onDelta = (event: DeltaEvent) => {
    queryClient.setQueryData<{ change: DeltaView }>(siteSettingsKeys.change(event.id), (old) =>
      old ? { change: { ...old.change, state: event.state, appliedSerial: event.appliedSerial } } : old,
    );
    if (event.state === 'REJECTED') void queryClient.invalidateQueries({ queryKey: siteSettingsKeys.change(event.id) });
    if (event.state === 'APPLIED' || event.state === 'REJECTED') {
      void queryClient.invalidateQueries({ queryKey: siteSettingsKeys.current() });
      void queryClient.invalidateQueries({ queryKey: siteSettingsKeys.history() });
    }
    if (event.state === 'APPLIED') router.refresh();
  };
  return useLive(liveRooms.siteControl, { [liveEvents.siteControlDelta]: onDelta }) === 'live';
}
