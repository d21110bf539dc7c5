import type { MeteringReport } from './use-metering-report';

type Point = MeteringReport['months'][number];

/** When a period's most runs at once were first reached, in UTC as the periods are. */
export const atOnceTime = (iso: string | null) =>
  iso
    ? `${new Date(iso).toLocaleString('en', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' })} UTC`
    : '';

/**
 * Runs per period as bars with distinct computers as a line, in plain SVG; the table beside it
 * carries the same numbers for screen readers.
 */
export function UsageChart({ title, points, label }: { title: string; points: Point[]; label: (start: string) => string }) {
  const width = 600;
  const height = 120;
  // The peaks as they are; the scales at least 1, so a period without runs draws flat, not NaN.
  const peakRuns = Math.max(0, ...points.map((p) => p.runCount));
  const peakComputers = Math.max(0, ...points.map((p) => p.distinctComputers));
  const busiest = points.reduce<Point | undefined>((best, p) => (p.mostAtOnce > (best?.mostAtOnce ?? 0) ? p : best), undefined);
  const max = Math.max(1, peakRuns);
  const maxComputers = Math.max(1, peakComputers);
  const step = width / Math.max(1, points.length);
  const line = points
    .map((p, i) => `${(i * step + step / 2).toFixed(1)},${(height - (p.distinctComputers / maxComputers) * (height - 4)).toFixed(1)}`)
    .join(' ');
  return (
    <figure className="rounded border border-slate-200 bg-white p-3">
      <figcaption className="mb-1 flex flex-wrap gap-3 text-xs text-slate-600">
        <span className="font-semibold text-slate-800">{title}</span>
        <span className="inline-flex items-center gap-1">
          <svg aria-hidden width="8" height="8">
            <rect width="8" height="8" className="fill-sky-400" />
          </svg>
          runs (peak {peakRuns})
        </span>
        <span className="inline-flex items-center gap-1">
          <svg aria-hidden width="12" height="8">
            <line x1="0" y1="4" x2="12" y2="4" className="stroke-emerald-600" strokeWidth="2" />
          </svg>
          distinct computers (peak {peakComputers})
        </span>
        <span data-testid="most-at-once">most runs at once: {busiest ? `${busiest.mostAtOnce}, ${atOnceTime(busiest.mostAtOnceAt)}` : 0}</span>
      </figcaption>
      <div className="relative">
        <svg
          viewBox={`0 0 ${width} ${height}`}
          className="h-32 w-full"
          preserveAspectRatio="none"
          role="img"
          aria-label={peakRuns ? `${title}: peak ${peakRuns} runs` : `${title}: no runs`}
        >
          {points.map((p, i) => {
            const h = (p.runCount / max) * (height - 4);
            return (
              <rect key={p.start} x={i * step + 1} y={height - h} width={Math.max(1, step - 2)} height={h} className="fill-sky-400">
                <title>{`${label(p.start)}: ${p.runCount} runs, ${p.distinctComputers} computers, ${p.distinctUsers} users, at most ${p.mostAtOnce} at once`}</title>
              </rect>
            );
          })}
          <polyline points={line} fill="none" className="stroke-emerald-600" strokeWidth="2" vectorEffect="non-scaling-stroke" />
        </svg>
        {!peakRuns && <p className="absolute inset-0 flex items-center justify-center text-xs text-slate-500">No runs recorded in this period.</p>}
      </div>
      <div className="mt-1 flex justify-between text-[11px] text-slate-500">
        <span>{points[0] && label(points[0].start)}</span>
        <span>{points.at(-1) && label(points.at(-1)!.start)}</span>
      </div>
    </figure>
  );
}
