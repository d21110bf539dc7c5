'use client';

import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import clsx from 'clsx';
import { useMemo, useState } from 'react';
import { Select } from '@/components/ui/select';
import { ApiError } from '@/lib/client/api';
import { clientActionLabels } from '@/lib/protocol/agent-protocol.schema';
import { targetStates, type ClientOperationRow, type TargetState } from '@/lib/notification/client-operation.schema';
import { plural } from '@/lib/plural';
import { RelativeTime } from '../ui/relative-time';
import { StartOperationForm } from './start-operation-form';
import { ScriptOutput, ScriptOutputGroups } from './script-output';
import { LiveQueryResults } from './live-query-results';
import { useCancelClientOperation, useClientOperationsQuery, useLiveClientOperations, useOperationTargetsQuery } from './use-client-operations';

const column = createColumnHelper<ClientOperationRow>();
const isNumeric = (def: { meta?: unknown }) => (def.meta as { numeric?: boolean } | undefined)?.numeric === true;
// One array for "no rows yet": a new one each render would count as new data to the table.
const noRows: ClientOperationRow[] = [];
const pagerButton = 'rounded border border-slate-300 bg-white px-2 py-0.5 hover:bg-slate-50 disabled:opacity-40';
const statusLabels: Record<ClientOperationRow['counts']['status'], string> = {
  RUNNING: 'Running',
  COMPLETED: 'Completed',
  EXPIRED: 'Expired',
  CANCELLED: 'Cancelled',
};
const stateLabels: Record<TargetState, string> = {
  WAITING: 'Offline / waiting',
  DELIVERED: 'In progress',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  EXPIRED: 'Expired',
  CANCELLED: 'Cancelled',
};

// Count columns stay narrow: their headers wrap, their numbers do not.
const count = (id: string, header: string, get: (r: ClientOperationRow) => number, tone?: string) =>
  column.accessor(get, {
    id,
    header,
    meta: { numeric: true },
    cell: (c) => (
      <span data-column={id} className={clsx('tabular-nums', c.getValue() > 0 && tone)}>
        {c.getValue().toLocaleString()}
      </span>
    ),
  });

function CancelButton({ row }: { row: ClientOperationRow }) {
  const cancel = useCancelClientOperation();
  if (row.counts.status !== 'RUNNING') return null;
  return (
    <span className="flex items-center gap-1">
      <button
        type="button"
        aria-label={`Cancel operation ${row.id}`}
        disabled={cancel.isPending}
        onClick={(e) => {
          e.stopPropagation();
          if (window.confirm(`Cancel ${clientActionLabels[row.action]} on ${row.targetName}? Clients not reached yet will not get it.`))
            cancel.mutate(row.id);
        }}
        className="rounded border border-slate-300 bg-white px-1.5 text-xs leading-5 text-slate-700 hover:bg-slate-100 disabled:opacity-50"
      >
        Cancel
      </button>
      {cancel.error && (
        <span role="alert" className="text-xs text-red-700">
          {cancel.error instanceof ApiError ? cancel.error.message : 'Failed.'}
        </span>
      )}
    </span>
  );
}

/** Columns that fit beside the navigation at 1280 px: action and target share a cell, as do when and by whom. */
function columns(canRun: boolean) {
  return [
    column.accessor('action', {
      header: 'Operation',
      cell: (c) => (
        <span className="block max-w-56">
          <span className="block truncate font-medium text-slate-900" title={c.row.original.scriptName ?? c.row.original.liveQuery ?? undefined}>
            {clientActionLabels[c.getValue()]}
            {c.row.original.scriptName && <span data-testid="script-name">: {c.row.original.scriptName}</span>}
            {c.row.original.liveQuery && <span className="font-mono font-normal text-slate-600">: {c.row.original.liveQuery}</span>}
          </span>
          <span className="block truncate text-xs text-slate-500" title={c.row.original.targetName}>
            {c.row.original.targetName}
          </span>
        </span>
      ),
    }),
    column.accessor('startedAt', {
      header: 'Started',
      cell: (c) => (
        <span className="block whitespace-nowrap">
          <RelativeTime iso={c.getValue()} />
          <span className="block text-xs text-slate-500">by {c.row.original.startedBy}</span>
        </span>
      ),
    }),
    count('total', 'Total', (r) => r.total),
    count('onlineAtStart', 'Online at start', (r) => r.onlineAtStart),
    count('inProgress', 'In progress', (r) => r.counts.inProgress),
    count('succeeded', 'Succeeded', (r) => r.counts.succeeded, 'text-green-700'),
    count('failed', 'Failed', (r) => r.counts.failed, 'text-red-700'),
    count('cancelled', 'Cancelled', (r) => r.counts.cancelled, 'text-slate-700'),
    count('waiting', 'Offline / waiting', (r) => r.counts.waiting),
    count('expired', 'Expired', (r) => r.counts.expired, 'text-amber-700'),
    column.accessor((r) => r.counts.status, {
      id: 'status',
      header: 'Status',
      cell: (c) => <span data-column="status">{statusLabels[c.getValue()]}</span>,
    }),
    ...(canRun
      ? [
          column.display({
            id: 'actions',
            header: () => <span className="sr-only">Actions</span>,
            cell: (c) => <CancelButton row={c.row.original} />,
          }),
        ]
      : []),
  ];
}

function OperationTargets({ operation }: { operation: ClientOperationRow }) {
  const [state, setState] = useState<TargetState | undefined>(undefined);
  const [page, setPage] = useState(1);
  const pageSize = 50;
  const targets = useOperationTargetsQuery(operation.id, { state, page, pageSize });
  const pages = Math.max(1, Math.ceil((targets.data?.total ?? 0) / pageSize));
  return (
    <section aria-label="Results per device" className="mt-4 rounded border border-slate-200">
      <header className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 bg-slate-50 px-3 py-2 text-sm">
        <h2 className="font-medium text-slate-900">
          {clientActionLabels[operation.action]}
          {operation.scriptName ? ` ${operation.scriptName}` : ''} on {operation.targetName}: results per device
        </h2>
        <label className="flex items-center gap-2 text-xs text-slate-600">
          Show
          <Select
            aria-label="Show"
            controlSize="xs"
            value={state ?? ''}
            onChange={(e) => (setState((e.target.value || undefined) as TargetState | undefined), setPage(1))}
          >
            <option value="">All devices</option>
            {targetStates.map((s) => (
              <option key={s} value={s}>
                {stateLabels[s]}
              </option>
            ))}
          </Select>
        </label>
      </header>
      <table className="w-full text-sm">
        <thead className="text-left text-xs text-slate-500">
          <tr>
            <th className="px-3 py-1 font-medium">Device</th>
            <th className="px-3 py-1 font-medium">Result</th>
            <th className="px-3 py-1 font-medium">Client</th>
            <th className="px-3 py-1 font-medium">Delivered</th>
            <th className="px-3 py-1 font-medium">Completed</th>
            <th className="px-3 py-1 font-medium">Details</th>
          </tr>
        </thead>
        <tbody>
          {targets.data?.rows.map((t) => (
            <tr key={t.deviceId} className="border-t border-slate-100">
              <td className="px-3 py-1 font-medium text-slate-900">{t.deviceName}</td>
              <td
                className={clsx(
                  'px-3 py-1',
                  t.state === 'SUCCEEDED' && 'text-green-700',
                  t.state === 'FAILED' && 'text-red-700',
                  t.state === 'EXPIRED' && 'text-amber-700',
                  t.state === 'CANCELLED' && 'text-slate-500',
                )}
              >
                {stateLabels[t.state]}
              </td>
              <td className="px-3 py-1">{t.online ? 'Online' : 'Offline'}</td>
              <td className="px-3 py-1">
                <RelativeTime iso={t.deliveredAt} empty="" />
              </td>
              <td className="px-3 py-1">
                <RelativeTime iso={t.completedAt} empty="" />
              </td>
              <td className="px-3 py-1 text-slate-600">
                {t.result?.message ?? ''}
                {t.result?.script && <ScriptOutput result={t.result.script} />}
                {t.result?.threats && t.result.threats.length > 0 && (
                  <ul aria-label="Threats found" className="mt-1 space-y-0.5 text-xs">
                    {t.result.threats.map((threat) => (
                      <li key={`${threat.signature} ${threat.path}`}>
                        <span className="font-medium text-red-700">{threat.signature}</span>{' '}
                        <span className="break-all font-mono">{threat.path}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
          {targets.data && targets.data.rows.length === 0 && (
            <tr>
              <td colSpan={6} className="px-3 py-3 text-center text-slate-500">
                No devices in this state.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <footer className="flex items-center justify-end gap-2 border-t border-slate-200 px-3 py-1 text-xs text-slate-600">
        {plural(targets.data?.total ?? 0, 'device')} · page {page} of {pages}
        <button type="button" className={pagerButton} disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </button>
        <button type="button" className={pagerButton} disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next
        </button>
      </footer>
    </section>
  );
}

/** The Client Operations node: start operations, watch their counts move live, drill down, cancel. */
export function ClientOperationsBrowser({ canRun, initialQuery }: { canRun: boolean; initialQuery?: string }) {
  const [page, setPage] = useState(1);
  const pageSize = 25;
  const [selected, setSelected] = useState<number | null>(null);
  const live = useLiveClientOperations();
  const operations = useClientOperationsQuery({ page, pageSize });
  const table = useReactTable({
    data: operations.data?.rows ?? noRows,
    columns: useMemo(() => columns(canRun), [canRun]),
    // The server pages; left to itself the table resets its own page index on every new data.
    manualPagination: true,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => String(r.id),
  });
  const pages = Math.max(1, Math.ceil((operations.data?.total ?? 0) / pageSize));
  const selectedRow = operations.data?.rows.find((r) => r.id === selected) ?? null;
  return (
    <>
      {canRun && <StartOperationForm initialQuery={initialQuery} onStarted={(id) => (setPage(1), setSelected(id))} />}
      <div className="mb-1 flex items-center justify-between text-xs text-slate-500">
        <span>{plural(operations.data?.total ?? 0, 'operation')}</span>
        <span data-testid="live-state">{live === 'live' ? 'Live' : live === 'lost' ? 'Not live: reconnecting…' : ''}</span>
      </div>
      <div className="overflow-x-auto rounded border border-slate-200">
        <table className="w-full text-sm" aria-label="Client operations">
          <thead className="bg-slate-50 text-left text-xs text-slate-500">
            {table.getHeaderGroups().map((g) => (
              <tr key={g.id}>
                {g.headers.map((h) => (
                  <th
                    key={h.id}
                    className={clsx(
                      'px-2 py-1.5 align-bottom font-medium',
                      isNumeric(h.column.columnDef) ? 'w-16 text-right leading-tight' : 'whitespace-nowrap',
                    )}
                  >
                    {flexRender(h.column.columnDef.header, h.getContext())}
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr
                key={row.id}
                data-operation-id={row.original.id}
                aria-selected={row.original.id === selected}
                onClick={() => setSelected(row.original.id)}
                className={clsx('cursor-pointer border-t border-slate-100 hover:bg-slate-50', row.original.id === selected && 'bg-blue-50')}
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={clsx('px-2 py-1', isNumeric(cell.column.columnDef) && 'text-right')}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))}
            {operations.data && operations.data.rows.length === 0 && (
              <tr>
                <td colSpan={table.getVisibleLeafColumns().length} className="px-3 py-6 text-center text-slate-500">
                  No client operations yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div className="mt-1 flex items-center justify-end gap-2 text-xs text-slate-600">
        page {page} of {pages}
        <button type="button" className={pagerButton} disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </button>
        <button type="button" className={pagerButton} disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next
        </button>
      </div>
      {selectedRow?.action === 'RUN_SCRIPT' && <ScriptOutputGroups key={`groups-${selectedRow.id}`} operationId={selectedRow.id} />}
      {selectedRow?.action === 'LIVE_QUERY' && <LiveQueryResults key={`live-${selectedRow.id}`} operation={selectedRow} />}
      {selectedRow && <OperationTargets key={selectedRow.id} operation={selectedRow} />}
    </>
  );
}
