import { matchesStatusMessageFilters } from '@/lib/status-viewer/match-status-message';
import { narrowStatusMessageFilters } from '@/lib/status-viewer/narrow-filters';
import {
  filterCombinationIssues,
  statusMessageFilterFields,
  statusMessageFilterFieldsSchema,
  statusMessageFiltersSchema,
  type StatusMessageFilterField,
  type StatusMessageFilters,
  type StatusMessageRange,
  type StatusMessageView,
} from '@/lib/status-viewer/status-message-filters.schema';
import type { StatusMessageQueryView } from '@/lib/status-viewer/status-query.schema';

/** Time ranges the viewer offers besides a custom one (the API measures them back from each read). */
export const timeRanges: Record<StatusMessageRange, { label: string }> = {
  '1h': { label: 'Last hour' },
  '24h': { label: 'Last 24 hours' },
  '7d': { label: 'Last 7 days' },
  '30d': { label: 'Last 30 days' },
};
export type TimeRange = StatusMessageRange;

export const isTimeRange = (v: string | null): v is TimeRange => v !== null && v in timeRanges;

const apiKeys = new Set<string>([...statusMessageFilterFields, 'query']);

/** The list API's query string for the viewer's URL: its filters, query and prompts. */
export function apiSearchFor(url: URLSearchParams): string {
  const api = new URLSearchParams();
  for (const [key, value] of url) {
    if ((apiKeys.has(key) || key.startsWith('prompt.')) && value !== '') api.append(key, value);
  }
  return api.toString();
}

/**
 * The filters a list stands for, as the server resolves them (a query's criteria with its
 * prompts answered, narrowed by the own filters), so live messages can be matched in the
 * browser. Null when they cannot be worked out yet (queries not loaded).
 */
export function effectiveFilters(apiSearch: string, queries: StatusMessageQueryView[] | undefined): StatusMessageFilters | null {
  const params = new URLSearchParams(apiSearch);
  const own: Record<string, string> = {};
  for (const field of statusMessageFilterFields) {
    const values = params.getAll(field);
    if (values.length) own[field] = values.join(',');
  }
  const ownParsed = statusMessageFiltersSchema.safeParse(own);
  const queryId = params.get('query');
  if (!queryId) return ownParsed.success ? ownParsed.data : null;
  const query = queries?.find((q) => q.id === queryId);
  if (!query) return null;
  const criteria: Record<string, string> = {};
  for (const [field, value] of Object.entries(query.criteria)) {
    const answer = typeof value === 'string' ? value : params.get(`prompt.${field}`);
    if (answer) criteria[field] = answer;
  }
  const queryParsed = statusMessageFilterFieldsSchema.safeParse(criteria);
  const ownFields = statusMessageFilterFieldsSchema.safeParse(own);
  if (!queryParsed.success || !ownFields.success) return null;
  const narrowed = narrowStatusMessageFilters({ query: queryParsed.data, own: ownFields.data });
  return narrowed.conflicts.length || filterCombinationIssues(narrowed.filters).length ? null : narrowed.filters;
}

/** Newest first, as the list API orders: received time, then id. */
export function compareNewestFirst(a: StatusMessageView, b: StatusMessageView): number {
  if (a.receivedAt !== b.receivedAt) return a.receivedAt < b.receivedAt ? 1 : -1;
  if (a.id.length !== b.id.length) return b.id.length - a.id.length;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** The loaded pages with the live messages that pass the filters merged in, each message once. */
export function mergeLive(pages: readonly StatusMessageView[], live: readonly StatusMessageView[]): StatusMessageView[] {
  if (!live.length) return pages as StatusMessageView[];
  const seen = new Set<string>();
  const rows: StatusMessageView[] = [];
  for (const m of [...live, ...pages]) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    rows.push(m);
  }
  return rows.sort(compareNewestFirst);
}

export { matchesStatusMessageFilters };
export type { StatusMessageFilterField };
