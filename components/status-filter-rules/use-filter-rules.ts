'use client';

import { useQuery } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import type { FilterRule } from '@/lib/status/status-filter-rule.schema';

export const filterRulesKey = ['statusFilterRules'] as const;

/** The status filter rules in the order Status Manager evaluates them. */
export function useFilterRulesQuery() {
  return useQuery({
    queryKey: filterRulesKey,
    queryFn: ({ signal }) => api<{ rules: FilterRule[] }>('/api/status-filter-rules', { signal }),
  });
}
