// The server's zone is set apart from every site zone used here, so nothing passes by accident
// of the machine's own zone.
process.env.TZ = 'Asia/Kolkata';

import { describe, expect, it } from 'vitest';
import { displayIntervalStart } from '@/lib/summarizers/display-interval';
import { localToInstant, parseLocalDateTime, startOfLocalDay, startOfLocalHour, startOfLocalWeek } from '@/lib/summarizers/local-time';

const at = (iso: string) => new Date(iso);

describe('display intervals in the site time zone', () => {
  it('the server runs in another zone than the sites', () => {
    expect(new Date('2026-11-23T00:00:00Z').getTimezoneOffset()).toBe(-330);
  });

  it("since midnight is the site's midnight, across the UTC and server dates", () => {
    const tz = 'America/New_York'; // UTC-5 in November
    // 23:59:59 local on the 22nd is 04:59:59Z on the 23rd.
    expect(displayIntervalStart({ interval: 'SINCE_MIDNIGHT', timeZone: tz, now: at('2026-11-23T04:59:59Z') })).toEqual(at('2026-11-22T05:00:00Z'));
    // One second later it is the 23rd locally.
    expect(displayIntervalStart({ interval: 'SINCE_MIDNIGHT', timeZone: tz, now: at('2026-11-23T05:00:00Z') })).toEqual(at('2026-11-23T05:00:00Z'));
    const auckland = 'Pacific/Auckland'; // UTC+13 in November
    expect(displayIntervalStart({ interval: 'SINCE_MIDNIGHT', timeZone: auckland, now: at('2026-11-23T10:59:59Z') })).toEqual(
      at('2026-11-22T11:00:00Z'),
    );
    expect(displayIntervalStart({ interval: 'SINCE_MIDNIGHT', timeZone: auckland, now: at('2026-11-23T11:00:00Z') })).toEqual(
      at('2026-11-23T11:00:00Z'),
    );
  });

  it("since Sunday starts at the site's Sunday midnight, and a new week at the next one", () => {
    const tz = 'America/Los_Angeles'; // UTC-8; 2026-11-22 is a Sunday
    // Saturday 23:59:59 local: the week began on the 15th.
    expect(displayIntervalStart({ interval: 'SINCE_SUNDAY', timeZone: tz, now: at('2026-11-22T07:59:59Z') })).toEqual(at('2026-11-15T08:00:00Z'));
    // Sunday 00:00 local: a new week.
    expect(displayIntervalStart({ interval: 'SINCE_SUNDAY', timeZone: tz, now: at('2026-11-22T08:00:00Z') })).toEqual(at('2026-11-22T08:00:00Z'));
    // Already Monday in UTC and at the server, still Sunday at the site.
    expect(displayIntervalStart({ interval: 'SINCE_SUNDAY', timeZone: tz, now: at('2026-11-23T07:00:00Z') })).toEqual(at('2026-11-22T08:00:00Z'));
    // In Tokyo the same instant is already Monday the 23rd; its week began Sunday the 22nd, Tokyo time.
    expect(displayIntervalStart({ interval: 'SINCE_SUNDAY', timeZone: 'Asia/Tokyo', now: at('2026-11-23T07:00:00Z') })).toEqual(
      at('2026-11-21T15:00:00Z'),
    );
  });

  it('keeps local midnight through daylight-saving changes', () => {
    const tz = 'America/New_York';
    // 2026-11-01 is 25 hours long there (EDT → EST).
    expect(startOfLocalDay(at('2026-11-01T12:00:00Z'), tz)).toEqual(at('2026-11-01T04:00:00Z'));
    expect(startOfLocalDay(at('2026-11-02T12:00:00Z'), tz)).toEqual(at('2026-11-02T05:00:00Z'));
    expect(startOfLocalWeek(at('2026-11-03T12:00:00Z'), tz)).toEqual(at('2026-11-01T04:00:00Z'));
    // The repeated 01:30 maps to its first occurrence.
    expect(localToInstant({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, tz)).toEqual(at('2026-11-01T05:30:00Z'));
  });

  it("buckets hours on the site's hours, also where the offset is not whole hours", () => {
    expect(startOfLocalHour(at('2026-11-23T10:20:00Z'), 'Asia/Kolkata')).toEqual(at('2026-11-23T09:30:00Z'));
    expect(startOfLocalHour(at('2026-11-23T10:20:00Z'), 'America/New_York')).toEqual(at('2026-11-23T10:00:00Z'));
  });

  it("reads a chosen date and time as the site's wall clock; since reset has no common start", () => {
    const since = parseLocalDateTime('2026-11-20T14:00', 'Europe/Berlin');
    expect(since).toEqual(at('2026-11-20T13:00:00Z'));
    expect(displayIntervalStart({ interval: 'SINCE_DATE', timeZone: 'Europe/Berlin', now: at('2026-11-23T00:00:00Z'), sinceAt: since })).toEqual(
      since,
    );
    expect(displayIntervalStart({ interval: 'SINCE_RESET', timeZone: 'Europe/Berlin', now: at('2026-11-23T00:00:00Z') })).toBeNull();
    expect(parseLocalDateTime('2026-11-20 14:00', 'Europe/Berlin')).toBeNull();
  });
});
