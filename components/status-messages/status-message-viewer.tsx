'use client';

import { useQueryClient } from '@tanstack/react-query';
import { Download, Radio } from 'lucide-react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { Button, buttonClass } from '@/components/ui/button';
import { ListDetailsSplit } from '@/components/ui/list-details-split';
import { ApiError } from '@/lib/client/api';
import { plural } from '@/lib/plural';
import type { StatusMessageView } from '@/lib/status-viewer/status-message-filters.schema';
import type { StatusTailBatch } from '@/lib/status-viewer/status-tail.schema';
import { StatusMessageDetails } from './status-message-details';
import { StatusMessageFilterForm } from './status-message-filter-form';
import { filterChips, StatusMessageFilterSummary } from './status-message-filter-summary';
import { StatusMessageList } from './status-message-list';
import { StatusMessageQueryPicker } from './status-message-query-picker';
import { apiSearchFor, effectiveFilters, matchesStatusMessageFilters, mergeLive } from './status-message-search';
import { useStatusMessageQueries, useStatusMessagesQuery, useStatusMessageTail } from './use-status-messages';

/** Live messages kept on top of the loaded pages; beyond this the oldest live ones drop off (they are in the pages on reload). */
const MAX_LIVE = 5000;

/**
 * The Status Message Viewer: filters and queries (kept in the URL), a virtualized newest-first
 * list read page by page with a keyset cursor, the selected message's details, CSV export of the
 * same filter, and a live tail that merges newly stored messages that pass the filters.
 */
export function StatusMessageViewer({ canEditQueries }: { canEditQueries: boolean }) {
  const url = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const queryClient = useQueryClient();
  const urlText = url.toString();
  const apiSearch = useMemo(() => apiSearchFor(new URLSearchParams(urlText)), [urlText]);
  const list = useStatusMessagesQuery(apiSearch);
  const queries = useStatusMessageQueries();
  const [selected, setSelected] = useState<StatusMessageView | null>(null);
  const [live, setLive] = useState<StatusMessageView[]>([]);
  const [missed, setMissed] = useState(0);
  const [following, setFollowing] = useState(true);
  // While the reader has scrolled down, new messages wait here instead of moving the rows they read.
  const held = useRef<StatusMessageView[]>([]);
  const [heldCount, setHeldCount] = useState(0);
  const atTop = useRef(true);
  const scroller = useRef<HTMLDivElement>(null);
  // The forms fold into a one-line summary once a list has been asked for, leaving the height to the
  // list; they stay mounted while folded so nothing typed is lost.
  const [filtersOpen, setFiltersOpen] = useState(() => apiSearch === '');
  const filterPanelId = useId();

  const filters = useMemo(() => effectiveFilters(apiSearch, queries.data?.queries), [apiSearch, queries.data]);
  useEffect(() => {
    setLive([]);
    held.current = [];
    setHeldCount(0);
    setMissed(0);
    // A new list starts at its newest message.
    scroller.current?.scrollTo({ top: 0 });
  }, [apiSearch]);
  const showHeld = useCallback(() => {
    const waiting = held.current;
    held.current = [];
    setHeldCount(0);
    if (waiting.length) setLive((current) => [...waiting, ...current].slice(0, MAX_LIVE));
  }, []);
  const onAtTopChange = useCallback(
    (top: boolean) => {
      atTop.current = top;
      if (top) showHeld();
    },
    [showHeld],
  );

  const onBatch = useCallback(
    (batch: StatusTailBatch) => {
      if (!filters) return;
      const passing = batch.messages.filter((m) => matchesStatusMessageFilters(m, filters));
      if (passing.length) {
        if (atTop.current) setLive((current) => [...passing, ...current].slice(0, MAX_LIVE));
        else {
          held.current = [...passing, ...held.current].slice(0, MAX_LIVE);
          setHeldCount(held.current.length);
        }
      }
      if (batch.more) setMissed((n) => n + batch.more);
    },
    [filters],
  );
  const tail = useStatusMessageTail(following, onBatch);
  const liveState = following ? (tail.connected ? 'Showing new messages as they are stored' : 'Connecting…') : 'Live updates paused';

  const update = useCallback(
    (params: Record<string, string>, keys: string[]) => {
      const next = new URLSearchParams(urlText);
      for (const key of keys) next.delete(key);
      for (const [key, value] of Object.entries(params)) next.set(key, value);
      router.replace(`${pathname}?${next}`, { scroll: false });
    },
    [urlText, router, pathname],
  );

  const pages = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const rows = useMemo(() => mergeLive(pages, live), [pages, live]);
  const error = list.error instanceof ApiError ? list.error : null;
  const refusedFields = error?.fields.length ?? 0;
  useEffect(() => {
    if (refusedFields) setFiltersOpen(true);
  }, [refusedFields]);
  const chips = useMemo(() => filterChips(new URLSearchParams(urlText), queries.data?.queries), [urlText, queries.data]);
  /** Applies filters or runs a query; asking for a list folds the forms away (clearing leaves them open). */
  const applyAndFold = useCallback(
    (params: Record<string, string>, keys: string[]) => {
      update(params, keys);
      if (Object.keys(params).length) setFiltersOpen(false);
    },
    [update],
  );
  const loadMore = useCallback(() => void list.fetchNextPage(), [list]);
  const reload = () => {
    setLive([]);
    held.current = [];
    setHeldCount(0);
    setMissed(0);
    void queryClient.resetQueries({ queryKey: ['statusMessages', apiSearch] });
  };

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-2">
      <div className="flex items-center gap-3 whitespace-nowrap text-sm">
        <StatusMessageFilterSummary chips={chips} expanded={filtersOpen} panelId={filterPanelId} onToggle={() => setFiltersOpen((open) => !open)} />
        <span data-testid="status-message-count" className="shrink-0 text-slate-600">
          {list.isPending || list.isPlaceholderData
            ? 'Loading…'
            : `${plural(rows.length, 'message')}${list.hasNextPage ? ' loaded (scroll for more)' : ''}`}
        </span>
        <label className="inline-flex shrink-0 items-center gap-1.5">
          <input type="checkbox" checked={following} onChange={(e) => setFollowing(e.target.checked)} />
          <Radio size={14} aria-hidden className={tail.connected ? 'text-green-600' : 'text-slate-400'} />
          Live
        </label>
        {/* The first to give way on a narrow line: the filter chips matter more. */}
        <span role="status" className="min-w-[1.5rem] shrink-[20] truncate text-xs text-slate-500" title={liveState}>
          {liveState}
        </span>
        {heldCount > 0 && (
          <button
            type="button"
            className="shrink-0 rounded bg-blue-50 px-2 py-0.5 text-xs font-medium text-blue-800 hover:bg-blue-100"
            onClick={() => {
              showHeld();
              scroller.current?.scrollTo({ top: 0 });
            }}
          >
            {plural(heldCount, 'new message')} — show
          </button>
        )}
        {missed > 0 && (
          <span role="status" className="text-xs text-amber-800">
            {missed.toLocaleString()} more new messages than shown.{' '}
            <button type="button" className="underline" onClick={reload}>
              Reload
            </button>
          </span>
        )}
        <span className="ml-auto flex shrink-0 items-center gap-2">
          <Button size="xs" onClick={reload}>
            Refresh
          </Button>
          <a
            href={`/api/status-messages/export.csv?${apiSearch}`}
            download
            className={buttonClass({ size: 'xs', className: 'inline-flex items-center gap-1' })}
          >
            <Download size={12} aria-hidden /> Export CSV
          </a>
        </span>
      </div>
      <div id={filterPanelId} hidden={!filtersOpen} className="space-y-3">
        {queries.data && (
          <StatusMessageQueryPicker
            url={url}
            queries={queries.data.queries}
            canEdit={canEditQueries}
            serverFields={error?.fields ?? []}
            onRun={applyAndFold}
          />
        )}
        <StatusMessageFilterForm url={url} serverFields={error?.fields ?? []} onApply={applyAndFold} />
      </div>
      {list.error && (
        <p role="alert" className="text-sm text-red-700">
          {list.error.message}
          {error?.fields.map((f) => (
            <span key={f.path} className="ml-2">
              {f.path}: {f.message}.
            </span>
          ))}
        </p>
      )}
      <ListDetailsSplit
        selectionKey={selected?.id ?? null}
        list={
          <StatusMessageList
            rows={rows}
            selectedId={selected?.id ?? null}
            onSelect={setSelected}
            hasMore={Boolean(list.hasNextPage)}
            loadingMore={list.isFetchingNextPage}
            onLoadMore={loadMore}
            dimmed={list.isPlaceholderData || list.isPending}
            scroller={scroller}
            onAtTopChange={onAtTopChange}
          />
        }
        details={<StatusMessageDetails message={selected} />}
      />
    </div>
  );
}
