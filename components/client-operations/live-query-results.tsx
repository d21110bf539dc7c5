'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { THead } from '@/components/ui/table';
import type { ClientOperationRow } from '@/lib/notification/client-operation.schema';
import { plural } from '@/lib/plural';
import { useLiveQueryOverviewQuery, useLiveQueryRows } from './use-client-operations';

const ROW_HEIGHT = 26;

const show = (value: unknown) => (value === null || value === undefined ? '' : typeof value === 'number' ? value.toLocaleString() : String(value));

/** The summary across devices of a query that summarizes: every device's groups merged. */
function Summary({ columns, rows }: { columns: string[]; rows: Record<string, unknown>[] }) {
  return (
    <div className="max-h-64 overflow-auto border-b border-slate-200">
      <table className="w-full text-[13px]" aria-label="Summary across devices">
        <THead className="sticky top-0">
          <tr>
            {columns.map((c) => (
              <th key={c} className="px-2 py-1 text-left font-semibold">
                {c}
              </th>
            ))}
          </tr>
        </THead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} data-testid="summary-row" className="border-t border-slate-100">
              {columns.map((c) => (
                <td key={c} className="px-2 py-0.5 tabular-nums">
                  {show(r[c])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A live query's answers as they arrive: how many devices answered of how many (offline and failed
 * named), the summary across devices when the query summarizes, and every device's rows in a
 * virtualized table that grows as rows stream in (they are fetched a page at a time after the last
 * one held, and only the rows in view are drawn).
 */
export function LiveQueryResults({ operation }: { operation: ClientOperationRow }) {
  const { counts, total } = operation;
  const answered = counts.succeeded + counts.failed;
  const overview = useLiveQueryOverviewQuery(operation.id);
  const { rows, error } = useLiveQueryRows(operation.id, answered);
  const columns = overview.data?.columns ?? [];
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 20 });
  const items = virtualizer.getVirtualItems();
  const paddingTop = items.length ? items[0].start : 0;
  const paddingBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  return (
    <section aria-label="Live query results" className="mt-4 rounded border border-slate-200">
      <header className="border-b border-slate-200 bg-slate-50 px-3 py-2 text-sm">
        <h2 className="font-medium text-slate-900">Live query on {operation.targetName}</h2>
        <pre className="mt-1 whitespace-pre-wrap break-all font-mono text-xs text-slate-700">{operation.liveQuery}</pre>
        <p data-testid="live-query-progress" aria-live="polite" className="mt-1 text-slate-700">
          Answered {answered.toLocaleString()} of {total.toLocaleString()} (offline {counts.waiting.toLocaleString()}, failed{' '}
          {counts.failed.toLocaleString()}
          {counts.expired ? `, expired ${counts.expired.toLocaleString()}` : ''})
          <span className="ml-2 text-xs text-slate-500">
            {/* The count and the rows are read apart; the rows shown are stored, so never fewer stored than shown. */}
            {plural(rows.length, 'row')} shown of {plural(Math.max(overview.data?.rowsStored ?? 0, rows.length), 'row')} stored
            {overview.data?.devicesTruncated ? ` · ${plural(overview.data.devicesTruncated, 'device')} had more rows than they send` : ''}
          </span>
        </p>
      </header>
      {error && (
        <p role="alert" className="px-3 py-1 text-sm text-red-700">
          {error.message}
        </p>
      )}
      {overview.data?.summary && <Summary columns={columns} rows={overview.data.summary} />}
      <div ref={scroller} tabIndex={0} aria-label="Rows by device" className="h-[50vh] min-h-48 overflow-auto bg-white focus:outline-none">
        <table className="w-full text-[13px]" aria-rowcount={rows.length + 1}>
          <caption className="sr-only">Rows by device, in the order they arrived</caption>
          <THead className="sticky top-0 z-10 shadow-[0_1px_0_#e2e8f0]">
            <tr>
              <th className="px-2 py-1 text-left font-semibold">Device</th>
              {columns.map((c) => (
                <th key={c} className="px-2 py-1 text-left font-semibold">
                  {c}
                </th>
              ))}
            </tr>
          </THead>
          <tbody>
            {paddingTop > 0 && <tr aria-hidden style={{ height: paddingTop }} />}
            {items.map((item) => {
              const r = rows[item.index];
              return (
                <tr
                  key={r.seq}
                  data-testid="live-query-row"
                  aria-rowindex={item.index + 2}
                  className="border-t border-slate-100"
                  style={{ height: ROW_HEIGHT }}
                >
                  <td className="whitespace-nowrap px-2 font-medium text-slate-900">{r.deviceName}</td>
                  {columns.map((c) => (
                    <td key={c} className="max-w-80 truncate px-2" title={show(r.row[c])}>
                      {show(r.row[c])}
                    </td>
                  ))}
                </tr>
              );
            })}
            {paddingBottom > 0 && <tr aria-hidden style={{ height: paddingBottom }} />}
            {rows.length === 0 && (
              <tr>
                <td colSpan={columns.length + 1} className="px-3 py-4 text-center text-slate-500">
                  {answered ? 'No rows.' : 'Waiting for answers…'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
