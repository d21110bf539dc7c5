'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import clsx from 'clsx';
import { Radio } from 'lucide-react';
import Link from 'next/link';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { ListDetailsSplit } from '@/components/ui/list-details-split';
import { RelativeTime } from '@/components/ui/relative-time';
import { useDebouncedValue } from '@/components/ui/use-debounced-value';
import { api, ApiError } from '@/lib/client/api';
import { plural } from '@/lib/plural';
import type { ComponentStatus, ComponentStatusView } from '@/lib/summarizers/read-component-status';
import type { Health } from '@/lib/summarizers/summarizer.schema';
import { HealthIcon } from './health-icon';
import { IntervalPicker, useIntervalParams } from './interval-picker';
import { RateChart } from './rate-chart';
import { useComponentStatusQuery, useLiveSummaries, useMessageRatesQuery } from './use-summaries';

const ROW_HEIGHT = 30;
// Component names run to 33 capitals (SMS_SITE_SYSTEM_STATUS_SUMMARIZER): their column takes the
// width it needs first, site systems what is left, so neither is cut at 1280 px.
const columns =
  'grid grid-cols-[2.5rem_minmax(6rem,1fr)_minmax(0,19.5rem)_3.75rem_4.5rem_3.25rem_4.25rem_5.5rem_5.5rem_3.75rem] items-center gap-x-1.5';

/** The Status Message Viewer filtered on a component and the interval (its parameters: site, system, component, from, severity). */
export function viewerLink(
  view: Pick<ComponentStatusView, 'site' | 'interval'>,
  c: Pick<ComponentStatus, 'systemName' | 'component' | 'since'>,
  severity?: string,
) {
  const s = new URLSearchParams({ site: view.site.code, system: c.systemName, component: c.component });
  const from = view.interval.kind === 'SINCE_RESET' ? c.since : view.interval.start;
  if (from) s.set('from', from);
  if (severity) s.set('severity', severity);
  return `/monitoring/status-messages?${s}`;
}

/**
 * Component Status: every component of a site with its status against the thresholds, state,
 * availability, counts in the display interval and last message — live. Selecting one shows
 * its hourly rates and links into the Status Message Viewer.
 */
export function ComponentStatusView({ canReset }: { canReset: boolean }) {
  const params = useIntervalParams();
  const [filter, setFilter] = useState('');
  const [onlyProblems, setOnlyProblems] = useState(false);
  const search = useDebouncedValue(filter.trim(), 250);
  const query = useComponentStatusQuery(params, { search: search || undefined, problems: onlyProblems });
  const live = useLiveSummaries();
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const pages = query.data?.pages;
  const data = pages?.[0];
  const rows = useMemo(() => pages?.flatMap((p) => p.components) ?? [], [pages]);
  const total = pages?.at(-1)?.total ?? 0;
  const selected = rows.find((c) => c.id === selectedId) ?? null;

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
    getItemKey: (i) => rows[i]?.id ?? `pending-${i}`,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= rows.length - 30) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, lastIndex, rows.length, fetchNextPage]);
  const tally = (h: Health) => data?.tallies[h] ?? 0;

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <IntervalPicker current={data?.interval} timeZone={data?.site.timeZone} />
        <div className="flex items-end gap-3 text-xs text-slate-600">
          <label className="flex flex-col">
            Find
            <Input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Component or site system" />
          </label>
          <label className="flex items-center gap-1 pb-1.5">
            <input type="checkbox" checked={onlyProblems} onChange={(e) => setOnlyProblems(e.target.checked)} /> Warning and Critical only
          </label>
          <span
            className={clsx('inline-flex items-center gap-1 pb-1.5', live.connected ? 'text-emerald-700' : 'text-slate-400')}
            data-live={live.connected}
          >
            <Radio aria-hidden className="h-3.5 w-3.5" /> {live.connected ? 'Live' : 'Connecting…'}
          </span>
        </div>
      </div>

      {data && (
        <p className="text-xs text-slate-600" data-testid="component-summary-line">
          Site {data.site.code} ({data.site.name}), {data.interval.label.toLowerCase()}
          {data.interval.localStart ? ` (${data.interval.localStart.replace('T', ' ')} ${data.site.timeZone})` : ''}:{' '}
          {plural(tally('OK') + tally('WARNING') + tally('CRITICAL'), 'component')} —{' '}
          <span className="text-red-700">{tally('CRITICAL')} critical</span>, <span className="text-amber-700">{tally('WARNING')} warning</span>,{' '}
          {tally('OK')} OK.
        </p>
      )}
      {query.error && (
        <p role="alert" className="text-sm text-red-700">
          {query.error instanceof ApiError ? query.error.message : 'Could not load component status.'}
        </p>
      )}

      <ListDetailsSplit
        selectionKey={selected?.id ?? null}
        details={selected && data && <ComponentDetails view={data} component={selected} canReset={canReset} />}
        list={
          <div
            className="flex min-h-0 flex-1 flex-col rounded border border-slate-200 bg-white text-sm"
            role="table"
            aria-label="Component status"
            aria-rowcount={total}
          >
            <div className={clsx(columns, 'border-b border-slate-200 bg-slate-50 px-2 py-1.5 text-xs font-semibold text-slate-600')} role="row">
              <span role="columnheader">Status</span>
              <span role="columnheader">Site system</span>
              <span role="columnheader">Component</span>
              <span role="columnheader">State</span>
              <span role="columnheader">Availability</span>
              <span role="columnheader" className="text-right">
                Errors
              </span>
              <span role="columnheader" className="text-right">
                Warnings
              </span>
              <span role="columnheader" className="text-right">
                Informational
              </span>
              <span role="columnheader">Last message</span>
              <span role="columnheader" className="sr-only">
                Actions
              </span>
            </div>
            <div ref={scroller} className="min-h-0 flex-1 overflow-auto">
              {!total && !query.isLoading && (
                <p className="p-4 text-slate-500">No components{filter || onlyProblems ? ' match' : ' have reported yet'}.</p>
              )}
              <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
                {items.map((item) => {
                  const c = rows[item.index];
                  if (!c) {
                    return (
                      <div
                        key={item.key}
                        className="absolute inset-x-0 px-2 text-xs leading-[30px] text-slate-400"
                        style={{ top: item.start, height: ROW_HEIGHT }}
                      >
                        Loading…
                      </div>
                    );
                  }
                  return (
                    <div
                      key={item.key}
                      role="row"
                      data-component={c.component}
                      data-system={c.systemName}
                      aria-selected={c.id === selectedId}
                      tabIndex={0}
                      onClick={() => setSelectedId(c.id)}
                      onKeyDown={(e) => {
                        if (e.target !== e.currentTarget || (e.key !== 'Enter' && e.key !== ' ')) return;
                        e.preventDefault();
                        setSelectedId(c.id);
                      }}
                      className={clsx(
                        columns,
                        'absolute inset-x-0 cursor-pointer border-b border-slate-100 px-2',
                        c.id === selectedId ? 'bg-blue-50' : 'hover:bg-slate-50',
                      )}
                      style={{ top: item.start, height: ROW_HEIGHT }}
                    >
                      <span role="cell" className="flex items-center" title={c.reasons?.join('; ')}>
                        <HealthIcon health={c.health} />
                      </span>
                      <span role="cell" className="truncate" title={c.systemName}>
                        {c.systemName}
                      </span>
                      <span role="cell" className="truncate font-medium" title={c.component}>
                        {c.component}
                      </span>
                      <span role="cell" className="text-xs">
                        {c.state.toLowerCase()}
                      </span>
                      <span role="cell" className={clsx('text-xs', c.availability === 'OFFLINE' && 'text-red-700')}>
                        {c.availability.toLowerCase()}
                      </span>
                      <Count value={c.counts.error} href={viewerLink(data!, c, 'ERROR')} tone="text-red-700" label="errors" />
                      <Count value={c.counts.warning} href={viewerLink(data!, c, 'WARNING')} tone="text-amber-700" label="warnings" />
                      <Count value={c.counts.informational} href={viewerLink(data!, c, 'INFORMATIONAL')} label="informational" />
                      <span role="cell" className="text-xs text-slate-600">
                        <RelativeTime iso={c.lastMessageAt ?? null} />
                      </span>
                      <span role="cell" className="text-right text-xs">
                        <Link href={viewerLink(data!, c)} className="text-blue-700 hover:underline" onClick={(e) => e.stopPropagation()}>
                          Messages
                        </Link>
                      </span>
                    </div>
                  );
                })}
              </div>
            </div>
          </div>
        }
      />
    </div>
  );
}

function Count({ value, href, tone, label }: { value: number; href: string; tone?: string; label: string }) {
  return (
    <span role="cell" className="text-right tabular-nums">
      {value ? (
        <Link href={href} className={clsx('hover:underline', tone)} data-count={label} onClick={(e) => e.stopPropagation()}>
          {value.toLocaleString()}
        </Link>
      ) : (
        <span className="text-slate-400" data-count={label}>
          0
        </span>
      )}
    </span>
  );
}

function ComponentDetails({ view, component: c, canReset }: { view: ComponentStatusView; component: ComponentStatus; canReset: boolean }) {
  const site = view.site.code;
  const rates = useMessageRatesQuery(site, c.id);
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const reset = useMutation({
    mutationFn: () => api('/api/component-status/reset', { method: 'POST', body: { site, systemName: c.systemName, component: c.component } }),
    onSuccess: () => {
      setConfirming(false);
      void queryClient.invalidateQueries({ queryKey: ['componentStatus'] });
    },
  });
  return (
    <section
      aria-label={`Details of ${c.component}`}
      className="grid grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)] gap-3 rounded border border-slate-200 bg-slate-50 p-3 text-sm"
    >
      <div className="space-y-1">
        <h2 className="flex flex-wrap items-center gap-x-2 font-semibold text-slate-900">
          <HealthIcon health={c.health} withLabel /> <span className="break-all">{c.component}</span>
        </h2>
        <p className="text-xs text-slate-600">on {c.systemName}</p>
        {c.reasons && <p className="text-xs text-slate-700">Why: {c.reasons.join('; ')}</p>}
        <p className="text-xs text-slate-600">
          Last heartbeat: <RelativeTime iso={c.lastHeartbeatAt ?? null} />
        </p>
        <p className="text-xs text-slate-600">
          Counts last reset:{' '}
          {c.resetAt ? (
            <>
              <RelativeTime iso={c.resetAt} /> by {c.resetBy}
            </>
          ) : (
            'never'
          )}
        </p>
        <p className="flex flex-wrap gap-2 pt-1 text-xs">
          <Link className="text-blue-700 hover:underline" href={viewerLink(view, c, 'ERROR')}>
            Errors
          </Link>
          <Link className="text-blue-700 hover:underline" href={viewerLink(view, c, 'WARNING')}>
            Warnings
          </Link>
          <Link className="text-blue-700 hover:underline" href={viewerLink(view, c)}>
            All messages in the interval
          </Link>
        </p>
        {canReset && (
          <div className="pt-2">
            {confirming ? (
              <span className="flex items-center gap-2 text-xs">
                Reset the counts of {c.component}?
                <Button size="xs" disabled={reset.isPending} onClick={() => reset.mutate()}>
                  Reset counts
                </Button>
                <Button size="xs" onClick={() => setConfirming(false)}>
                  Cancel
                </Button>
              </span>
            ) : (
              <Button size="xs" onClick={() => setConfirming(true)}>
                Reset counts…
              </Button>
            )}
            {reset.error && (
              <p role="alert" className="text-xs text-red-700">
                {reset.error instanceof ApiError ? reset.error.message : 'Reset failed.'}
              </p>
            )}
          </div>
        )}
      </div>
      {rates.data && <RateChart title="Messages per hour, last day" points={rates.data.lastDay} bucket="hour" />}
    </section>
  );
}
