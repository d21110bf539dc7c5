'use client';

import { useQuery } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import type { ListedMeteringRule } from '@/lib/metering/list-metering-rules';

export const meteringRulesKey = ['meteringRules'] as const;

/** The software metering rules, filtered by a search over product and file name, each with this month's usage. */
export function useMeteringRulesQuery(search: string) {
  return useQuery({
    queryKey: [...meteringRulesKey, { search }],
    queryFn: ({ signal }) =>
      api<{ rules: ListedMeteringRule[] }>(`/api/metering-rules${search ? `?search=${encodeURIComponent(search)}` : ''}`, { signal }),
  });
}
