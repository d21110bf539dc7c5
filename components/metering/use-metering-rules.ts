'use client';

import { useQuery } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import type { MeteringRule } from '@/lib/metering/metering-rule.schema';

export const meteringRulesKey = ['meteringRules'] as const;

/** The software metering rules, filtered by a search over product and file name. */
export function useMeteringRulesQuery(search: string) {
  return useQuery({
    queryKey: [...meteringRulesKey, { search }],
    queryFn: ({ signal }) =>
      api<{ rules: MeteringRule[] }>(`/api/metering-rules${search ? `?search=${encodeURIComponent(search)}` : ''}`, { signal }),
  });
}
