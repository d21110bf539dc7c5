import { startOfLocalDay, startOfLocalWeek } from './local-time';
import type { DisplayInterval } from './summarizer.schema';

/**
 * Where a display interval starts, in the site's time zone: local midnight today, local Sunday
 * midnight this week, a chosen instant, or (SINCE_RESET) null — each component's own last reset.
 */
export function displayIntervalStart(options: { interval: DisplayInterval; timeZone: string; now: Date; sinceAt?: Date | null }): Date | null {
  switch (options.interval) {
    case 'SINCE_MIDNIGHT':
      return startOfLocalDay(options.now, options.timeZone);
    case 'SINCE_SUNDAY':
      return startOfLocalWeek(options.now, options.timeZone);
    case 'SINCE_DATE':
      return options.sinceAt ?? startOfLocalDay(options.now, options.timeZone);
    case 'SINCE_RESET':
      return null;
  }
}
