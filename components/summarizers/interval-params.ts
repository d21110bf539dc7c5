import { displayIntervalSchema, localHourSchema } from '@/lib/summarizers/summarizer.schema';
import type { IntervalParams } from './use-summaries';

/**
 * The view's site and interval as a URL gives them. A value that cannot be read is left out, so
 * the view falls back to the site's setting; "since a date" without a readable date (a link
 * edited by hand, `since=9999-99-99T99:00`) is left out whole, not sent on to be refused.
 */
export function intervalParamsFrom(url: { get(name: string): string | null }): IntervalParams {
  const interval = displayIntervalSchema.safeParse(url.get('interval'));
  const since = localHourSchema.safeParse(url.get('since'));
  const site = url.get('site');
  const sinceDate = interval.success && interval.data === 'SINCE_DATE';
  return {
    site: site && /^[A-Z0-9]{3}$/.test(site) ? site : undefined,
    interval: interval.success && (!sinceDate || since.success) ? interval.data : undefined,
    since: sinceDate && since.success ? since.data : undefined,
  };
}
