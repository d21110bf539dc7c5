import type { MeteringReport } from './use-metering-report';

/**
 * Runs in progress at once by hour of the day on the site's clock: the average as bars and the
 * most as a tick above each, in plain SVG, with each hour's figures in its tooltip.
 */
export function TimeOfDayChart({ timeOfDay }: { timeOfDay: MeteringReport['timeOfDay'] }) {
  const width = 600;
  const height = 120;
  const most = Math.max(0, ...timeOfDay.hours.map((h) => h.mostAtOnce));
  const scale = (value: number) => (value / Math.max(1, most)) * (height - 4);
  const step = width / 24;
  const busiest = timeOfDay.hours.reduce((best, h) => (h.averageAtOnce > best.averageAtOnce ? h : best), timeOfDay.hours[0]);
  const hourLabel = (hour: number) => `${String(hour).padStart(2, '0')}:00`;
  return (
    <figure className="rounded border border-slate-200 bg-white p-3">
      <figcaption className="mb-1 flex flex-wrap gap-3 text-xs text-slate-600">
        <span className="font-semibold text-slate-800">Runs at once by hour of day, last 30 days ({timeOfDay.timeZone})</span>
        <span className="inline-flex items-center gap-1">
          <svg aria-hidden width="8" height="8">
            <rect width="8" height="8" className="fill-violet-400" />
          </svg>
          average
        </span>
        <span className="inline-flex items-center gap-1">
          <svg aria-hidden width="12" height="8">
            <line x1="0" y1="4" x2="12" y2="4" className="stroke-slate-700" strokeWidth="2" />
          </svg>
          most (peak {most})
        </span>
      </figcaption>
      <div className="relative">
        <svg
          viewBox={`0 0 ${width} ${height}`}
          className="h-32 w-full"
          preserveAspectRatio="none"
          role="img"
          aria-label={
            most
              ? `Runs at once by hour of day: busiest on average at ${hourLabel(busiest.hour)} (${busiest.averageAtOnce}), at most ${most}`
              : 'Runs at once by hour of day: none'
          }
        >
          {timeOfDay.hours.map((h) => (
            <g key={h.hour} data-testid={`hour-of-day-${h.hour}`}>
              <title>{`${hourLabel(h.hour)}–${hourLabel((h.hour + 1) % 24)}: ${h.averageAtOnce} at once on average, at most ${h.mostAtOnce}`}</title>
              <rect
                x={h.hour * step + 1}
                y={height - scale(h.averageAtOnce)}
                width={step - 2}
                height={scale(h.averageAtOnce)}
                className="fill-violet-400"
              />
              {h.mostAtOnce > 0 && (
                <line
                  x1={h.hour * step + 1}
                  x2={(h.hour + 1) * step - 1}
                  y1={height - scale(h.mostAtOnce)}
                  y2={height - scale(h.mostAtOnce)}
                  className="stroke-slate-700"
                  strokeWidth="2"
                  vectorEffect="non-scaling-stroke"
                />
              )}
            </g>
          ))}
        </svg>
        {!most && <p className="absolute inset-0 flex items-center justify-center text-xs text-slate-500">No runs in progress in these days.</p>}
      </div>
      <div className="mt-1 flex justify-between text-[11px] text-slate-500">
        <span>00:00</span>
        <span>12:00</span>
        <span>24:00</span>
      </div>
    </figure>
  );
}
