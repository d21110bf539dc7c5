// Runs at once by hour of the day, in a site's time zone: averages over the minutes of each hour,
// the most in any, offsets of half an hour and a change of daylight saving time.
import { describe, expect, it } from 'vitest';
import { runsAtOnceByHourOfDay } from '@/lib/metering/time-of-day';

const at = (iso: string) => new Date(iso);
const step = (iso: string, delta: number) => ({ at: at(iso), delta });
const byHour = (hours: { hour: number; averageAtOnce: number; mostAtOnce: number }[]) =>
  Object.fromEntries(hours.filter((h) => h.averageAtOnce !== 1 || h.mostAtOnce !== 1).map((h) => [h.hour, [h.averageAtOnce, h.mostAtOnce]]));

describe('runsAtOnceByHourOfDay', () => {
  const twoDays = { from: at('2026-12-01T00:00:00Z'), to: at('2026-12-03T00:00:00Z') };
  const morning = [step('2026-12-01T10:00:00Z', 2), step('2026-12-01T11:00:00Z', -2)];

  it('averages the count at each minute of an hour over the days, and keeps the most', () => {
    const hours = runsAtOnceByHourOfDay({ opening: 1, steps: morning, ...twoDays, timeZone: 'UTC' });
    expect(hours).toHaveLength(24);
    expect(hours.map((h) => h.hour)).toEqual([...Array(24).keys()]);
    // One at every minute of both days, three from 10:00 to 11:00 on the first.
    expect(byHour(hours)).toEqual({ 10: [2, 3] });
    expect(
      runsAtOnceByHourOfDay({ opening: 0, steps: [], ...twoDays, timeZone: 'UTC' }).every((h) => h.averageAtOnce === 0 && h.mostAtOnce === 0),
    ).toBe(true);
  });

  it("reads the hours on the site's clock, half-hour offsets included", () => {
    // 10:00–11:00 UTC is 15:30–16:30 in India: half of each of two hours.
    expect(byHour(runsAtOnceByHourOfDay({ opening: 1, steps: morning, ...twoDays, timeZone: 'Asia/Kolkata' }))).toEqual({
      15: [1.5, 3],
      16: [1.5, 3],
    });
  });

  it('follows a change of daylight saving time: 10 a.m. on either side is one hour', () => {
    // New York left daylight saving time at 06:00 UTC on 1 November 2026.
    const hours = runsAtOnceByHourOfDay({
      opening: 1,
      steps: [step('2026-10-31T14:00:00Z', 1), step('2026-10-31T15:00:00Z', -1), step('2026-11-01T15:00:00Z', 1), step('2026-11-01T16:00:00Z', -1)],
      from: at('2026-10-31T00:00:00Z'),
      to: at('2026-11-02T00:00:00Z'),
      timeZone: 'America/New_York',
    });
    expect(byHour(hours)).toEqual({ 10: [2, 2] });
  });
});
