import { BarKey, CHART_HEIGHT, CHART_WIDTH, ChartFigure, LineKey } from './chart-figure';
import type { MeteringReport } from './use-metering-report';

/**
 * Runs in progress at once by hour of the day on the site's clock: the average as bars and the
 * most as a tick above each, in plain SVG, with each hour's figures in its tooltip.
 */
export function TimeOfDayChart({ timeOfDay }: { timeOfDay: MeteringReport['timeOfDay'] }) {
  const width = CHART_WIDTH;
  const height = CHART_HEIGHT;
  const most = Math.max(0, ...timeOfDay.hours.map((h) => h.mostAtOnce));
  const scale = (value: number) => (value / Math.max(1, most)) * (height - 4);
  const step = width / 24;
  const busiest = timeOfDay.hours.reduce((best, h) => (h.averageAtOnce > best.averageAtOnce ? h : best), timeOfDay.hours[0]);
  const hourLabel = (hour: number) => `${String(hour).padStart(2, '0')}:00`;
  return (
    <ChartFigure
      title={`Runs at once by hour of day, last 30 days (${timeOfDay.timeZone})`}
      legend={
        <>
          <BarKey className="fill-violet-400">average</BarKey>
          <LineKey className="stroke-slate-700">most (peak {most})</LineKey>
        </>
      }
      label={
        most
          ? `Runs at once by hour of day: busiest on average at ${hourLabel(busiest.hour)} (${busiest.averageAtOnce}), at most ${most}`
          : 'Runs at once by hour of day: none'
      }
      empty={most ? null : 'No runs in progress in these days.'}
      axis={['00:00', '12:00', '24:00']}
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
    </ChartFigure>
  );
}
