'use client';

import { keepPreviousData, replaceEqualDeep, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from '@/lib/client/api';
import type { ClientAction } from '@/lib/protocol/agent-protocol.schema';
import type {
  ScriptOutputGroup,
  ClientOperationPage,
  OnlineEstimate,
  OperationProgress,
  OperationTargetPage,
  TargetState,
} from '@/lib/notification/client-operation.schema';
import { applyProgress, keepLaterCounts } from '@/lib/notification/later-counts';
import { useLive, type LiveState } from '@/lib/client/use-live';
import { liveEvents, liveRooms } from '@/lib/live/rooms';

export interface OperationFilters {
  page: number;
  pageSize: number;
}

export function useClientOperationsQuery(filters: OperationFilters) {
  return useQuery({
    queryKey: ['clientOperations', filters],
    queryFn: ({ signal }) => api<ClientOperationPage>(`/api/client-operations?page=${filters.page}&pageSize=${filters.pageSize}`, { signal }),
    placeholderData: keepPreviousData,
    // A list read before the live channel's last counts must not put older counts back.
    structuralSharing: (held, fetched) =>
      replaceEqualDeep(held, keepLaterCounts(held as ClientOperationPage | undefined, fetched as ClientOperationPage, new Date())),
  });
}

export function useOperationTargetsQuery(id: number | null, filters: { state?: TargetState; page: number; pageSize: number }) {
  const params = new URLSearchParams({ page: String(filters.page), pageSize: String(filters.pageSize) });
  if (filters.state) params.set('state', filters.state);
  return useQuery({
    queryKey: ['clientOperationTargets', id, filters],
    queryFn: ({ signal }) => api<OperationTargetPage>(`/api/client-operations/${id}/targets?${params}`, { signal }),
    enabled: id !== null,
    placeholderData: keepPreviousData,
  });
}

export type PickedTarget = { collectionId: number } | { deviceNames: string[] };

export function useOnlineEstimateQuery(target: PickedTarget | null) {
  const params = new URLSearchParams();
  if (target && 'collectionId' in target) params.set('collectionId', String(target.collectionId));
  if (target && 'deviceNames' in target) params.set('deviceNames', target.deviceNames.join(','));
  return useQuery({
    queryKey: ['clientOperationEstimate', target],
    queryFn: ({ signal }) => api<OnlineEstimate>(`/api/client-operations/estimate?${params}`, { signal }),
    enabled: target !== null,
    retry: false,
    // An estimate is of this moment: a Review never opens on one kept from an earlier Review.
    gcTime: 0,
  });
}

export function useStartClientOperation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: {
      action: ClientAction;
      target: PickedTarget;
      script?: { scriptId: number; arguments: Record<string, string> };
      liveQuery?: { query: string };
    }) => api<{ id: number; total: number; onlineAtStart: number }>('/api/client-operations', { method: 'POST', body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['clientOperations'] }),
  });
}

export function useCancelClientOperation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api(`/api/client-operations/${id}/cancel`, { method: 'POST' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['clientOperations'] }),
  });
}

/**
 * Keeps the Client Operations queries current from the console channel: new per-state counts
 * go straight into the cached pages; new, cancelled or expired operations refetch the list;
 * the open drill-down refetches at most once a second while results arrive. Returns the live state.
 */
export function useLiveClientOperations(): LiveState {
  const queryClient = useQueryClient();
  const targetsTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onProgress = (message: { progress?: OperationProgress[]; changed?: number[] }) => {
    if (message.changed) void queryClient.invalidateQueries({ queryKey: ['clientOperations'] });
    const progress = message.progress;
    if (progress)
      queryClient.setQueriesData<ClientOperationPage>(
        { queryKey: ['clientOperations'] },
        (page) => page && applyProgress(page, progress, new Date()),
      );
    targetsTimer.current ??= setTimeout(() => {
      targetsTimer.current = null;
      void queryClient.invalidateQueries({ queryKey: ['clientOperationTargets'] });
    }, 1000);
  };
  return useLive(liveRooms.clientOperations, { [liveEvents.clientOperationsProgress]: onProgress });
}

/** A Run Script operation's identical outputs, grouped with their device counts. */
export function useScriptOutputGroupsQuery(operationId: number, enabled: boolean) {
  return useQuery({
    queryKey: ['clientOperationTargets', operationId, 'scriptOutputs'],
    queryFn: ({ signal }) => api<{ groups: ScriptOutputGroup[] }>(`/api/client-operations/${operationId}/script-outputs`, { signal }),
    enabled,
  });
}

export interface LiveQueryOverview {
  operationId: number;
  query: string;
  columns: string[];
  rowsStored: number;
  devicesTruncated: number;
  summary: Record<string, string | number | boolean | null>[] | null;
}

export interface LiveQueryRow {
  seq: string;
  deviceName: string;
  row: Record<string, unknown>;
}

/** A live query's columns, rows stored and summary across devices; refetched as results arrive. */
export function useLiveQueryOverviewQuery(operationId: number) {
  return useQuery({
    queryKey: ['clientOperationTargets', operationId, 'liveQuery'],
    queryFn: ({ signal }) => api<LiveQueryOverview>(`/api/client-operations/${operationId}/live-query`, { signal }),
  });
}

/**
 * A live query's rows as they arrive: the pages after the last row held are fetched whenever
 * `answered` grows (and once at the start), so rows stream in without fetching again what is held.
 */
export function useLiveQueryRows(operationId: number, answered: number) {
  const [rows, setRows] = useState<LiveQueryRow[]>([]);
  const [error, setError] = useState<Error | null>(null);
  const pullRef = useRef<() => void>(() => {});
  useEffect(() => {
    const controller = new AbortController();
    let cursor: string | undefined;
    let running = false;
    let again = false;
    const pull = async () => {
      if (running) return void (again = true);
      running = true;
      try {
        do {
          again = false;
          for (;;) {
            const params = new URLSearchParams({ limit: '1000' });
            if (cursor) params.set('after', cursor);
            const page = await api<{ rows: LiveQueryRow[]; next: string | null }>(`/api/client-operations/${operationId}/live-query/rows?${params}`, {
              signal: controller.signal,
            });
            if (page.rows.length) {
              cursor = page.rows[page.rows.length - 1].seq;
              setRows((held) => [...held, ...page.rows]);
            }
            if (!page.next) break;
          }
        } while (again);
        setError(null);
      } catch (e) {
        if (!controller.signal.aborted) setError(e as Error);
      } finally {
        running = false;
      }
    };
    pullRef.current = () => void pull();
    return () => controller.abort();
  }, [operationId]);
  // Every new answer may have brought rows: fetch what came after the last one held.
  useEffect(() => pullRef.current(), [operationId, answered]);
  return { rows, error };
}
