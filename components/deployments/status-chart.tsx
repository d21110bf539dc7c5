import { clientStatusLabels, clientStatuses, type ClientStatus } from '@/lib/deployments/deployment.schema';

export const statusColours: Record<ClientStatus, string> = {
  NONE: '#cbd5e1',
  RECEIVED: '#93c5fd',
  RUNNING: '#3b82f6',
  SUCCEEDED: '#16a34a',
  FAILED: '#dc2626',
  RETRYING: '#f59e0b',
};

/** Clients by status as one stacked bar, with a legend of the counts. */
export function StatusChart({ counts, compact = false }: { counts: Record<ClientStatus, number>; compact?: boolean }) {
  const total = clientStatuses.reduce((sum, s) => sum + counts[s], 0);
  let x = 0;
  const label = clientStatuses.map((s) => `${clientStatusLabels[s]} ${counts[s]}`).join(', ');
  return (
    <figure className={compact ? 'w-40' : 'space-y-2'}>
      <svg
        role="img"
        aria-label={`Clients by status: ${label}`}
        viewBox="0 0 100 6"
        preserveAspectRatio="none"
        className={compact ? 'h-2.5 w-full rounded-sm bg-slate-100' : 'h-5 w-full rounded bg-slate-100'}
      >
        {total > 0 &&
          clientStatuses.map((s) => {
            const width = (counts[s] / total) * 100;
            const rect = (
              <rect key={s} x={x} y={0} width={width} height={6} fill={statusColours[s]}>
                <title>{`${clientStatusLabels[s]}: ${counts[s]}`}</title>
              </rect>
            );
            x += width;
            return rect;
          })}
      </svg>
      {!compact && (
        <figcaption className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
          {clientStatuses.map((s) => (
            <span key={s} className="inline-flex items-center gap-1" data-testid={`status-count-${s}`}>
              <span aria-hidden className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: statusColours[s] }} />
              {clientStatusLabels[s]} <strong className="tabular-nums text-slate-900">{counts[s]}</strong>
            </span>
          ))}
        </figcaption>
      )}
    </figure>
  );
}
