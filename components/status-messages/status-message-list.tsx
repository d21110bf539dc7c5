'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import clsx from 'clsx';
import { AlertOctagon, AlertTriangle, Info } from 'lucide-react';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { THead } from '@/components/ui/table';
import type { StatusMessageView } from '@/lib/status-viewer/status-message-filters.schema';

const ROW_HEIGHT = 26;

export const severityLabels: Record<string, string> = { INFORMATIONAL: 'Informational', WARNING: 'Warning', ERROR: 'Error' };
export const typeLabels: Record<string, string> = { MILESTONE: 'Milestone', DETAIL: 'Detail', AUDIT: 'Audit' };
export const sourceLabels: Record<string, string> = { CLIENT: 'Client', SERVER: 'Server', PROVIDER: 'Provider' };

export function SeverityLabel({ severity }: { severity: string }) {
  const Icon = severity === 'ERROR' ? AlertOctagon : severity === 'WARNING' ? AlertTriangle : Info;
  return (
    <span className="inline-flex items-center gap-1">
      <Icon
        size={14}
        aria-hidden
        className={clsx(severity === 'ERROR' ? 'text-red-600' : severity === 'WARNING' ? 'text-amber-500' : 'text-blue-600')}
      />
      {severityLabels[severity] ?? severity}
    </span>
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local time as 2026-11-23 09:11:05: sorts as it reads, and fits its column (whose header names the zone). */
export const formatTime = (iso: string) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};

/** This browser's zone at `iso` as a short name (UTC, EST, GMT+1): every time shown outside the list carries it. */
export const zoneName = (iso?: string) =>
  new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(iso ? new Date(iso) : new Date()).find((p) => p.type === 'timeZoneName')
    ?.value ?? '';

const noSubscription = () => () => undefined;
/** The zone for a header: blank in the server's render (its zone is not the reader's), then the browser's. */
function useZoneName() {
  return useSyncExternalStore(noSubscription, zoneName, () => '');
}

/** Local time with its zone, as 2026-11-23 09:11:05 UTC, like the status views' times with the site's zone. */
export const formatTimeWithZone = (iso: string) => `${formatTime(iso)} ${zoneName(iso)}`;

const columns = [
  { id: 'severity', label: 'Severity', width: 'w-28' },
  { id: 'type', label: 'Type', width: 'w-20' },
  { id: 'site', label: 'Site', width: 'w-12' },
  { id: 'time', label: 'Date / Time', width: 'w-40' },
  { id: 'system', label: 'System', width: 'w-32' },
  { id: 'component', label: 'Component', width: 'w-48' },
  { id: 'messageId', label: 'Message ID', width: 'w-24' },
  { id: 'description', label: 'Description', width: '' },
];

/**
 * The viewer's rows, virtualized: only the rows in view (and a few either side) are in the
 * page, so a list that has loaded tens of thousands of messages scrolls as lightly as one
 * page. Scrolling near the end asks for the next page. Arrow keys move the selection.
 */
export function StatusMessageList({
  rows,
  selectedId,
  onSelect,
  hasMore,
  loadingMore,
  onLoadMore,
  dimmed,
  scroller,
  onAtTopChange,
}: {
  rows: StatusMessageView[];
  selectedId: string | null;
  onSelect: (message: StatusMessageView) => void;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  dimmed: boolean;
  /** The scrolling element, for the parent to scroll back to the top. */
  scroller: React.RefObject<HTMLDivElement | null>;
  /** Whether the newest rows are in view: the parent holds live messages back while they are not. */
  onAtTopChange: (atTop: boolean) => void;
}) {
  const atTop = useRef(true);
  const zone = useZoneName();
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
    getItemKey: (index) => rows[index].id,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : -1;
  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= rows.length - 30) onLoadMore();
  }, [hasMore, loadingMore, lastIndex, rows.length, onLoadMore]);

  const paddingTop = items.length ? items[0].start : 0;
  const paddingBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  const selectedIndex = selectedId ? rows.findIndex((r) => r.id === selectedId) : -1;

  return (
    <div
      ref={scroller}
      tabIndex={0}
      aria-label="Status messages"
      data-testid="status-message-scroller"
      className="min-h-0 flex-1 overflow-auto rounded border border-slate-200 bg-white focus:outline-none focus:ring-1 focus:ring-blue-600"
      onScroll={(e) => {
        const now = e.currentTarget.scrollTop < ROW_HEIGHT;
        if (now !== atTop.current) {
          atTop.current = now;
          onAtTopChange(now);
        }
      }}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
        e.preventDefault();
        const next = Math.min(rows.length - 1, Math.max(0, selectedIndex + (e.key === 'ArrowDown' ? 1 : -1)));
        if (rows[next]) {
          onSelect(rows[next]);
          virtualizer.scrollToIndex(next, { align: 'auto' });
        }
      }}
    >
      <table className="w-full table-fixed text-[13px]" aria-rowcount={rows.length + 1}>
        <caption className="sr-only">Status messages, newest first</caption>
        <THead className="sticky top-0 z-10 shadow-[0_1px_0_#e2e8f0]">
          <tr>
            {columns.map((c) => (
              <th key={c.id} className={clsx('whitespace-nowrap px-2 py-1 font-semibold', c.width)}>
                {c.id === 'time' && zone ? `${c.label} (${zone})` : c.label}
              </th>
            ))}
          </tr>
        </THead>
        <tbody className={clsx(dimmed && 'opacity-60')}>
          {paddingTop > 0 && <tr aria-hidden style={{ height: paddingTop }} />}
          {items.map((item) => {
            const m = rows[item.index];
            const selected = m.id === selectedId;
            return (
              <tr
                key={item.key}
                data-testid="status-message-row"
                aria-rowindex={item.index + 2}
                aria-selected={selected}
                onClick={() => onSelect(m)}
                style={{ height: ROW_HEIGHT }}
                className={clsx('cursor-default border-b border-slate-100', selected ? 'bg-blue-100' : 'hover:bg-slate-50')}
              >
                <td className="truncate px-2">
                  <SeverityLabel severity={m.severity} />
                </td>
                <td className="truncate px-2">{typeLabels[m.type] ?? m.type}</td>
                <td className="truncate px-2">{m.siteCode}</td>
                <td className="truncate px-2 tabular-nums" title={m.receivedAt}>
                  {formatTime(m.receivedAt)}
                </td>
                <td className="truncate px-2" title={m.systemName}>
                  {m.systemName}
                </td>
                <td className="truncate px-2" title={m.component}>
                  {m.component}
                </td>
                <td className="truncate px-2 tabular-nums">{m.messageId}</td>
                <td className="truncate px-2" title={m.description}>
                  {m.description}
                </td>
              </tr>
            );
          })}
          {paddingBottom > 0 && <tr aria-hidden style={{ height: paddingBottom }} />}
          {!rows.length && !dimmed && (
            <tr>
              <td colSpan={columns.length} className="px-3 py-6 text-center text-slate-500">
                No status messages match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {loadingMore && (
        <p role="status" className="px-3 py-1 text-xs text-slate-500">
          Loading more…
        </p>
      )}
    </div>
  );
}
