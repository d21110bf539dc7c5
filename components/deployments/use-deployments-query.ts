'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import type { CollectionRow } from '@/lib/collections/list-collections.schema';
import type { ClientStatus, DeploymentClientPage, DeploymentRow, PackageRow } from '@/lib/deployments/deployment.schema';

/** How often status summaries refresh while the page is open (clients keep reporting). */
const REFRESH_MS = 5000;

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

export function deploymentClientsQueryString(f: DeploymentClientFilters): string {
  const params = new URLSearchParams();
  if (f.status) params.set('status', f.status);
  if (f.late) params.set('late', f.late);
  if (f.search) params.set('search', f.search);
  params.set('page', String(f.page));
  params.set('pageSize', String(f.pageSize));
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
  return useQuery({ queryKey: ['collections', { search: '' }], queryFn: ({ signal }) => api<{ rows: CollectionRow[] }>('/api/collections', { signal }) });
}
