// The status views' interval as a link gives it: what cannot be read falls back to the site's setting.
import { describe, expect, it } from 'vitest';
import { intervalParamsFrom } from '@/components/summarizers/interval-params';

const from = (query: string) => intervalParamsFrom(new URLSearchParams(query));

describe('intervalParamsFrom', () => {
  it('reads the site, the interval and the date a "since" interval starts at', () => {
    expect(from('site=S01&interval=SINCE_DATE&since=2026-12-01T08:00')).toEqual({ site: 'S01', interval: 'SINCE_DATE', since: '2026-12-01T08:00' });
    expect(from('interval=SINCE_RESET&since=2026-12-01T08:00')).toEqual({ site: undefined, interval: 'SINCE_RESET', since: undefined });
  });

  it('leaves out a "since" interval without a date it can read, instead of asking the API for it', () => {
    // Sent on, the API refused it ("since: is required with SINCE_DATE") and the page showed that.
    for (const query of ['interval=SINCE_DATE&since=9999-99-99T99:00', 'interval=SINCE_DATE', 'interval=SINCE_DATE&since=soon'])
      expect(from(query)).toEqual({ site: undefined, interval: undefined, since: undefined });
    expect(from('site=s01&interval=EVERY_DAY')).toEqual({ site: undefined, interval: undefined, since: undefined });
  });
});
