'use client';

import { useQuery } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import type { ScriptRow } from '@/lib/scripts/script.schema';

export const scriptsKey = ['scripts'] as const;

/** The Scripts library. */
export function useScriptsQuery() {
  return useQuery({ queryKey: scriptsKey, queryFn: ({ signal }) => api<{ rows: ScriptRow[] }>('/api/scripts', { signal }) });
}
