import { localParts } from '../summarizers/local-time';

/** The runs of a rule in progress at once by hour of the day, in the site's time zone. */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export interface HourOfDay {
  /** 0–23, in the time zone asked for. */
  hour: number;
  /** The runs in progress at the start of each minute of this hour, averaged over the days. */
  averageAtOnce: number;
  /** The most in progress at the start of any minute of this hour. */
  mostAtOnce: number;
}

/** Minutes to add to a UTC time to read the wall clock of `timeZone` at `t` (whole minutes). */
function offsetMinutes(t: Date, timeZone: string): number {
  const local = localParts(t, timeZone);
  return (((local.hour * 60 + local.minute - (t.getUTCHours() * 60 + t.getUTCMinutes())) % 1440) + 1440) % 1440;
}

/**
 * Per hour of the day in `timeZone`, the runs in progress at the start of every minute from `from`
 * to `to` (whole minutes): averaged, and the most. `opening` is the count at `from`; `steps` the
 * rule's changes from then on, oldest first (see MeteringConcurrency in the schema). A time zone's
 * offset is read once per UTC hour, which holds wherever offsets change on a UTC hour's start.
 */
export function runsAtOnceByHourOfDay(options: {
  opening: number;
  steps: readonly { at: Date; delta: number }[];
  from: Date;
  to: Date;
  timeZone: string;
}): HourOfDay[] {
  const sums = new Array<number>(24).fill(0);
  const counts = new Array<number>(24).fill(0);
  const most = new Array<number>(24).fill(0);
  const start = Math.ceil(options.from.getTime() / MINUTE_MS) * MINUTE_MS;
  const end = options.to.getTime();
  let level = options.opening;
  let next = 0;
  let offsetHour = Number.NaN;
  let offset = 0;
  for (let t = start; t < end; t += MINUTE_MS) {
    while (next < options.steps.length && options.steps[next].at.getTime() <= t) level += options.steps[next++].delta;
    const hourStart = t - (t % HOUR_MS);
    if (hourStart !== offsetHour) {
      offsetHour = hourStart;
      offset = offsetMinutes(new Date(hourStart), options.timeZone);
    }
    const hour = Math.floor(((((t / MINUTE_MS + offset) % 1440) + 1440) % 1440) / 60);
    sums[hour] += level;
    counts[hour] += 1;
    most[hour] = Math.max(most[hour], level);
  }
  return sums.map((sum, hour) => ({
    hour,
    averageAtOnce: counts[hour] ? Math.round((sum / counts[hour]) * 100) / 100 : 0,
    mostAtOnce: most[hour],
  }));
}
