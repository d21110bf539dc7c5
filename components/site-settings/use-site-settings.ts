'use client';

import { useQuery } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import type { PropertyChange } from '@/lib/sitecontrol/document-paths';
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

/** One change's way through the flow; polled until it is applied or refused. */
export function useSiteControlChangeQuery(id: number | null) {
  return useQuery({
    queryKey: siteSettingsKeys.change(id ?? -1),
    queryFn: () => api<{ change: DeltaView }>(`/api/site-settings/changes/${id}`),
    enabled: id !== null,
    refetchInterval: (query) => (settled(query.state.data?.change.state) ? false : 250),
  });
}
