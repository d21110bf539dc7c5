import type { ClientStatusDay } from '@/lib/client-status/client-status.schema';

export const clientStatusSeries = [
  { key: 'active', label: 'Active', colour: '#16a34a' },
  { key: 'inactive', label: 'Inactive', colour: '#dc2626' },
  { key: 'online', label: 'Online', colour: '#2563eb' },
] as const;

/**
 * Active, inactive and online clients per day as three lines in plain SVG. The table beside it
 * (visually hidden) carries the same numbers for screen readers.
 */
export function ClientStatusChart({ days }: { days: ClientStatusDay[] }) {
  const width = 600;
  const height = 160;
  const pad = 4;
  const max = Math.max(1, ...days.map((d) => Math.max(d.active, d.inactive, d.online, d.total)));
  const x = (i: number) => (days.length === 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (days.length - 1));
  const y = (v: number) => height - pad - (v / max) * (height - 2 * pad);
  const last = days.at(-1);
  const summary = last
    ? `Clients per day from ${days[0].day} to ${last.day}; on ${last.day}: ` +
      clientStatusSeries.map((s) => `${s.label.toLowerCase()} ${last[s.key]}`).join(', ')
    : 'No daily counts yet';
  return (
    <figure className="rounded border border-slate-200 bg-white p-3">
      <figcaption className="mb-2 flex flex-wrap items-center gap-4 text-xs text-slate-600">
        <span className="font-semibold text-slate-800">Clients per day</span>
        {clientStatusSeries.map((s) => (
          <span key={s.key} className="inline-flex items-center gap-1">
            <span aria-hidden className="inline-block h-0.5 w-4" style={{ background: s.colour }} />
            {s.label}
          </span>
        ))}
      </figcaption>
      {days.length === 0 ? (
        <p className="py-8 text-center text-sm text-slate-500">No daily counts yet: the client status summarizer writes the first at its start.</p>
      ) : (
        <>
          <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" className="h-40 w-full" role="img" aria-label={summary}>
            <line x1={0} x2={width} y1={y(0)} y2={y(0)} stroke="#e2e8f0" />
            {clientStatusSeries.map((s) => (
              <g key={s.key}>
                <polyline
                  fill="none"
                  stroke={s.colour}
                  strokeWidth={2}
                  vectorEffect="non-scaling-stroke"
                  points={days.map((d, i) => `${x(i)},${y(d[s.key])}`).join(' ')}
                />
                {days.map((d, i) => (
                  <circle key={d.day} cx={x(i)} cy={y(d[s.key])} r={2.5} fill={s.colour}>
                    <title>{`${d.day}: ${s.label.toLowerCase()} ${d[s.key]} of ${d.total}`}</title>
                  </circle>
                ))}
              </g>
            ))}
          </svg>
          <div className="mt-1 flex justify-between text-xs tabular-nums text-slate-500" aria-hidden>
            <span>{days[0].day}</span>
            <span>{last!.day}</span>
          </div>
          <table className="sr-only">
            <caption>Clients per day</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Total</th>
                {clientStatusSeries.map((s) => (
                  <th key={s.key} scope="col">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.day}>
                  <th scope="row">{d.day}</th>
                  <td>{d.total}</td>
                  {clientStatusSeries.map((s) => (
                    <td key={s.key}>{d[s.key]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}
