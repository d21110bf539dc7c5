import type { ReactNode } from 'react';

/** The drawing area of the metering charts, in SVG units; it stretches to the figure's width. */
export const CHART_WIDTH = 600;
export const CHART_HEIGHT = 120;

/** A legend entry drawn as a bar. */
export function BarKey({ className, children }: { className: string; children: ReactNode }) {
  return (
    <span className="inline-flex items-center gap-1">
      <svg aria-hidden width="8" height="8">
        <rect width="8" height="8" className={className} />
      </svg>
      {children}
    </span>
  );
}

/** A legend entry drawn as a line. */
export function LineKey({ className, children }: { className: string; children: ReactNode }) {
  return (
    <span className="inline-flex items-center gap-1">
      <svg aria-hidden width="12" height="8">
        <line x1="0" y1="4" x2="12" y2="4" className={className} strokeWidth="2" />
      </svg>
      {children}
    </span>
  );
}

/**
 * A metering chart: its title and legend, the plain-SVG drawing (an image named by `label`, with
 * `empty` over it when there is nothing to draw) and the labels under its axis.
 */
export function ChartFigure(props: {
  title: string;
  legend: ReactNode;
  label: string;
  empty: string | null;
  axis: ReactNode[];
  children: ReactNode;
}) {
  return (
    <figure className="rounded border border-slate-200 bg-white p-3">
      <figcaption className="mb-1 flex flex-wrap gap-3 text-xs text-slate-600">
        <span className="font-semibold text-slate-800">{props.title}</span>
        {props.legend}
      </figcaption>
      <div className="relative">
        <svg viewBox={`0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`} className="h-32 w-full" preserveAspectRatio="none" role="img" aria-label={props.label}>
          {props.children}
        </svg>
        {props.empty && <p className="absolute inset-0 flex items-center justify-center text-xs text-slate-500">{props.empty}</p>}
      </div>
      <div className="mt-1 flex justify-between text-[11px] text-slate-500">
        {props.axis.map((text, i) => (
          <span key={i}>{text}</span>
        ))}
      </div>
    </figure>
  );
}
