'use client';

import { useDecideQuarantinedItem, useQuarantineQuery } from './use-quarantine';

const when = (iso: string) => new Date(iso).toLocaleString();

/**
 * The items queue consumers set aside (poison items), with the error each failed with. Retry puts
 * an item back in its queue; discard drops it. Both are audited; `canDecide` follows the role.
 */
export function QuarantineList({ canDecide }: { canDecide: boolean }) {
  const { data, error, isPending } = useQuarantineQuery(true);
  const decide = useDecideQuarantinedItem();
  if (error)
    return (
      <p role="alert" className="text-sm text-red-700">
        Quarantine unavailable: {error.message}
      </p>
    );
  if (isPending) return <p className="text-sm text-slate-500">Reading the quarantine…</p>;
  if (!data.rows.length) return <p className="text-sm text-slate-500">No item is in quarantine: every queue is flowing.</p>;
  return (
    <div className="space-y-2">
      {decide.error && (
        <p role="alert" className="text-sm text-red-700">
          {decide.error.message}
        </p>
      )}
      <table className="w-full text-left text-xs" data-testid="quarantine-list">
        <thead className="text-slate-500">
          <tr>
            <th className="py-1 pr-3 font-medium">Queue</th>
            <th className="py-1 pr-3 font-medium">Item</th>
            <th className="py-1 pr-3 font-medium">Error</th>
            <th className="py-1 pr-3 font-medium">Attempts</th>
            <th className="py-1 pr-3 font-medium">Last seen</th>
            <th className="py-1 font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {data.rows.map((item) => (
            <tr key={item.id} className="border-t border-slate-100 align-top" data-testid="quarantined-item">
              <td className="py-1 pr-3 whitespace-nowrap">{item.source}</td>
              <td className="py-1 pr-3 font-mono break-all" title={item.payload}>
                {item.itemKey}
              </td>
              <td className="py-1 pr-3 text-red-700">
                {item.error}
                {item.errorCode && <span className="text-slate-500"> ({item.errorCode})</span>}
              </td>
              <td className="py-1 pr-3 tabular-nums">{item.attempts}</td>
              <td className="py-1 pr-3 whitespace-nowrap" title={`First seen ${when(item.firstSeenAt)}`}>
                {when(item.lastSeenAt)}
              </td>
              <td className="py-1 whitespace-nowrap">
                <button
                  type="button"
                  className="rounded border border-slate-300 px-2 py-0.5 hover:bg-slate-50 disabled:opacity-50"
                  disabled={!canDecide || decide.isPending}
                  onClick={() => decide.mutate({ id: item.id, action: 'retry' })}
                  aria-label={`Retry ${item.itemKey}`}
                >
                  Retry
                </button>{' '}
                <button
                  type="button"
                  className="rounded border border-slate-300 px-2 py-0.5 hover:bg-slate-50 disabled:opacity-50"
                  disabled={!canDecide || decide.isPending}
                  onClick={() => {
                    // Discarding drops the item for good (a status batch's messages with it): ask first, as every delete does.
                    if (window.confirm(`Discard ${item.itemKey} from ${item.source}? It is dropped for good and cannot be retried.`))
                      decide.mutate({ id: item.id, action: 'discard' });
                  }}
                  aria-label={`Discard ${item.itemKey}`}
                >
                  Discard
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.total > data.rows.length && (
        <p className="text-xs text-slate-500">
          Showing the {data.rows.length} most recent of {data.total}.
        </p>
      )}
    </div>
  );
}
