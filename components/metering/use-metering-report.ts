'use client';

import { useQuery } from '@tanstack/react-query';
import { api, type Jsonified } from '@/lib/client/api';
import type { readMeteringReport, readUnusedComputersReport } from '@/lib/metering/read-metering-report';

export type MeteringReport = Jsonified<Awaited<ReturnType<typeof readMeteringReport>>>;
export type UnusedComputersReport = Jsonified<Awaited<ReturnType<typeof readUnusedComputersReport>>>;

/** A rule's usage report: months and days, computers and users that ran it. */
export function useMeteringReportQuery(ruleId: number) {
  return useQuery({
    queryKey: ['meteringReport', ruleId],
    queryFn: ({ signal }) => api<MeteringReport>(`/api/metering-rules/${ruleId}/report?months=12`, { signal }),
  });
}

/** The computers of a rule's site with the program installed (or run before) and not run in `days` days. */
export function useUnusedComputersQuery(ruleId: number, days: number) {
  return useQuery({
    queryKey: ['meteringUnused', ruleId, days],
    queryFn: ({ signal }) => api<UnusedComputersReport>(`/api/metering-rules/${ruleId}/unused?days=${days}`, { signal }),
  });
}
