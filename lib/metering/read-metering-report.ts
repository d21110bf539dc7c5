import { pool } from '../db/pool';
import { notFoundOrThrow } from '../errors';
import { findMeteringRule } from './repo';
import {
  readComputerRuns,
  readConcurrencySteps,
  readRunsAtOnceDays,
  readSiteTimeZone,
  readSummarizerProgress,
  readUnusedComputers,
  readUsageSeries,
  readUserRuns,
  type AtOnceDay,
  type UsagePoint,
} from './report-repo';
import { runsAtOnceByHourOfDay } from './time-of-day';

const DAY_MS = 86_400_000;
/** Computers and users listed on a report at most (the totals say how many there are). */
const LIST_LIMIT = 200;

const isoDay = (t: Date) => t.toISOString().slice(0, 10);

/** The first days of the `count` UTC months ending with the one holding `now`, oldest first. */
export function lastMonths(now: Date, count: number): string[] {
  return Array.from({ length: count }, (_, i) => isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (count - 1 - i), 1))));
}

/** The `count` UTC days ending with the one holding `now`, oldest first. */
export function lastDays(now: Date, count: number): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: count }, (_, i) => isoDay(new Date(today - (count - 1 - i) * DAY_MS)));
}

/** Every period of `starts`, with the summary's figures or zeros where nothing ran. */
export function fillSeries(starts: string[], points: UsagePoint[]): UsagePoint[] {
  const byStart = new Map(points.map((p) => [p.start, p]));
  return starts.map((start) => byStart.get(start) ?? { start, distinctUsers: 0, distinctComputers: 0, runCount: 0, runSeconds: 0 });
}

/** The most of a rule's runs in progress at once in a period, at the start of any of its minutes. */
export interface RunsAtOnce {
  mostAtOnce: number;
  /** The first minute that many were in progress (the period's start when it began so); null for none. */
  mostAtOnceAt: Date | null;
}

/**
 * Each of `days` (consecutive, oldest first) with the most runs in progress at once: the count it
 * started with (`opening` for the first, then the one before's plus its net) raised by the most
 * its steps rose above that.
 */
export function runsAtOncePerDay(days: string[], opening: number, steps: AtOnceDay[]): RunsAtOnce[] {
  const byDay = new Map(steps.map((d) => [d.day, d]));
  let level = opening;
  return days.map((day) => {
    const own = byDay.get(day);
    const most = level + (own?.maxRise ?? 0);
    const at = own?.maxRise ? own.maxRiseAt : most > 0 ? new Date(`${day}T00:00:00Z`) : null;
    level += own?.net ?? 0;
    return { mostAtOnce: most, mostAtOnceAt: at };
  });
}

/** For each month of `monthStarts`, its busiest day's most at once (the first such day). */
export function runsAtOncePerMonth(days: string[], perDay: RunsAtOnce[], monthStarts: string[]): RunsAtOnce[] {
  const most = new Map<string, RunsAtOnce>();
  days.forEach((day, i) => {
    const month = `${day.slice(0, 8)}01`;
    if (perDay[i].mostAtOnce > (most.get(month)?.mostAtOnce ?? 0)) most.set(month, perDay[i]);
  });
  return monthStarts.map((start) => most.get(start) ?? { mostAtOnce: 0, mostAtOnceAt: null });
}

/** The UTC days from `from` to `to` (YYYY-MM-DD, both included), oldest first. */
function daysFrom(from: string, to: string): string[] {
  const count = Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;
  return lastDays(new Date(`${to}T00:00:00Z`), count);
}

/**
 * A rule's usage per month (the last `months`) and per day (the last 31): distinct users and
 * computers, runs, run time and most runs at once; periods without runs as zeros.
 */
export async function readUsagePeriods(ruleId: number, months: number, now: Date) {
  const db = pool();
  const monthStarts = lastMonths(now, months);
  const dayStarts = lastDays(now, 31);
  // Runs at once per day over every day either series covers, up to today.
  const atOnceDays = daysFrom(monthStarts[0] < dayStarts[0] ? monthStarts[0] : dayStarts[0], dayStarts.at(-1)!);
  const [monthPoints, dayPoints, atOnce] = await Promise.all([
    readUsageSeries(db, ruleId, 'MONTH', monthStarts[0]),
    readUsageSeries(db, ruleId, 'DAY', dayStarts[0]),
    readRunsAtOnceDays(db, ruleId, atOnceDays[0], atOnceDays.at(-1)!),
  ]);
  const perDay = runsAtOncePerDay(atOnceDays, atOnce.opening, atOnce.days);
  const perMonth = runsAtOncePerMonth(atOnceDays, perDay, monthStarts);
  const dayOffset = atOnceDays.length - dayStarts.length;
  return {
    months: fillSeries(monthStarts, monthPoints).map((point, i) => ({ ...point, ...perMonth[i] })),
    days: fillSeries(dayStarts, dayPoints).map((point, i) => ({ ...point, ...perDay[dayOffset + i] })),
  };
}

/** Days the time-of-day profile covers, before today. */
const TIME_OF_DAY_DAYS = 30;

/**
 * A rule's runs in progress at once by hour of the day in its site's time zone, over the last 30
 * days and today so far: when in the day the program is used, and how much at once.
 */
export async function readTimeOfDay(rule: { id: number; siteCode: string }, now: Date) {
  const db = pool();
  const from = new Date(`${lastDays(now, TIME_OF_DAY_DAYS + 1)[0]}T00:00:00Z`);
  const [timeZone, { opening, steps }] = await Promise.all([readSiteTimeZone(db, rule.siteCode), readConcurrencySteps(db, rule.id, from, now)]);
  return { timeZone, from, hours: runsAtOnceByHourOfDay({ opening, steps, from, to: now, timeZone }) };
}

/**
 * A software metering rule's usage report: its usage per month and day (readUsagePeriods) and by
 * hour of the day (readTimeOfDay), the computers and users that ran the program, latest first,
 * and how far the summarizer has come.
 */
export async function readMeteringReport(options: { ruleId: number; months: number; now?: Date }) {
  const rule = notFoundOrThrow(await findMeteringRule(options.ruleId), 'The metering rule');
  const now = options.now ?? new Date();
  const [periods, timeOfDay, computers, users, summarizer] = await Promise.all([
    readUsagePeriods(rule.id, options.months, now),
    readTimeOfDay(rule, now),
    readComputerRuns(pool(), rule.id, LIST_LIMIT),
    readUserRuns(pool(), rule.id, LIST_LIMIT),
    readSummarizerProgress(pool(), rule.id),
  ]);
  return { rule, ...periods, timeOfDay, computers, users, summarizer };
}

/**
 * The package names that make a rule's program count as installed: its product name, its file's
 * base name (unless that is a pattern) and, for a path in a snap (/snap/<name>/…), the snap's
 * name; case ignored.
 */
export function installedPackageNames(rule: { productName: string; fileName: string }): string[] {
  const base = rule.fileName.split('/').pop() ?? '';
  const snap = /^\/snap\/([^/*?]+)\//.exec(rule.fileName)?.[1];
  const names = [rule.productName, ...(base && !/[*?]/.test(base) ? [base] : []), ...(snap && snap !== 'bin' ? [snap] : [])];
  return [...new Set(names.map((n) => n.trim().toLowerCase()).filter(Boolean))];
}

/** A rule's version pattern (`*` and `?`) as a LIKE pattern, or null for any version. */
export function versionLikePattern(version: string): string | null {
  if (version === '*' || version === '') return null;
  return version
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replace(/\*/g, '%')
    .replace(/\?/g, '_');
}

/**
 * Computers of the rule's site that have the program installed (see installedPackageNames) or ran
 * it before, and have not run it in `days` days — the licence-reclaim question.
 */
export async function readUnusedComputersReport(options: { ruleId: number; days: number; limit: number | null; now?: Date }) {
  const now = options.now ?? new Date();
  const rule = notFoundOrThrow(await findMeteringRule(options.ruleId), 'The metering rule');
  const since = new Date(now.getTime() - options.days * DAY_MS);
  const packageNames = installedPackageNames(rule);
  const unused = await readUnusedComputers(pool(), {
    ruleId: rule.id,
    siteCode: rule.siteCode,
    packageNames,
    versionLike: versionLikePattern(rule.version),
    since,
    limit: options.limit,
  });
  return { days: options.days, since, packageNames, ...unused };
}
