'use client';

import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '@/lib/client/api';

/**
 * For a table row's changes (enable, delete, …): mutation options that refresh `queryKey` on
 * success, and the last failure's message to show beside the row.
 */
export function useRowChange(queryKey: QueryKey) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const options = {
    onSuccess: () => {
      setError(null);
      void queryClient.invalidateQueries({ queryKey });
    },
    onError: (e: unknown) => setError(e instanceof ApiError ? e.message : 'The change failed.'),
  };
  return { error, setError, options, queryClient };
}
