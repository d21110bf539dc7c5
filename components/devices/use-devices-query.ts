'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import type { DevicePage, DeviceSortColumn, deviceSources } from '@/lib/devices/list-devices.schema';

export type DeviceSource = (typeof deviceSources)[number];

export interface DeviceFilters {
  search: string;
  sort: DeviceSortColumn;
  dir: 'asc' | 'desc';
  page: number;
  pageSize: number;
  online?: 'true' | 'false';
  osKind?: 'WORKSTATION' | 'SERVER';
  collectionId?: number;
  source?: DeviceSource;
}

export function deviceQueryString(f: DeviceFilters): string {
  const params = new URLSearchParams();
  if (f.search) params.set('search', f.search);
  params.set('sort', f.sort);
  params.set('dir', f.dir);
  params.set('page', String(f.page));
  params.set('pageSize', String(f.pageSize));
  if (f.online) params.set('online', f.online);
  if (f.osKind) params.set('osKind', f.osKind);
  if (f.collectionId) params.set('collectionId', String(f.collectionId));
  if (f.source) params.set('source', f.source);
  return params.toString();
}

/** One page of devices; the previous page stays on screen while the next loads. */
export function useDevicesQuery(filters: DeviceFilters) {
  return useQuery({
    queryKey: ['devices', filters],
    queryFn: ({ signal }) => api<DevicePage>(`/api/devices?${deviceQueryString(filters)}`, { signal }),
    placeholderData: keepPreviousData,
  });
}
