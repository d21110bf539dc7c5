import type { RatePoint } from '@/lib/summarizers/read-message-rates';

const series = [
  { key: 'error', label: 'Error', fill: 'fill-red-500' },
  { key: 'warning', label: 'Warning', fill: 'fill-amber-400' },
  { key: 'informational', label: 'Informational', fill: 'fill-sky-400' },
] as const;

/**
 * Message rates by severity as stacked bars, one per bucket (minute or hour), in plain SVG.
 * The table under it carries the same numbers for screen readers.
 */
export function RateChart({ title, points, bucket }: { title: string; points: RatePoint[]; bucket: 'minute' | 'hour' }) {
  const width = 480;
  const height = 96;
  const max = Math.max(1, ...points.map((p) => p.error + p.warning + p.informational));
  const barWidth = width / Math.max(1, points.length);
  const total = (key: (typeof series)[number]['key']) => points.reduce((n, p) => n + p[key], 0);
  const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (
    <figure className="rounded border border-slate-200 bg-white p-3">
      <figcaption className="mb-1 text-xs text-slate-600">
        <span className="block font-semibold text-slate-800">{title}</span>
        <span className="flex flex-wrap gap-3">
          {series.map((s) => (
            <span key={s.key} className="inline-flex items-center gap-1">
              <svg aria-hidden width="8" height="8">
                <rect width="8" height="8" className={s.fill} />
              </svg>
              {s.label} {total(s.key)}
            </span>
          ))}
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="h-24 w-full"
        preserveAspectRatio="none"
        role="img"
        aria-label={`${title}: peak ${max} messages per ${bucket}`}
      >
        <line x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} className="stroke-slate-200" />
        {points.map((p, i) => {
          let y = height;
          return (
            <g key={p.at}>
              <title>{`${time(p.at)}: ${p.error} error, ${p.warning} warning, ${p.informational} informational`}</title>
              {series.map((s) => {
                const h = (p[s.key] / max) * (height - 4);
                y -= h;
                return h > 0 ? (
                  <rect key={s.key} x={i * barWidth + 0.5} y={y} width={Math.max(1, barWidth - 1)} height={h} className={s.fill} />
                ) : null;
              })}
            </g>
          );
        })}
      </svg>
      <div className="mt-0.5 flex justify-between text-[10px] text-slate-500">
        <span>{points[0] ? time(points[0].at) : ''}</span>
        <span>
          peak {max} / {bucket}
        </span>
        <span>{points.at(-1) ? time(points.at(-1)!.at) : ''}</span>
      </div>
    </figure>
  );
}
