'use client';

import { useQuery } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import type { CollectionDetail, CollectionRow } from '@/lib/collections/list-collections.schema';

export function useCollectionsQuery(search: string) {
  return useQuery({
    queryKey: ['collections', { search }],
    queryFn: ({ signal }) => api<{ rows: CollectionRow[] }>(`/api/collections?search=${encodeURIComponent(search)}`, { signal }),
  });
}

export function useCollectionQuery(id: number | null) {
  return useQuery({
    queryKey: ['collection', id],
    queryFn: ({ signal }) => api<CollectionDetail>(`/api/collections/${id}`, { signal }),
    enabled: id !== null,
  });
}
