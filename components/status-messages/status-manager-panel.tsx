'use client';

import clsx from 'clsx';
import { useStatusManagerRates } from './use-status-messages';

const perSecond = (n: number | null) => (n === null ? '…' : `${Math.round(n).toLocaleString()}/s`);

/** Status Manager at a glance: the inbox backlog against its limit, and ingest and processing rates. */
export function StatusManagerPanel() {
  const { data, error } = useStatusManagerRates();
  if (error) return <p role="alert" className="text-xs text-red-700">Status Manager state unavailable: {error.message}</p>;
  if (!data) return <p className="text-xs text-slate-500">Reading Status Manager…</p>;
  const { inbox, totals } = data.state;
  return (
    <dl data-testid="status-manager-panel" className="flex items-stretch gap-px overflow-hidden rounded border border-slate-200 bg-slate-200 text-xs">
      <div className={clsx('px-3 py-1', inbox.overLimit ? 'bg-red-50' : 'bg-white')}>
        <dt className="text-slate-500">Backlog</dt>
        <dd className={clsx('font-semibold tabular-nums', inbox.overLimit ? 'text-red-700' : 'text-slate-900')} title={`Ingest answers 503 above ${inbox.limit.toLocaleString()}`}>
          <span data-testid="status-backlog">{inbox.messages.toLocaleString()}</span>
          <span className="font-normal text-slate-500"> / {inbox.limit.toLocaleString()}</span>
          {inbox.overLimit && <span className="ml-1 font-normal">(refusing new batches)</span>}
        </dd>
      </div>
      <div className="bg-white px-3 py-1">
        <dt className="text-slate-500">Ingest</dt>
        <dd className="font-semibold tabular-nums text-slate-900" data-testid="status-ingest-rate">{perSecond(data.ingestPerSecond)}</dd>
      </div>
      <div className="bg-white px-3 py-1">
        <dt className="text-slate-500">Processing</dt>
        <dd className="font-semibold tabular-nums text-slate-900" data-testid="status-processing-rate">{perSecond(data.processedPerSecond)}</dd>
      </div>
      <div className="bg-white px-3 py-1" title="Since the site database was created">
        <dt className="text-slate-500">Stored / processed</dt>
        <dd className="font-semibold tabular-nums text-slate-900">{totals.stored.toLocaleString()} / {totals.processed.toLocaleString()}</dd>
      </div>
    </dl>
  );
}
