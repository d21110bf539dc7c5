import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { TimeOfDayChart } from '@/components/metering/time-of-day-chart';
import { UsageChart } from '@/components/metering/usage-chart';

const point = (start: string, runCount: number, distinctComputers: number, mostAtOnce = 0, mostAtOnceAt: string | null = null) => ({
  start,
  runCount,
  distinctComputers,
  distinctUsers: distinctComputers,
  runSeconds: runCount * 60,
  mostAtOnce,
  mostAtOnceAt,
});
const chart = (points: ReturnType<typeof point>[]) =>
  renderToStaticMarkup(createElement(UsageChart, { title: 'Usage per month', points, label: (start: string) => start }));

describe('UsageChart', () => {
  it('names the real peaks of runs and computers', () => {
    const markup = chart([point('2026-11-01', 3, 1), point('2026-12-01', 7, 2)]);
    expect(markup).toContain('runs (peak 7)');
    expect(markup).toContain('distinct computers (peak 2)');
    expect(markup).toContain('aria-label="Usage per month: peak 7 runs"');
    expect(markup).not.toContain('No runs recorded');
  });

  it('names the most runs at once and when, in UTC', () => {
    const markup = chart([point('2026-11-01', 3, 1, 2, '2026-11-04T14:05:00.000Z'), point('2026-12-01', 7, 2, 1, '2026-12-01T08:00:00.000Z')]);
    expect(markup).toContain('most runs at once: 2, Nov 4, 14:05 UTC');
    expect(markup).toContain('2026-12-01: 7 runs, 2 computers, 2 users, at most 1 at once');
    expect(chart([point('2026-11-01', 0, 0)])).toContain('most runs at once: 0');
  });

  it('says so when nothing ran, instead of a peak of 1', () => {
    const markup = chart([point('2026-11-01', 0, 0), point('2026-12-01', 0, 0)]);
    expect(markup).toContain('runs (peak 0)');
    expect(markup).toContain('distinct computers (peak 0)');
    expect(markup).toContain('aria-label="Usage per month: no runs"');
    expect(markup).toContain('No runs recorded in this period.');
    expect(markup).not.toContain('NaN');
  });
});

describe('TimeOfDayChart', () => {
  const hours = (most: (hour: number) => number) =>
    Array.from({ length: 24 }, (_, hour) => ({ hour, averageAtOnce: most(hour) / 2, mostAtOnce: most(hour) }));
  const render = (h: ReturnType<typeof hours>) =>
    renderToStaticMarkup(createElement(TimeOfDayChart, { timeOfDay: { timeZone: 'Europe/Berlin', from: '2026-11-06T00:00:00.000Z', hours: h } }));

  it('names the busiest hour on average and the most at once, in the site time zone', () => {
    const markup = render(hours((hour) => (hour === 9 ? 6 : hour === 14 ? 4 : 0)));
    expect(markup).toContain('last 30 days (Europe/Berlin)');
    expect(markup).toContain('aria-label="Runs at once by hour of day: busiest on average at 09:00 (3), at most 6"');
    expect(markup).toContain('14:00–15:00: 2 at once on average, at most 4');
    expect(markup).not.toContain('No runs in progress');
  });

  it('says so when nothing ran', () => {
    const markup = render(hours(() => 0));
    expect(markup).toContain('aria-label="Runs at once by hour of day: none"');
    expect(markup).toContain('No runs in progress in these days.');
    expect(markup).not.toContain('NaN');
  });
});
