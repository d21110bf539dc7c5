'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import clsx from 'clsx';
import { ArrowDown, ArrowUp } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Input } from '@/components/ui/input';
import { THead } from '@/components/ui/table';
import { useDebouncedValue } from '@/components/ui/use-debounced-value';
import type { InstalledSoftware, SoftwareSortColumn } from '@/lib/resource-explorer/resource-explorer.schema';
import { useDeviceSoftwareQuery, type SoftwareFilters } from './use-resource-explorer';

const ROW_HEIGHT = 28;
const noRows: InstalledSoftware[] = [];

const columns: { id: keyof InstalledSoftware; label: string; sort?: SoftwareSortColumn; width: string }[] = [
  { id: 'name', label: 'Name', sort: 'name', width: 'w-[40%]' },
  { id: 'version', label: 'Version', sort: 'version', width: 'w-[25%]' },
  { id: 'arch', label: 'Architecture', width: 'w-[12%]' },
  { id: 'source', label: 'Source', width: 'w-[8%]' },
  { id: 'installedOn', label: 'Installed', sort: 'installedOn', width: 'w-[15%]' },
];

/**
 * The device's installed software: searched and sorted by the server, loaded a page at a time as
 * the list scrolls, and only the rows in view rendered (a device has about 1,500 packages).
 */
export function SoftwareTab({ deviceId }: { deviceId: number }) {
  const [search, setSearch] = useState('');
  const [order, setOrder] = useState<Pick<SoftwareFilters, 'sort' | 'dir'>>({ sort: 'name', dir: 'asc' });
  const debounced = useDebouncedValue(search.trim());
  const filters = useMemo(() => ({ search: debounced, ...order }), [debounced, order]);
  const query = useDeviceSoftwareQuery(deviceId, filters);
  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.rows) ?? noRows, [query.data]);
  const total = query.data?.pages[0]?.total ?? 0;

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= rows.length - 40) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, lastIndex, rows.length, fetchNextPage]);
  // A new search or order starts at the top.
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [filters]);

  const paddingTop = items.length ? items[0].start : 0;
  const paddingBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  const stale = query.isPlaceholderData || debounced !== search.trim();

  return (
    <div className="space-y-2">
      <div className="flex items-center gap-3 text-sm">
        <Input
          type="search"
          aria-label="Search software"
          placeholder="Search package names"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          controlSize="md"
          className="w-72"
        />
        <span data-testid="software-count" className="text-slate-600" aria-live="polite">
          {!query.data
            ? 'Loading…'
            : filters.search
              ? `${total.toLocaleString()} ${total === 1 ? 'package matches' : 'packages match'} “${filters.search}”`
              : `${total.toLocaleString()} ${total === 1 ? 'package' : 'packages'}`}
        </span>
        {query.isFetching && (
          <span role="status" className="text-xs text-slate-500">
            Loading…
          </span>
        )}
      </div>
      {query.error && (
        <p role="alert" className="text-sm text-red-700">
          {query.error.message}
        </p>
      )}
      <div
        ref={scroller}
        tabIndex={0}
        aria-label="Installed software"
        data-testid="software-scroller"
        className="h-[60vh] min-h-64 overflow-auto rounded border border-slate-200 bg-white focus:outline-none focus:ring-1 focus:ring-blue-600"
      >
        <table className="w-full table-fixed text-[13px]" aria-rowcount={rows.length + 1}>
          <caption className="sr-only">Installed software</caption>
          <THead className="sticky top-0 z-10 shadow-[0_1px_0_#e2e8f0]">
            <tr>
              {columns.map((c) => {
                const sorted = c.sort && order.sort === c.sort ? order.dir : null;
                return (
                  <th
                    key={c.id}
                    className={clsx('whitespace-nowrap px-2 py-1 font-semibold', c.width)}
                    aria-sort={sorted ? (sorted === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    {c.sort ? (
                      <button
                        type="button"
                        className="inline-flex items-center gap-1 uppercase hover:text-slate-800"
                        onClick={() =>
                          setOrder((o) =>
                            o.sort === c.sort
                              ? { sort: o.sort, dir: o.dir === 'asc' ? 'desc' : 'asc' }
                              : // The newest installs first is what one looks for by date.
                                { sort: c.sort!, dir: c.sort === 'installedOn' ? 'desc' : 'asc' },
                          )
                        }
                      >
                        {c.label}
                        {sorted === 'asc' && <ArrowUp size={12} aria-hidden />}
                        {sorted === 'desc' && <ArrowDown size={12} aria-hidden />}
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                );
              })}
            </tr>
          </THead>
          <tbody className={clsx(stale && 'opacity-60')}>
            {paddingTop > 0 && <tr aria-hidden style={{ height: paddingTop }} />}
            {items.map((item) => {
              const r = rows[item.index];
              return (
                <tr
                  key={item.key}
                  data-testid="software-row"
                  aria-rowindex={item.index + 2}
                  style={{ height: ROW_HEIGHT }}
                  className="border-b border-slate-100 hover:bg-slate-50"
                >
                  <td className="truncate px-2 font-medium text-slate-900" title={r.name}>
                    {r.name}
                  </td>
                  <td className="truncate px-2 tabular-nums" title={r.version}>
                    {r.version}
                  </td>
                  <td className="truncate px-2">{r.arch}</td>
                  <td className="truncate px-2">{r.source}</td>
                  <td className="truncate px-2 tabular-nums">{r.installedOn ?? <span className="text-slate-400">Unknown</span>}</td>
                </tr>
              );
            })}
            {paddingBottom > 0 && <tr aria-hidden style={{ height: paddingBottom }} />}
            {query.data && !rows.length && (
              <tr>
                <td colSpan={columns.length} className="px-3 py-6 text-center text-slate-500">
                  {filters.search ? 'No package name contains that text.' : 'No software inventory yet — the agent sends one at first start.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {isFetchingNextPage && (
          <p role="status" className="px-3 py-1 text-xs text-slate-500">
            Loading more…
          </p>
        )}
      </div>
    </div>
  );
}
