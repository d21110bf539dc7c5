'use client';

import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import type { CollectionRow } from '@/lib/collections/list-collections.schema';
import type { ClientStatus, DeploymentClientPage, DeploymentRow, PackageRow } from '@/lib/deployments/deployment.schema';
import { useLive, type LiveState } from '@/lib/client/use-live';
import { liveEvents, liveRooms } from '@/lib/live/rooms';

/** A safety net only: changes arrive over the console channel (useDeploymentsLive). */
const REFRESH_MS = 60_000;

export const deploymentsKey = ['deployments'] as const;

export function useDeploymentsQuery() {
  return useQuery({
    queryKey: deploymentsKey,
    queryFn: ({ signal }) => api<{ rows: DeploymentRow[] }>('/api/deployments', { signal }),
    refetchInterval: REFRESH_MS,
  });
}

export interface DeploymentClientFilters {
  status?: ClientStatus;
  late?: 'true' | 'false';
  search: string;
  page: number;
  pageSize: number;
}

/** The drill-down's query string; without paging for the CSV export (every matching client). */
export function deploymentClientsQueryString(f: DeploymentClientFilters, options: { paging?: boolean } = {}): string {
  const params = new URLSearchParams();
  if (f.status) params.set('status', f.status);
  if (f.late) params.set('late', f.late);
  if (f.search) params.set('search', f.search);
  if (options.paging !== false) {
    params.set('page', String(f.page));
    params.set('pageSize', String(f.pageSize));
  }
  return params.toString();
}

/** One page of a deployment's clients with their derived status. */
export function useDeploymentClientsQuery(id: number, filters: DeploymentClientFilters) {
  return useQuery({
    queryKey: ['deploymentClients', id, filters],
    queryFn: ({ signal }) => api<DeploymentClientPage>(`/api/deployments/${id}/clients?${deploymentClientsQueryString(filters)}`, { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  });
}

export const packagesKey = ['packages'] as const;

export function usePackagesQuery() {
  return useQuery({ queryKey: packagesKey, queryFn: ({ signal }) => api<{ rows: PackageRow[] }>('/api/packages', { signal }) });
}

/** Collections to deploy to (the list the Collections page shows). */
export function useCollectionChoicesQuery() {
  return useQuery({
    queryKey: ['collections', { search: '' }],
    queryFn: ({ signal }) => api<{ rows: CollectionRow[] }>('/api/collections', { signal }),
  });
}

/**
 * Keeps the deployment queries current: the server announces deployments whose status changed
 * (client reports processed, expiry, membership) and their cached queries are refetched.
 * Returns the live channel's state.
 */
export function useDeploymentsLive(): LiveState {
  const queryClient = useQueryClient();
  const onChanged = ({ deployments }: { deployments: number[] }) => {
    void queryClient.invalidateQueries({ queryKey: deploymentsKey });
    if (!deployments.length) void queryClient.invalidateQueries({ queryKey: ['deploymentClients'] });
    for (const id of deployments) void queryClient.invalidateQueries({ queryKey: ['deploymentClients', id] });
  };
  return useLive(liveRooms.deployments, { [liveEvents.deploymentsChanged]: onChanged });
}
