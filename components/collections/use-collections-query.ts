'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import type { CollectionDetail, CollectionRow } from '@/lib/collections/list-collections.schema';

export interface CollectionFilters {
  search: string;
}

/** The collections list; the previous list stays on screen while a new search loads. */
export function useCollectionsQuery(filters: CollectionFilters) {
  return useQuery({
    queryKey: ['collections', filters],
    queryFn: ({ signal }) =>
      api<{ rows: CollectionRow[] }>(`/api/collections?${new URLSearchParams(filters.search ? { search: filters.search } : {})}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

/** One collection with its rules. */
export function useCollectionQuery(id: number | null) {
  return useQuery({
    queryKey: ['collection', id],
    queryFn: ({ signal }) => api<CollectionDetail>(`/api/collections/${id}`, { signal }),
    enabled: id !== null,
  });
}
