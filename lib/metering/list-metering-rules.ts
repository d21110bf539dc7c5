import { pool } from '../db/pool';
import type { MeteringRule } from './metering-rule.schema';
import { lastDays, lastMonths, runsAtOncePerDay } from './read-metering-report';
import { listMeteringRules } from './repo';
import { readMonthUsage, readRunsAtOnceDaysOfRules, type UsagePoint } from './report-repo';

/** A rule as the rules page lists it: with its usage so far this month (UTC), null when nothing ran. */
export type ListedMeteringRule = MeteringRule & { thisMonth: (Omit<UsagePoint, 'start'> & { mostAtOnce: number }) | null };

/**
 * The software metering rules (of a site, or matching a search), each with this month's runs,
 * computers, users, run time and most runs at once from the metering summaries: which rules see
 * use, and how much at a time, at a glance.
 */
export async function listMeteringRulesWithUsage(filter: { siteCode?: string; search?: string }, now = new Date()): Promise<ListedMeteringRule[]> {
  const rules = await listMeteringRules(filter);
  if (!rules.length) return [];
  const ids = rules.map((r) => r.id);
  const monthStart = lastMonths(now, 1)[0];
  const days = lastDays(now, now.getUTCDate());
  const [usage, atOnce] = await Promise.all([
    readMonthUsage(pool(), ids, monthStart),
    readRunsAtOnceDaysOfRules(pool(), ids, monthStart, days.at(-1)!),
  ]);
  return rules.map((rule) => {
    const month = usage.get(rule.id);
    if (!month) return { ...rule, thisMonth: null };
    const { start: _start, ...thisMonth } = month;
    const steps = atOnce.get(rule.id);
    const mostAtOnce = steps ? Math.max(...runsAtOncePerDay(days, steps.opening, steps.days).map((d) => d.mostAtOnce)) : 0;
    return { ...rule, thisMonth: { ...thisMonth, mostAtOnce } };
  });
}
