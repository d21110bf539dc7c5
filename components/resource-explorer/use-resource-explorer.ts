'use client';

import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, type Jsonified } from '@/lib/client/api';
import type { readDeviceMetering } from '@/lib/metering/read-device-metering';
import type {
  DeviceInventory,
  ReportComparison,
  ReportHistoryPage,
  SoftwarePage,
  SoftwareSortColumn,
} from '@/lib/resource-explorer/resource-explorer.schema';

/** The device's header and hardware classes. */
export function useDeviceInventoryQuery(deviceId: number) {
  return useQuery({
    queryKey: ['resourceExplorer', deviceId, 'inventory'],
    queryFn: ({ signal }) => api<DeviceInventory>(`/api/devices/${deviceId}/inventory`, { signal }),
  });
}

export interface SoftwareFilters {
  search: string;
  sort: SoftwareSortColumn;
  dir: 'asc' | 'desc';
}

const SOFTWARE_PAGE = 200;

/** The device's software, a page at a time as the list scrolls; the previous list stays while a new search loads. */
export function useDeviceSoftwareQuery(deviceId: number, filters: SoftwareFilters) {
  return useInfiniteQuery({
    queryKey: ['resourceExplorer', deviceId, 'software', filters],
    initialPageParam: 0,
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ sort: filters.sort, dir: filters.dir, offset: String(pageParam), limit: String(SOFTWARE_PAGE) });
      if (filters.search) params.set('search', filters.search);
      return api<SoftwarePage>(`/api/devices/${deviceId}/software?${params}`, { signal });
    },
    getNextPageParam: (last) => (last.offset + last.rows.length < last.total && last.rows.length ? last.offset + last.rows.length : undefined),
    placeholderData: keepPreviousData,
  });
}

/** The device's inventory reports, newest first, older pages on demand. */
export function useInventoryReportsQuery(deviceId: number) {
  return useInfiniteQuery({
    queryKey: ['resourceExplorer', deviceId, 'reports'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api<ReportHistoryPage>(`/api/devices/${deviceId}/inventory/reports${pageParam ? `?before=${pageParam}` : ''}`, { signal }),
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
}

/** What changed between two reports; idle until both are chosen. */
export function useReportComparisonQuery(deviceId: number, pair: [string, string] | null) {
  return useQuery({
    queryKey: ['resourceExplorer', deviceId, 'compare', pair],
    queryFn: ({ signal }) => api<ReportComparison>(`/api/devices/${deviceId}/inventory/compare?from=${pair![0]}&to=${pair![1]}`, { signal }),
    enabled: pair !== null,
  });
}

export type DeviceMetering = Jsonified<Awaited<ReturnType<typeof readDeviceMetering>>>;

/** The metered programs the device ran and its latest runs. */
export function useDeviceMeteringQuery(deviceId: number) {
  return useQuery({
    queryKey: ['resourceExplorer', deviceId, 'metering'],
    queryFn: ({ signal }) => api<DeviceMetering>(`/api/devices/${deviceId}/metering`, { signal }),
  });
}
