'use client';

import clsx from 'clsx';
import { useMemo, useState } from 'react';
import { Button } from '@/components/ui/button';
import type { InventoryChanges } from '@/lib/inventory/inventory-changes.schema';
import type { InventoryReportView } from '@/lib/resource-explorer/resource-explorer.schema';
import { ChangesView } from './changes-view';
import { useInventoryReportsQuery, useReportComparisonQuery } from './use-resource-explorer';

const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const kindLabels = { FULL: 'Full', DELTA: 'Delta' } as const;

function formatDate(iso: string) {
  return dateTime.format(new Date(iso));
}

/** "Baseline", or "3 packages added, 1 upgraded · 2 hardware classes". */
function summary(changes: InventoryChanges | null): string {
  if (!changes) return 'Changes not readable';
  if (changes.baseline) return 'Baseline: first inventory';
  const { added, removed, upgraded } = changes.software;
  const parts = [
    added.length && `${added.length} added`,
    removed.length && `${removed.length} removed`,
    upgraded.length && `${upgraded.length} upgraded`,
  ].filter(Boolean);
  const hardware = changes.hardware.length ? `${changes.hardware.length} hardware ${changes.hardware.length === 1 ? 'class' : 'classes'}` : '';
  const software = parts.length ? `Packages: ${parts.join(', ')}` : '';
  return [software, hardware].filter(Boolean).join(' · ') || 'No changes';
}

function Comparison({ deviceId, pair }: { deviceId: number; pair: [string, string] }) {
  const query = useReportComparisonQuery(deviceId, pair);
  return (
    <section aria-label="Comparison" data-testid="comparison" className="space-y-3 rounded border border-blue-200 bg-blue-50/40 p-3">
      {query.error && (
        <p role="alert" className="text-sm text-red-700">
          {query.error.message}
        </p>
      )}
      {!query.data ? (
        !query.error && <p className="text-sm text-slate-500">Comparing…</p>
      ) : (
        <>
          <h3 className="text-sm font-semibold text-slate-800">
            From version {query.data.from.version} ({formatDate(query.data.from.collectedAt)}) to version {query.data.to.version} (
            {formatDate(query.data.to.collectedAt)})
          </h3>
          <p className="text-xs text-slate-500">
            {query.data.reportsBetween} {query.data.reportsBetween === 1 ? 'report' : 'reports'} combined.
            {query.data.changes.partial && ' A baseline or an unreadable report lies in between, so earlier changes may be missing.'}
          </p>
          <ChangesView changes={query.data.changes} />
        </>
      )}
    </section>
  );
}

function ReportRow({ report, picked, onPick }: { report: InventoryReportView; picked: boolean; onPick: (id: string) => void }) {
  const label = `Version ${report.version}, ${kindLabels[report.kind].toLowerCase()}, collected ${formatDate(report.collectedAt)}`;
  return (
    <li data-testid="inventory-report" className={clsx('px-3 py-2', picked && 'bg-blue-50')}>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <input type="checkbox" checked={picked} onChange={() => onPick(report.id)} aria-label={`Compare ${label}`} className="size-4" />
        <span className="w-24 font-medium tabular-nums">Version {report.version}</span>
        <span className={clsx('w-12 rounded px-1.5 text-center text-xs', report.kind === 'FULL' ? 'bg-slate-200' : 'bg-slate-100')}>
          {kindLabels[report.kind]}
        </span>
        <time dateTime={report.collectedAt} title={`Loaded ${formatDate(report.loadedAt)}`} className="w-44 tabular-nums">
          {formatDate(report.collectedAt)}
        </time>
        <span className="w-28 text-slate-600 tabular-nums">
          {report.softwareCount === null ? '' : `${report.softwareCount.toLocaleString()} packages`}
        </span>
        <span className="text-slate-600">{summary(report.changes)}</span>
      </div>
      {report.changes && !report.changes.baseline && (
        <details className="ml-7 mt-1">
          <summary className="cursor-pointer text-xs text-blue-700">What this report changed</summary>
          <div className="mt-2">
            <ChangesView changes={report.changes} />
          </div>
        </details>
      )}
    </li>
  );
}

/** The device's inventory reports, newest first; two of them picked are compared. */
export function HistoryTab({ deviceId }: { deviceId: number }) {
  const query = useInventoryReportsQuery(deviceId);
  const reports = useMemo(() => query.data?.pages.flatMap((p) => p.reports) ?? [], [query.data]);
  // The two reports picked, the most recent pick last; a third pick lets go of the oldest.
  const [picked, setPicked] = useState<string[]>([]);
  const pick = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-2)));
  const pair = picked.length === 2 ? ([picked[0], picked[1]] as [string, string]) : null;

  if (query.error) {
    return (
      <p role="alert" className="text-sm text-red-700">
        {query.error.message}
      </p>
    );
  }
  if (!query.data) return <p className="text-sm text-slate-500">Loading…</p>;
  if (!reports.length) return <p className="text-sm text-slate-500">No inventory yet — the agent sends one at first start.</p>;
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-600">
        {pair ? 'Comparing the two reports picked.' : `Pick two reports to see what changed between them (${picked.length} of 2 picked).`}
        {picked.length > 0 && (
          <Button size="xs" className="ml-2" onClick={() => setPicked([])}>
            Clear
          </Button>
        )}
      </p>
      {pair && <Comparison deviceId={deviceId} pair={pair} />}
      <ul aria-label="Inventory reports, newest first" className="divide-y divide-slate-100 rounded border border-slate-200 bg-white">
        {reports.map((r) => (
          <ReportRow key={r.id} report={r} picked={picked.includes(r.id)} onPick={pick} />
        ))}
      </ul>
      {query.hasNextPage && (
        <Button size="sm" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? 'Loading…' : 'Older reports'}
        </Button>
      )}
    </div>
  );
}
