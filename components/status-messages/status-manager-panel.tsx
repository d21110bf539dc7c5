'use client';

import clsx from 'clsx';
import { useRef, useState } from 'react';
import { QuarantineList } from '@/components/quarantine/quarantine-list';
import { useStatusManagerRates } from './use-status-messages';

const perSecond = (n: number | null) => (n === null ? '…' : `${Math.round(n).toLocaleString()}/s`);

/**
 * Status Manager at a glance: the inbox backlog against its limit, ingest and processing rates,
 * and the items queue consumers set aside (opens the quarantine; `canDecide` allows retry and discard).
 */
export function StatusManagerPanel({ canDecide = false }: { canDecide?: boolean }) {
  const { data, error } = useStatusManagerRates();
  const quarantineDialog = useRef<HTMLDialogElement>(null);
  // The list is read only while the dialog is open.
  const [quarantineOpen, setQuarantineOpen] = useState(false);
  if (error)
    return (
      <p role="alert" className="text-xs text-red-700">
        Status Manager state unavailable: {error.message}
      </p>
    );
  if (!data) return <p className="text-xs text-slate-500">Reading Status Manager…</p>;
  const { inbox, totals, quarantined } = data.state;
  return (
    <>
      <dl
        data-testid="status-manager-panel"
        className="flex items-stretch gap-px overflow-hidden rounded border border-slate-200 bg-slate-200 text-xs"
      >
        <div className={clsx('px-3 py-1', inbox.overLimit ? 'bg-red-50' : 'bg-white')}>
          <dt className="text-slate-500">Backlog</dt>
          <dd
            className={clsx('font-semibold tabular-nums', inbox.overLimit ? 'text-red-700' : 'text-slate-900')}
            title={`Ingest answers 503 above ${inbox.limit.toLocaleString()}`}
          >
            <span data-testid="status-backlog">{inbox.messages.toLocaleString()}</span>
            <span className="font-normal text-slate-500"> / {inbox.limit.toLocaleString()}</span>
            {inbox.overLimit && <span className="ml-1 font-normal">(refusing new batches)</span>}
          </dd>
        </div>
        <div className="bg-white px-3 py-1">
          <dt className="text-slate-500">Ingest</dt>
          <dd className="font-semibold tabular-nums text-slate-900" data-testid="status-ingest-rate">
            {perSecond(data.ingestPerSecond)}
          </dd>
        </div>
        <div className="bg-white px-3 py-1">
          <dt className="text-slate-500">Processing</dt>
          <dd className="font-semibold tabular-nums text-slate-900" data-testid="status-processing-rate">
            {perSecond(data.processedPerSecond)}
          </dd>
        </div>
        <div className="bg-white px-3 py-1" title="Since the site database was created">
          <dt className="text-slate-500">Stored / processed</dt>
          <dd className="font-semibold tabular-nums text-slate-900">
            {totals.stored.toLocaleString()} / {totals.processed.toLocaleString()}
          </dd>
        </div>
        <div
          className={clsx('px-3 py-1', quarantined ? 'bg-red-50' : 'bg-white')}
          title="Items a queue could not process, set aside so the rest keeps flowing"
        >
          <dt className="text-slate-500">Quarantined</dt>
          <dd>
            <button
              type="button"
              className={clsx('font-semibold tabular-nums underline-offset-2 hover:underline', quarantined ? 'text-red-700' : 'text-slate-900')}
              onClick={() => {
                setQuarantineOpen(true);
                quarantineDialog.current?.showModal();
              }}
              data-testid="status-quarantined"
            >
              {quarantined.toLocaleString()}
            </button>
          </dd>
        </div>
      </dl>
      <dialog
        ref={quarantineDialog}
        aria-label="Quarantine"
        onClose={() => setQuarantineOpen(false)}
        className="m-auto w-[min(64rem,95vw)] rounded border border-slate-200 p-4 shadow-lg backdrop:bg-slate-900/30"
      >
        <div className="mb-2 flex items-center justify-between">
          <h2 className="text-sm font-semibold text-slate-900">Quarantine</h2>
          <button
            type="button"
            className="rounded px-2 text-slate-500 hover:bg-slate-100"
            onClick={() => quarantineDialog.current?.close()}
            aria-label="Close the quarantine"
          >
            ✕
          </button>
        </div>
        {quarantineOpen && <QuarantineList canDecide={canDecide} />}
      </dialog>
    </>
  );
}
