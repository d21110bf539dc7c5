import { BarKey, CHART_HEIGHT, CHART_WIDTH, ChartFigure, LineKey } from './chart-figure';
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
  const width = CHART_WIDTH;
  const height = CHART_HEIGHT;
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
    <ChartFigure
      title={title}
      legend={
        <>
          <BarKey className="fill-sky-400">runs (peak {peakRuns})</BarKey>
          <LineKey className="stroke-emerald-600">distinct computers (peak {peakComputers})</LineKey>
          <span data-testid="most-at-once">most runs at once: {busiest ? `${busiest.mostAtOnce}, ${atOnceTime(busiest.mostAtOnceAt)}` : 0}</span>
        </>
      }
      label={peakRuns ? `${title}: peak ${peakRuns} runs` : `${title}: no runs`}
      empty={peakRuns ? null : 'No runs recorded in this period.'}
      axis={[points[0] && label(points[0].start), points.at(-1) && label(points.at(-1)!.start)]}
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
    </ChartFigure>
  );
}
