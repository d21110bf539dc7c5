'use client';

import { ChevronDown, ChevronRight } from 'lucide-react';
import { Button } from '@/components/ui/button';
import type { StatusMessageQueryView } from '@/lib/status-viewer/status-query.schema';
import { formatTimeWithZone, severityLabels, sourceLabels, typeLabels } from './status-message-list';
import { isTimeRange, timeRanges } from './status-message-search';

const labelled = (labels: Record<string, string>, value: string) =>
  value
    .split(',')
    .filter(Boolean)
    .map((v) => labels[v] ?? v)
    .join(', ');

const time = (iso: string) => (Number.isNaN(new Date(iso).getTime()) ? iso : formatTimeWithZone(iso));

/**
 * The filters and query a viewer URL asks for, each as a short chip ("Last 24 hours",
 * "Severity: Error"): the query and its answered prompts first, then the own filters.
 */
export function filterChips(url: URLSearchParams, queries: StatusMessageQueryView[] = []): string[] {
  const chips: string[] = [];
  const queryId = url.get('query');
  if (queryId) {
    const query = queries.find((q) => q.id === queryId);
    chips.push(`Query: ${query?.name ?? queryId}`);
    for (const p of query?.prompts ?? []) {
      const answer = url.get(`prompt.${p.field}`);
      if (answer) chips.push(`${p.label}: ${p.field === 'from' || p.field === 'to' ? time(answer) : answer}`);
    }
  }
  const range = url.get('range');
  if (isTimeRange(range)) chips.push(timeRanges[range].label);
  const from = url.get('from');
  const to = url.get('to');
  if (from) chips.push(`From ${time(from)}`);
  if (to) chips.push(`Before ${time(to)}`);
  const plain: [string, string, Record<string, string>?][] = [
    ['severity', 'Severity', severityLabels],
    ['type', 'Type', typeLabels],
    ['source', 'Source', sourceLabels],
    ['site', 'Site'],
    ['system', 'System'],
    ['component', 'Component'],
    ['messageId', 'Message ID'],
  ];
  for (const [key, label, labels] of plain) {
    const value = url.get(key);
    if (value) chips.push(`${label}: ${labels ? labelled(labels, value) : value}`);
  }
  const propertyName = url.get('propertyName');
  const propertyValue = url.get('propertyValue');
  if (propertyName || propertyValue) chips.push(`Property: ${propertyName ?? 'any'} = ${propertyValue ?? 'any'}`);
  return chips;
}

/**
 * One line standing for the filter panel while it is folded away: the filters in force as chips
 * and the disclosure button that shows the full query and filter forms (`panelId`).
 */
export function StatusMessageFilterSummary({
  chips,
  expanded,
  panelId,
  onToggle,
}: {
  chips: string[];
  expanded: boolean;
  panelId: string;
  onToggle: () => void;
}) {
  const Chevron = expanded ? ChevronDown : ChevronRight;
  return (
    <div className="flex min-w-0 flex-auto items-center gap-2 text-sm" data-testid="status-message-filter-summary">
      <Button
        aria-expanded={expanded}
        aria-controls={panelId}
        onClick={onToggle}
        size="xs"
        className="inline-flex shrink-0 items-center gap-1 focus:outline-none focus:ring-1 focus:ring-blue-600"
      >
        <Chevron size={14} aria-hidden />
        Edit filters
      </Button>
      <ul aria-label="Filters in force" className="flex min-w-0 items-center gap-1.5 overflow-hidden">
        {chips.length ? (
          chips.map((chip) => (
            <li
              key={chip}
              data-testid="status-message-filter-chip"
              title={chip}
              className="max-w-[28rem] shrink-0 truncate rounded-full last:min-w-[4rem] last:shrink border border-slate-200 bg-slate-100 px-2 py-0.5 text-xs text-slate-700"
            >
              {chip}
            </li>
          ))
        ) : (
          <li className="text-xs text-slate-500">All messages, any time</li>
        )}
      </ul>
    </div>
  );
}
