'use client';

import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import { useLive } from '@/lib/client/use-live';
import { liveEvents, liveRooms } from '@/lib/live/rooms';
import type { ComponentStatusView } from '@/lib/summarizers/read-component-status';
import type { RatePoint } from '@/lib/summarizers/read-message-rates';
import type { SiteStatus } from '@/lib/summarizers/read-site-status';
import type { SiteSystemStatusView } from '@/lib/summarizers/read-site-system-status';
import type { DisplayInterval } from '@/lib/summarizers/summarizer.schema';

/** What a view asks for: a site (default: the first) and an interval (default: the site's setting). */
export interface IntervalParams {
  site?: string;
  interval?: DisplayInterval;
  since?: string;
}

const search = (params: Record<string, string | number | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') s.set(k, String(v));
  return s.toString();
};

// Keys start with the resource, then the site, so a change of one site refreshes only its views.
export const summaryKeys = {
  siteStatus: (p: IntervalParams) => ['siteStatus', p] as const,
  componentStatus: (p: IntervalParams) => ['componentStatus', p.site ?? null, p] as const,
  siteSystemStatus: (site?: string) => ['siteSystemStatus', site ?? null] as const,
  rates: (site?: string, componentId?: number) => ['statusRates', site ?? null, componentId ?? null] as const,
  settings: (site?: string) => ['summarizerSettings', site ?? null] as const,
};

export function useSiteStatusQuery(p: IntervalParams) {
  return useQuery({
    queryKey: summaryKeys.siteStatus(p),
    queryFn: ({ signal }) =>
      api<{ generatedAt: string; sites: SiteStatus[] }>(`/api/site-status?${search({ interval: p.interval, since: p.since })}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

/** The Component Status view's filter. */
export interface ComponentFilter {
  search?: string;
  problems?: boolean;
}

const COMPONENT_PAGE = 200;

/** Component Status, worst first, in windows of 200 read as the list scrolls. */
export function useComponentStatusQuery(p: IntervalParams, filter: ComponentFilter) {
  return useInfiniteQuery({
    queryKey: [...summaryKeys.componentStatus(p), filter],
    initialPageParam: 0,
    queryFn: ({ pageParam, signal }) =>
      api<ComponentStatusView>(
        `/api/component-status?${search({ ...p, search: filter.search, problems: filter.problems ? 'true' : undefined, offset: pageParam, limit: COMPONENT_PAGE })}`,
        { signal },
      ),
    getNextPageParam: (last) => (last.offset + last.components.length < last.total ? last.offset + last.components.length : undefined),
    placeholderData: keepPreviousData,
  });
}

export function useSiteSystemStatusQuery(site?: string) {
  return useQuery({
    queryKey: summaryKeys.siteSystemStatus(site),
    queryFn: ({ signal }) => api<SiteSystemStatusView>(`/api/site-system-status?${search({ site })}`, { signal }),
    placeholderData: keepPreviousData,
    // "Reported recently" ages without any message arriving.
    refetchInterval: 60_000,
  });
}

export function useMessageRatesQuery(site?: string, componentId?: number) {
  return useQuery({
    queryKey: summaryKeys.rates(site, componentId),
    queryFn: ({ signal }) =>
      api<{ site: string; lastHour: RatePoint[] | null; lastDay: RatePoint[] }>(`/api/summarizers/rates?${search({ site, componentId })}`, {
        signal,
      }),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
}

/**
 * Keeps the summary views live: joins the console's status-summaries room and, when Status
 * Manager reports changed summaries, refreshes the cached views of those sites (or of every
 * site). Returns whether the live channel is up.
 */
export function useLiveSummaries(): { connected: boolean } {
  const queryClient = useQueryClient();
  const onChanged = ({ sites }: { sites: string[] }) => {
    const touches = (site: unknown) => !sites.length || site === null || sites.includes(String(site));
    void queryClient.invalidateQueries({ queryKey: ['siteStatus'] });
    void queryClient.invalidateQueries({
      predicate: (q) => ['componentStatus', 'siteSystemStatus', 'statusRates'].includes(String(q.queryKey[0])) && touches(q.queryKey[1]),
    });
  };
  return { connected: useLive(liveRooms.statusSummaries, { [liveEvents.statusSummariesChanged]: onChanged }) === 'live' };
}
