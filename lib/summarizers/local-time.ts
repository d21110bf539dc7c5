/**
 * Wall-clock arithmetic in a site's IANA time zone, with nothing but Intl: the summarizers keep
 * their counts in local hours and local days, so "since midnight" and "since Sunday" are the
 * site's, whatever zone the server runs in.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const weekdays: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether Intl knows the zone (site settings validate with this). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localParts(at: Date, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(at)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    millisecond: at.getUTCMilliseconds(),
    weekday: weekdays[parts.weekday] ?? 0,
  };
}

/** Local time minus UTC at `at`, in ms. */
function offsetAt(at: number, timeZone: string): number {
  const p = localParts(new Date(at), timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.millisecond);
  return asUtc - at;
}

/**
 * The instant a local wall-clock time names. A time skipped by a daylight-saving jump maps to
 * the instant just after the jump; a repeated one to its first occurrence.
 */
export function localToInstant(local: { year: number; month: number; day: number; hour?: number; minute?: number }, timeZone: string): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour ?? 0, local.minute ?? 0);
  // Offsets before and after: the earlier candidate wins when both read back as this wall time.
  const candidates = [wall - offsetAt(wall - DAY_MS / 2, timeZone), wall - offsetAt(wall + DAY_MS / 2, timeZone)].sort((a, b) => a - b);
  for (const c of candidates) if (c + offsetAt(c, timeZone) === wall) return new Date(c);
  // Skipped wall time: the jump's far side.
  return new Date(Math.max(...candidates));
}

/** Start of the local hour containing `at`. */
export function startOfLocalHour(at: Date, timeZone: string): Date {
  const p = localParts(at, timeZone);
  return new Date(at.getTime() - p.minute * 60_000 - p.second * 1000 - p.millisecond);
}

/** Start of the local day (midnight, or the first instant after a jump over it) containing `at`. */
export function startOfLocalDay(at: Date, timeZone: string): Date {
  const p = localParts(at, timeZone);
  return localToInstant({ year: p.year, month: p.month, day: p.day }, timeZone);
}

/** Start of the next local day after the one containing `at`. */
export function startOfNextLocalDay(at: Date, timeZone: string): Date {
  // 36 h past this midnight is always inside the next day, whatever the day's length.
  return startOfLocalDay(new Date(startOfLocalDay(at, timeZone).getTime() + 36 * HOUR_MS), timeZone);
}

/** Start of the local week (Sunday, midnight) containing `at`. */
export function startOfLocalWeek(at: Date, timeZone: string): Date {
  const p = localParts(at, timeZone);
  const sunday = new Date(Date.UTC(p.year, p.month - 1, p.day) - p.weekday * DAY_MS);
  return localToInstant({ year: sunday.getUTCFullYear(), month: sunday.getUTCMonth() + 1, day: sunday.getUTCDate() }, timeZone);
}

/** Start of the minute containing `at` (every zone's offset is whole minutes). */
export function startOfMinute(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000);
}

/** "2026-11-22T14:00" read as a wall-clock time of the zone. */
export function parseLocalDateTime(value: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  return localToInstant({ year, month, day, hour, minute }, timeZone);
}

/** The instant as "YYYY-MM-DDTHH:mm" wall-clock time of the zone (for datetime-local inputs). */
export function formatLocalDateTime(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}
