'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import type { QuarantinePage } from '@/lib/quarantine/quarantine.schema';

export const quarantineKey = ['quarantine'] as const;

/** Items queue consumers set aside and nobody has decided yet, most recently seen first. */
export function useQuarantineQuery(enabled: boolean) {
  return useQuery({
    queryKey: [...quarantineKey, { state: 'QUARANTINED' }],
    queryFn: ({ signal }) => api<QuarantinePage>('/api/quarantine?state=QUARANTINED&limit=200', { signal }),
    enabled,
  });
}

/** Retry (back into its queue) or discard a quarantined item; the list and Status Manager's count refresh. */
export function useDecideQuarantinedItem() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'retry' | 'discard' }) =>
      api<{ id: string; state: string }>(`/api/quarantine/${id}/${action}`, { method: 'POST' }),
    onSettled: async () => {
      await Promise.all([queryClient.invalidateQueries({ queryKey: quarantineKey }), queryClient.invalidateQueries({ queryKey: ['statusManager'] })]);
    },
  });
}
